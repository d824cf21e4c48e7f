// The code-list editor's data: entries being edited (as form strings), the body a new version
// is published with, the checks made before asking the server, and the list of changes shown
// for confirmation.
import type { Schemas } from "../../api/client";

export type CodeList = Schemas["CodeListRead"];
export type CodeEntry = Schemas["CodeEntryRead"];
export type ListName = Schemas["CodeListName"];
export type OutcomeGroup = Schemas["OutcomeGroup"];

/** Lists whose entries carry the statistics flags (DOMAIN.md §6). */
export const FLAG_LISTS: ListName[] = ["exit_reason", "exit_status"];
/** The list whose entries carry an outcome group. */
export const OUTCOME_LIST: ListName = "exit_status";
export const OUTCOME_GROUPS: OutcomeGroup[] = ["work", "studies", "job_seeking", "other"];

const CODE = /^[A-Za-z0-9_.-]+$/;

export type Draft = {
  /** Stable key for React and for focus, also for entries not yet saved. */
  key: string;
  /** True for entries of the current version (their code cannot change). */
  existing: boolean;
  code: string;
  label_sv: string;
  label_en: string;
  sort_order: string;
  outcome_group: OutcomeGroup | "";
  continues_in_regular_operations: boolean;
  excluded_from_statistics: boolean;
  valid_from: string;
  valid_to: string;
};

export function draftsOf(list: CodeList): Draft[] {
  return list.entries.map((e) => ({
    key: `existing-${e.code}`,
    existing: true,
    code: e.code,
    label_sv: e.label_sv,
    label_en: e.label_en,
    sort_order: String(e.sort_order),
    outcome_group: e.outcome_group ?? "",
    continues_in_regular_operations: e.continues_in_regular_operations,
    excluded_from_statistics: e.excluded_from_statistics,
    valid_from: e.valid_from ?? "",
    valid_to: e.valid_to ?? "",
  }));
}

export function newDraft(drafts: Draft[], key: string): Draft {
  const highest = drafts.reduce((max, d) => Math.max(max, Number(d.sort_order) || 0), 0);
  return {
    key,
    existing: false,
    code: "",
    label_sv: "",
    label_en: "",
    sort_order: String(highest + 10),
    outcome_group: "",
    continues_in_regular_operations: false,
    excluded_from_statistics: false,
    valid_from: "",
    valid_to: "",
  };
}

export function codeListVersionBody(name: ListName, label: string, drafts: Draft[]): Schemas["CodeListVersionCreate"] {
  const flags = FLAG_LISTS.includes(name);
  return {
    label: label.trim(),
    entries: drafts.map((d) => {
      const entry: Schemas["CodeEntryCreate"] = {
        code: d.code.trim(),
        label_sv: d.label_sv.trim(),
        label_en: d.label_en.trim(),
        sort_order: Number(d.sort_order),
        valid_from: d.valid_from || null,
        valid_to: d.valid_to || null,
        // The flags mean something only on the exit lists; elsewhere they are always false.
        continues_in_regular_operations: flags && d.continues_in_regular_operations,
        excluded_from_statistics: flags && d.excluded_from_statistics,
      };
      if (name === OUTCOME_LIST) entry.outcome_group = d.outcome_group || null;
      return entry;
    }),
  };
}

/** Problems keyed "label" or "entries.<index>.<field>", as message keys of the admin namespace. */
export function checkDraft(name: ListName, label: string, drafts: Draft[]): Record<string, string> {
  const problems: Record<string, string> = {};
  const trimmed = label.trim();
  if (!trimmed) problems.label = "codeLists.errors.labelMissing";
  else if (trimmed.length > 200) problems.label = "codeLists.errors.tooLong";
  if (drafts.length === 0) problems.entries = "codeLists.errors.empty";
  if (drafts.length > 200) problems.entries = "codeLists.errors.tooMany";
  const seen = new Map<string, number>();
  drafts.forEach((d, i) => {
    const at = (field: string) => `entries.${i}.${field}`;
    const code = d.code.trim();
    if (!code) problems[at("code")] = "codeLists.errors.codeMissing";
    else if (code.length > 40 || !CODE.test(code)) problems[at("code")] = "codeLists.errors.code";
    else if (seen.has(code.toLowerCase())) problems[at("code")] = "codeLists.errors.duplicate";
    else seen.set(code.toLowerCase(), i);
    for (const field of ["label_sv", "label_en"] as const) {
      const text = d[field].trim();
      if (!text) problems[at(field)] = "codeLists.errors.labelEntryMissing";
      else if (text.length > 200) problems[at(field)] = "codeLists.errors.tooLong";
    }
    const sort = Number(d.sort_order);
    if (d.sort_order.trim() === "" || !Number.isInteger(sort) || sort < 0 || sort > 1_000_000) {
      problems[at("sort_order")] = "codeLists.errors.sortOrder";
    }
    if (name === OUTCOME_LIST && !d.outcome_group) problems[at("outcome_group")] = "codeLists.errors.outcomeGroup";
    if (d.valid_from && d.valid_to && d.valid_to < d.valid_from) problems[at("valid_to")] = "codeLists.errors.validTo";
    if (d.continues_in_regular_operations && d.excluded_from_statistics) {
      problems[at("excluded_from_statistics")] = "codeLists.errors.bothFlags";
    }
  });
  return problems;
}

export type Change =
  | { kind: "label"; from: string; to: string }
  | { kind: "added"; code: string; label: string }
  | { kind: "relabelled"; code: string; from: string; to: string; language: "sv" | "en" }
  | { kind: "retired"; code: string; on: string }
  | { kind: "reinstated"; code: string }
  | { kind: "changed"; code: string };

/** What the new version changes against the current one, for the confirmation step. */
export function describeChanges(current: CodeList, label: string, drafts: Draft[], today: string): Change[] {
  const changes: Change[] = [];
  if (label.trim() !== current.label) changes.push({ kind: "label", from: current.label, to: label.trim() });
  const before = new Map(current.entries.map((e) => [e.code, e]));
  for (const d of drafts) {
    const code = d.code.trim();
    const old = d.existing ? before.get(code) : undefined;
    if (!old) {
      changes.push({ kind: "added", code, label: d.label_sv.trim() });
      continue;
    }
    let other = false;
    if (old.label_sv !== d.label_sv.trim()) changes.push({ kind: "relabelled", code, from: old.label_sv, to: d.label_sv.trim(), language: "sv" });
    if (old.label_en !== d.label_en.trim()) changes.push({ kind: "relabelled", code, from: old.label_en, to: d.label_en.trim(), language: "en" });
    const oldTo = old.valid_to ?? "";
    if (oldTo !== d.valid_to) {
      if (d.valid_to && d.valid_to < today) changes.push({ kind: "retired", code, on: d.valid_to });
      else if (!d.valid_to && oldTo && oldTo < today) changes.push({ kind: "reinstated", code });
      else other = true;
    }
    if (
      String(old.sort_order) !== d.sort_order.trim() ||
      (old.valid_from ?? "") !== d.valid_from ||
      (old.outcome_group ?? "") !== d.outcome_group ||
      old.continues_in_regular_operations !== d.continues_in_regular_operations ||
      old.excluded_from_statistics !== d.excluded_from_statistics
    ) {
      other = true;
    }
    if (other) changes.push({ kind: "changed", code });
  }
  return changes;
}
