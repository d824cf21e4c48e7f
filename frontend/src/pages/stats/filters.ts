// The dashboard's filters live in the query string (they hold no personal data: a programme
// code, two dates, a municipality id and a referrer type), so a view can be bookmarked and shared.
import { isIsoDate } from "../../lib/dates";

export const DEFAULT_PROGRAMME = "level_up";

export type StatsFilter = {
  programme: string;
  exit_from: string;
  exit_to: string;
  /** One municipality's id ("" = every municipality in the caller's statistics scope). */
  municipality_id: string;
  referrer_type: string;
};

export type FilterErrors = Partial<Record<keyof StatsFilter, string>>;

export const GROUPINGS = ["legal_sex", "municipality", "referrer_type", "time_bucket"] as const;
export type Grouping = (typeof GROUPINGS)[number];

export function readFilter(params: URLSearchParams): StatsFilter {
  return {
    programme: params.get("programme") || DEFAULT_PROGRAMME,
    exit_from: params.get("exit_from") ?? "",
    exit_to: params.get("exit_to") ?? "",
    municipality_id: params.get("municipality_id") ?? "",
    referrer_type: params.get("referrer_type") ?? "",
  };
}

/** The query string for a filter: empty values and the default programme are left out. */
export function writeFilter(filter: StatsFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.programme && filter.programme !== DEFAULT_PROGRAMME) params.set("programme", filter.programme);
  if (filter.exit_from) params.set("exit_from", filter.exit_from);
  if (filter.exit_to) params.set("exit_to", filter.exit_to);
  if (filter.municipality_id) params.set("municipality_id", filter.municipality_id);
  if (filter.referrer_type) params.set("referrer_type", filter.referrer_type);
  return params;
}

type Translate = (key: string) => string;

/** Problems with a filter, keyed by field; an empty object means it may be asked for. */
export function validateFilter(filter: StatsFilter, t: Translate): FilterErrors {
  const errors: FilterErrors = {};
  if (filter.exit_from && !isIsoDate(filter.exit_from)) errors.exit_from = t("filters.errors.dateInvalid");
  if (filter.exit_to && !isIsoDate(filter.exit_to)) errors.exit_to = t("filters.errors.dateInvalid");
  if (!errors.exit_from && !errors.exit_to && filter.exit_from && filter.exit_to && filter.exit_to < filter.exit_from) {
    errors.exit_to = t("filters.errors.endBeforeStart");
  }
  if (filter.municipality_id && !isId(filter.municipality_id)) errors.municipality_id = t("filters.errors.municipalityInvalid");
  return errors;
}

function isId(value: string): boolean {
  return /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647;
}

/** The API's query parameters for a (valid) filter; `municipality_id` is repeatable there. */
export function apiQuery(filter: StatsFilter) {
  return {
    programme: filter.programme || DEFAULT_PROGRAMME,
    exit_from: filter.exit_from || undefined,
    exit_to: filter.exit_to || undefined,
    municipality_id: filter.municipality_id ? [Number(filter.municipality_id)] : undefined,
    referrer_type: filter.referrer_type || undefined,
  };
}

/** The last full calendar year before `today`, as a period. */
export function lastFullYear(today: Date = new Date()): { exit_from: string; exit_to: string } {
  const year = today.getFullYear() - 1;
  return { exit_from: `${year}-01-01`, exit_to: `${year}-12-31` };
}
