import type { TFunction } from "i18next";
import type { Schemas } from "../../api/client";
import type { Grouping } from "./filters";

type CodeEntry = Schemas["CodeEntryRead"];
type Municipality = Schemas["MunicipalityName"];
type Group = Schemas["OutcomeGroupRead"];
type KeyValue = string | number | null | undefined;

const ORDER: Partial<Record<Grouping, string[]>> = {
  legal_sex: ["woman", "man"],
  time_bucket: ["under_12", "12_to_17", "18_or_more"],
};

/** A group's name in words (municipalities by the names the response gives). */
export function groupLabel(
  grouping: Grouping,
  value: KeyValue,
  t: TFunction,
  language: string,
  referrerTypes: CodeEntry[],
  municipalities: Municipality[] = [],
): string {
  if (value === null || value === undefined) return t("stats:groups.unknown");
  switch (grouping) {
    case "legal_sex":
    case "time_bucket":
      return t(`stats:groups.${grouping}.${value}`, { defaultValue: String(value) });
    case "municipality":
      return municipalities.find((m) => m.id === Number(value))?.name ?? t("stats:groups.municipality", { id: value });
    case "referrer_type": {
      const entry = referrerTypes.find((e) => e.code === value);
      if (!entry) return String(value);
      return language === "sv" ? entry.label_sv : entry.label_en;
    }
  }
}

/**
 * Groups in a reading order: women before men, time buckets in time, referrers as the code list,
 * municipalities by name (the response lists them sorted).
 */
export function sortGroups(grouping: Grouping, groups: Group[], referrerTypes: CodeEntry[], municipalities: Municipality[] = []): Group[] {
  const order =
    grouping === "referrer_type"
      ? [...referrerTypes].sort((a, b) => a.sort_order - b.sort_order).map((e) => e.code)
      : grouping === "municipality" && municipalities.length
        ? municipalities.map((m) => String(m.id))
        : ORDER[grouping];
  const rank = (value: KeyValue) => {
    if (value === null || value === undefined) return Number.MAX_SAFE_INTEGER;
    if (order) {
      const index = order.indexOf(String(value));
      return index === -1 ? order.length : index;
    }
    return typeof value === "number" ? value : 0;
  };
  return [...groups].sort((a, b) => {
    const byRank = rank(a.key[grouping]) - rank(b.key[grouping]);
    return byRank !== 0 ? byRank : String(a.key[grouping]).localeCompare(String(b.key[grouping]));
  });
}
