// Fixtures for the tabs' component tests, shaped as the API answers (schema types); the
// participant and code-list entries are the page's (../testData) with the tabs' own values.
import type { Schemas } from "../../../api/client";
import { ME_MENTOR } from "../../../test/render";
import { codeEntry, participant } from "../testData";

export const PARTICIPANT = participant({
  id: 7,
  last_name: "Person",
  created_at: "2026-01-10T09:00:00Z",
  updated_at: "2026-01-10T09:00:00Z",
  version: 1,
  enrolments: [],
});

export const ENROLMENT: Schemas["EnrolmentRead"] = {
  id: 42,
  participant_id: 7,
  programme_code: "level_up",
  state: "active",
  step: 1,
  referred_on: "2026-01-10",
  started_on: "2026-01-12",
  ended_on: null,
  mentor_id: 1,
  mentor_name: "Test Mentor",
  referrer_organisation_name: null,
  highest_step: 1,
  step_entered_on: "2026-01-12",
  days_in_step: 20,
  outcome: null,
  exit_reason_code: null,
  exit_status_code: null,
  referrer_organisation_id: null,
  referrer_contact_name: null,
  referrer_contact_phone: null,
  referrer_contact_email: null,
  referrer_user_id: null,
  benefit_at_start: null,
  months_on_support_before_start: null,
  version: 3,
  history: [],
  mentor_history: [],
};

const KEYS = [
  ["work_study_readiness", "Hur redo känner du dig att börja arbeta eller studera?", "Inte alls redo", "Helt redo"],
  ["physical_health", "Hur mår du i kroppen just nu?", "Mycket dåligt", "Mycket bra"],
  ["mental_health", "Hur mår du psykiskt just nu?", "Mycket dåligt", "Mycket bra"],
  ["social_situation", "Hur nöjd är du med din sociala situation?", "Inte alls nöjd", "Mycket nöjd"],
  ["self_esteem", "Hur mycket tror du på dig själv?", "Inte alls", "Helt och fullt"],
  ["exercise_habits", "Hur nöjd är du med hur mycket du rör på dig?", "Inte alls nöjd", "Mycket nöjd"],
  ["diet", "Hur bra tycker du att du äter?", "Mycket dåligt", "Mycket bra"],
  ["life_satisfaction", "Hur nöjd är du med ditt liv som helhet?", "Inte alls nöjd", "Mycket nöjd"],
  ["relations_with_authorities", "Hur fungerar din kontakt med myndigheter?", "Mycket dåligt", "Mycket bra"],
  ["family_relations", "Hur fungerar relationerna i din familj?", "Mycket dåligt", "Mycket bra"],
] as const;

export const QUESTIONNAIRE: Schemas["QuestionnaireRead"] = {
  version: 1,
  scale_min: 1,
  scale_max: 10,
  items: KEYS.map(([key, text, low, high]) => ({
    key,
    text_sv: text,
    text_en: `EN ${key}`,
    low_label_sv: low,
    high_label_sv: high,
    low_label_en: `EN low ${key}`,
    high_label_en: `EN high ${key}`,
  })),
};

export const ITEM_KEYS = KEYS.map(([key]) => key);

export function occasions(startStatus: Schemas["AssessmentStatus"] = "due"): Schemas["AssessmentOccasionRead"][] {
  return [
    { occasion: "start", label_sv: "Start", label_en: "Start", due_on: "2026-01-12", status: startStatus, submission_id: startStatus === "answered" ? 900 : null },
    { occasion: "after_step_1", label_sv: "Efter Level 1", label_en: "After Level 1", due_on: null, status: "not_due", submission_id: null },
    { occasion: "exit", label_sv: "Avslut", label_en: "Exit", due_on: null, status: "not_due", submission_id: null },
  ];
}

/** A current start submission (id 900, answers 1–10 in item order) unless `overrides` say otherwise. */
export function submission(overrides: Partial<Schemas["AssessmentSubmissionRead"]> = {}): Schemas["AssessmentSubmissionRead"] {
  return {
    id: 900,
    occasion: "start",
    questionnaire_version: 1,
    answered_on: "2026-01-12",
    respondent: "participant",
    answers: Object.fromEntries(ITEM_KEYS.map((key, i) => [key, (i % 10) + 1])),
    mentor_rating: null,
    recorded_at: "2026-01-12T10:00:00Z",
    recorded_by_user_id: 1,
    supersedes_id: null,
    superseded_by_id: null,
    correction_reason: null,
    ...overrides,
  };
}

export const CHANGE: Schemas["AssessmentChangeRead"] = {
  enrolment_id: 42,
  questionnaire_version: 1,
  readings: [
    { submission_id: 900, occasion: "start", answered_on: "2026-01-12", answers: {} },
    { submission_id: 901, occasion: "after_step_1", answered_on: "2026-03-02", answers: {} },
  ],
  items: KEYS.map(([key, text], i) => {
    const first = 3 + (i % 4);
    const latest = i === 2 ? first - 2 : i === 5 ? first : first + 3;
    return {
      key,
      text_sv: text,
      text_en: `EN ${key}`,
      first,
      latest,
      difference: latest - first,
      direction: latest > first ? "improved" : latest < first ? "worsened" : "unchanged",
    };
  }),
};

export const CODE_LIST_BENEFIT: Schemas["CodeListRead"] = {
  name: "benefit",
  version: 1,
  label: "Ersättning",
  entries: [
    codeEntry("none", "Ingen ersättning", { label_en: "No benefit" }),
    codeEntry("sickness", "Sjukpenning", { label_en: "Sickness benefit", sort_order: 20 }),
  ],
};

export const CODE_LIST_ACTIVITY: Schemas["CodeListRead"] = {
  name: "activity_type",
  version: 1,
  label: "Aktivitetstyp",
  entries: [
    codeEntry("motivational_talk", "Motiverande samtal", { label_en: "Motivational talk" }),
    codeEntry("group_session", "Gruppträff", { label_en: "Group session", sort_order: 20 }),
  ],
};

/** The mentor without the given permissions. */
export function meWithout(...permissions: string[]) {
  return { ...ME_MENTOR, permissions: ME_MENTOR.permissions.filter((p) => !permissions.includes(p)) };
}
