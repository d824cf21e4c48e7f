// What the participant page may offer and how it reads the server's answers. Pure functions,
// so the rules are tested on their own (actions.test.ts) and the components stay about layout.
import { type ApiError, isApiError, type Schemas } from "../../api/client";
import { serverFields } from "../../api/fieldErrors";
import { isIsoDate } from "../../lib/dates";

export type Enrolment = Schemas["EnrolmentRead"];
export type Programme = Schemas["ProgrammeRead"];
export type EnrolmentState = Schemas["EnrolmentState"];

export type ActionKind = "intake" | "start" | "advance" | "stepBack" | "pause" | "resume" | "exit" | "decline";

/** The order the buttons appear in. */
export const ACTION_ORDER: ActionKind[] = [
  "intake",
  "start",
  "advance",
  "stepBack",
  "pause",
  "resume",
  "exit",
  "decline",
];

/**
 * The actions that make sense now (the transition table of DOMAIN.md §4): the server stays
 * authoritative and still explains a refusal, but the page does not offer what cannot work.
 */
export function availableActions(
  enrolment: Pick<Enrolment, "state" | "step">,
  programme: Pick<Programme, "steps"> | null,
): ActionKind[] {
  const numbers = programme?.steps.map((s) => s.number) ?? [];
  const first = numbers.length ? Math.min(...numbers) : 1;
  const last = numbers.length ? Math.max(...numbers) : null;
  switch (enrolment.state) {
    case "referred":
      return ["intake", "decline"];
    case "intake":
      return ["start", "decline"];
    case "active": {
      const step = enrolment.step ?? first;
      const actions: ActionKind[] = [];
      if (last === null || step < last) actions.push("advance");
      if (step > first) actions.push("stepBack");
      actions.push("pause", "exit");
      return actions;
    }
    case "paused":
      return ["resume", "exit"];
    default:
      return [];
  }
}

/** The step an advance leads to, with its programme data (null when there is none). */
export function nextStep(enrolment: Pick<Enrolment, "step">, programme: Pick<Programme, "steps"> | null) {
  if (!programme || enrolment.step == null) return null;
  return programme.steps.find((s) => s.number === (enrolment.step ?? 0) + 1) ?? null;
}

/**
 * Someone else changed the enrolment: a stale If-Match (412), or the concurrent-write 409 the
 * server names "Conflict". A 409 "InvalidTransition" is a refusal of the action itself.
 */
export function isConflict(error: unknown): error is ApiError {
  if (!isApiError(error)) return false;
  return error.status === 412 || error.status === 428 || (error.status === 409 && error.code !== "InvalidTransition");
}

/**
 * The server's per-field problems keyed by our control names (prefixes dropped by
 * `serverFields`); a problem with the outcome as a whole is shown at the outcome's kind.
 */
export function serverFieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(serverFields(error))) {
    out[name === "outcome" ? "outcome.kind" : name] ??= message;
  }
  return out;
}

/** The date the next transition may not be before: the latest date in force in the history. */
export function earliestEffectiveDate(enrolment: Pick<Enrolment, "history" | "referred_on">): string {
  let latest = enrolment.referred_on;
  for (const entry of enrolment.history) {
    if (entry.kind === "correct_date") continue;
    if (entry.effective_on > latest) latest = entry.effective_on;
  }
  return latest;
}

/** Error keys (i18n keys of the participant namespace) for an effective date, or null. */
export function effectiveDateError(value: string, today: string, earliest: string | null): string | null {
  if (!value) return "validation.dateRequired";
  if (!isIsoDate(value)) return "validation.dateInvalid";
  if (value > today) return "validation.dateFuture";
  if (earliest && value < earliest) return "validation.dateBeforePrevious";
  return null;
}

export type OutcomeValues = {
  kind: "" | "work" | "studies";
  starts_on: string;
  subsidised: "" | "yes" | "no";
  extent_percent: string;
  studies_kind: "" | Schemas["StudiesKind"];
};

export const EMPTY_OUTCOME: OutcomeValues = {
  kind: "",
  starts_on: "",
  subsidised: "",
  extent_percent: "",
  studies_kind: "",
};

/** The Level 4 outcome form's rules (the domain's, so the user learns them before sending). */
export function validateOutcome(values: OutcomeValues, startedOn: string | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.kind) errors["outcome.kind"] = "validation.outcomeKindRequired";
  if (!values.starts_on) errors["outcome.starts_on"] = "validation.dateRequired";
  else if (!isIsoDate(values.starts_on)) errors["outcome.starts_on"] = "validation.dateInvalid";
  else if (startedOn && values.starts_on < startedOn) errors["outcome.starts_on"] = "validation.outcomeBeforeStart";
  if (values.kind === "work") {
    if (!values.subsidised) errors["outcome.subsidised"] = "validation.subsidisedRequired";
    const text = values.extent_percent.trim();
    const extent = Number(text);
    if (!text) errors["outcome.extent_percent"] = "validation.extentRequired";
    else if (!/^\d+$/.test(text) || extent < 1 || extent > 100) errors["outcome.extent_percent"] = "validation.extentRange";
  }
  if (values.kind === "studies" && !values.studies_kind) {
    errors["outcome.studies_kind"] = "validation.studiesKindRequired";
  }
  return errors;
}

/** The outcome as the API takes it (call only when validateOutcome found nothing). */
export function outcomeBody(values: OutcomeValues): Schemas["OutcomeIn"] {
  if (values.kind === "work") {
    return {
      kind: "work",
      starts_on: values.starts_on,
      subsidised: values.subsidised === "yes",
      extent_percent: Number(values.extent_percent.trim()),
    };
  }
  return { kind: "studies", starts_on: values.starts_on, studies_kind: values.studies_kind || null };
}

/** Open first, else the latest by referral date (ties: the higher id). */
export function pickEnrolment(enrolments: Schemas["EnrolmentSummary"][]): Schemas["EnrolmentSummary"] | null {
  const sorted = [...enrolments].sort((a, b) =>
    a.referred_on === b.referred_on ? b.id - a.id : a.referred_on < b.referred_on ? 1 : -1,
  );
  return sorted.find((e) => e.state !== "exited" && e.state !== "declined") ?? sorted[0] ?? null;
}

/** Step names without a leading "Level N – " (the staircase draws the level number itself). */
export function shortStepName(name: string): string {
  return name.replace(/^Level\s*\d+\s*[–-]\s*/i, "");
}
