import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  type ActionKind,
  availableActions,
  earliestEffectiveDate,
  effectiveDateError,
  EMPTY_OUTCOME,
  type EnrolmentState,
  isConflict,
  outcomeBody,
  type OutcomeValues,
  pickEnrolment,
  serverFieldErrors,
  shortStepName,
  validateOutcome,
} from "./actions";

const PROGRAMME = { steps: [1, 2, 3, 4].map((n) => ({ number: n, code: `s${n}`, name_sv: `Level ${n}`, name_en: `Level ${n}`, requires_outcome: n === 4 })) };

describe("availableActions", () => {
  const table: [EnrolmentState, number | null, ActionKind[]][] = [
    ["referred", null, ["intake", "decline"]],
    ["intake", null, ["start", "decline"]],
    ["active", 1, ["advance", "pause", "exit"]],
    ["active", 2, ["advance", "stepBack", "pause", "exit"]],
    ["active", 3, ["advance", "stepBack", "pause", "exit"]],
    ["active", 4, ["stepBack", "pause", "exit"]],
    ["paused", 2, ["resume", "exit"]],
    ["exited", 3, []],
    ["declined", null, []],
  ];
  it.each(table)("%s at step %s offers %j", (state, step, expected) => {
    expect(availableActions({ state, step }, PROGRAMME)).toEqual(expected);
  });

  it("knows the last step from the programme, not from a fixed four", () => {
    const five = { steps: [...PROGRAMME.steps, { ...PROGRAMME.steps[0]!, number: 5 }] };
    expect(availableActions({ state: "active", step: 4 }, five)).toContain("advance");
    expect(availableActions({ state: "active", step: 5 }, five)).not.toContain("advance");
  });
});

describe("isConflict", () => {
  it.each([
    [412, "PreconditionFailed", true],
    [409, "Conflict", true],
    [409, "InvalidTransition", false],
    [422, "ValidationError", false],
    [404, "NotFound", false],
  ])("%s %s → %s", (status, code, expected) => {
    expect(isConflict(new ApiError(status, code, "x"))).toBe(expected);
  });
  it("is false for things that are not API errors", () => {
    expect(isConflict(new TypeError("network"))).toBe(false);
  });
});

describe("serverFieldErrors", () => {
  it("drops FastAPI's body prefix and puts a whole-outcome problem at its kind", () => {
    const error = new ApiError(422, "ValidationError", "x", {
      "body.outcome.extent_percent": "too big",
      outcome: "krävs för denna nivå",
      effective_on: "datum i framtiden",
    });
    expect(serverFieldErrors(error)).toEqual({
      "outcome.extent_percent": "too big",
      "outcome.kind": "krävs för denna nivå",
      effective_on: "datum i framtiden",
    });
  });
});

describe("effective date", () => {
  it.each([
    ["", "validation.dateRequired"],
    ["2026-13-01", "validation.dateInvalid"],
    ["2026-02-30", "validation.dateInvalid"],
    ["2026-06-02", "validation.dateFuture"],
    ["2026-04-30", "validation.dateBeforePrevious"],
    ["2026-05-01", null],
    ["2026-06-01", null],
  ])("%j → %s", (value, expected) => {
    expect(effectiveDateError(value, "2026-06-01", "2026-05-01")).toBe(expected);
  });

  it("the earliest date is the latest date in force in the history (corrections excluded)", () => {
    const entry = (kind: string, effective_on: string) => ({ kind, effective_on }) as never;
    expect(
      earliestEffectiveDate({
        referred_on: "2026-01-01",
        history: [entry("refer", "2026-01-01"), entry("start", "2026-03-01"), entry("correct_date", "2026-02-01")],
      }),
    ).toBe("2026-03-01");
  });
});

describe("the Level 4 outcome form's rules", () => {
  const work: OutcomeValues = { ...EMPTY_OUTCOME, kind: "work", starts_on: "2026-05-01", subsidised: "yes", extent_percent: "50" };
  const studies: OutcomeValues = { ...EMPTY_OUTCOME, kind: "studies", starts_on: "2026-05-01", studies_kind: "komvux" };

  it.each<[string, OutcomeValues, Record<string, string>]>([
    ["nothing chosen", EMPTY_OUTCOME, { "outcome.kind": "validation.outcomeKindRequired", "outcome.starts_on": "validation.dateRequired" }],
    ["work without subsidy or extent", { ...work, subsidised: "", extent_percent: "" }, { "outcome.subsidised": "validation.subsidisedRequired", "outcome.extent_percent": "validation.extentRequired" }],
    ["work at 0 %", { ...work, extent_percent: "0" }, { "outcome.extent_percent": "validation.extentRange" }],
    ["work at 101 %", { ...work, extent_percent: "101" }, { "outcome.extent_percent": "validation.extentRange" }],
    ["work at 50.5 %", { ...work, extent_percent: "50.5" }, { "outcome.extent_percent": "validation.extentRange" }],
    ["studies without kind", { ...studies, studies_kind: "" }, { "outcome.studies_kind": "validation.studiesKindRequired" }],
    ["starting before the enrolment", { ...studies, starts_on: "2026-01-31" }, { "outcome.starts_on": "validation.outcomeBeforeStart" }],
    ["a bad date", { ...studies, starts_on: "2026-02-31" }, { "outcome.starts_on": "validation.dateInvalid" }],
    ["valid work", work, {}],
    ["valid work at 100 %", { ...work, extent_percent: "100" }, {}],
    ["valid studies", studies, {}],
  ])("%s", (_name, values, expected) => {
    expect(validateOutcome(values, "2026-02-01")).toEqual(expected);
  });

  it("sends work with a boolean subsidy and a number, and studies without work's answers", () => {
    expect(outcomeBody({ ...work, subsidised: "no", extent_percent: " 75 " })).toEqual({
      kind: "work",
      starts_on: "2026-05-01",
      subsidised: false,
      extent_percent: 75,
    });
    expect(outcomeBody(studies)).toEqual({ kind: "studies", starts_on: "2026-05-01", studies_kind: "komvux" });
  });
});

describe("pickEnrolment", () => {
  const e = (id: number, state: EnrolmentState, referred_on: string) =>
    ({ id, state, referred_on, programme_code: "level_up", step: null, started_on: null, ended_on: null, mentor_id: null });
  it("prefers the open enrolment over a newer closed one", () => {
    expect(pickEnrolment([e(1, "active", "2025-01-01"), e(2, "exited", "2026-01-01")])?.id).toBe(1);
  });
  it("takes the latest when none is open", () => {
    expect(pickEnrolment([e(1, "exited", "2025-01-01"), e(2, "declined", "2026-01-01")])?.id).toBe(2);
  });
  it("is null without enrolments", () => {
    expect(pickEnrolment([])).toBeNull();
  });
});

it("step names lose their leading level number", () => {
  expect(shortStepName("Level 2 – gruppverksamhet")).toBe("gruppverksamhet");
  expect(shortStepName("Identifiering")).toBe("Identifiering");
});
