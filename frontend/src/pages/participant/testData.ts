// Synthetic data for the participant page's unit tests (test-series personnummer, invented names).
import type { Schemas } from "../../api/client";

/** A participant as the API answers; the page's tests use it as is, the tabs' with their own patch. */
export function participant(patch: Partial<Schemas["ParticipantRead"]> = {}): Schemas["ParticipantRead"] {
  return {
    id: 42,
    municipality_id: 1,
    municipality_name: "Skara",
    personnummer_masked: "20040101-****",
    is_coordination_number: false,
    legal_sex: "woman",
    birth_date: "2004-01-01",
    age: 22,
    first_name: "Testa",
    last_name: "Testsson",
    phone: null,
    email: null,
    address: null,
    gender: null,
    education_level: null,
    protected_identity: false,
    created_at: "2026-01-05T10:00:00Z",
    updated_at: "2026-01-05T10:00:00Z",
    version: 3,
    enrolments: [
      {
        id: 7,
        programme_code: "level_up",
        state: "active",
        step: 2,
        referred_on: "2026-01-05",
        started_on: "2026-01-20",
        ended_on: null,
        mentor_id: 1,
      },
    ],
    ...patch,
  };
}

export const PARTICIPANT = participant();

type Transition = Schemas["TransitionRead"];

export function transition(seq: number, kind: string, effective_on: string, extra: Partial<Transition> = {}): Transition {
  return {
    seq,
    kind,
    effective_on,
    recorded_effective_on: effective_on,
    corrected_by_seq: null,
    corrects_seq: null,
    recorded_at: `${effective_on}T09:00:00Z`,
    actor_user_id: 1,
    actor_client_id: null,
    reason: null,
    pause_reason: null,
    exit_reason_code: null,
    exit_status_code: null,
    outcome: null,
    step_after: null,
    state_after: "active",
    ...extra,
  };
}

export function enrolment(patch: Partial<Schemas["EnrolmentRead"]> = {}): Schemas["EnrolmentRead"] {
  return {
    id: 7,
    programme_code: "level_up",
    state: "active",
    step: 2,
    referred_on: "2026-01-05",
    started_on: "2026-01-20",
    ended_on: null,
    mentor_id: 1,
    mentor_name: "Test Mentor",
    participant_id: 42,
    highest_step: 2,
    step_entered_on: "2026-03-01",
    days_in_step: 30,
    outcome: null,
    exit_reason_code: null,
    exit_status_code: null,
    referrer_organisation_id: 5,
    referrer_organisation_name: "Arbetsförmedlingen Skövde",
    referrer_contact_name: "Hanna Handläggare",
    referrer_contact_phone: null,
    referrer_contact_email: null,
    referrer_user_id: null,
    benefit_at_start: null,
    months_on_support_before_start: null,
    version: 7,
    history: [
      transition(1, "refer", "2026-01-05", { state_after: "referred" }),
      transition(2, "hold_intake", "2026-01-12", { state_after: "intake" }),
      transition(3, "start", "2026-01-20", { step_after: 1 }),
      transition(4, "advance", "2026-03-02", { step_after: 2, corrected_by_seq: 5 }),
      transition(5, "correct_date", "2026-03-01", { step_after: 2, corrects_seq: 4, reason: "Fel datum" }),
    ],
    mentor_history: [{ mentor_id: 1, assigned_on: "2026-01-05", ended_on: null, reason: null }],
    ...patch,
  };
}

const names = [
  ["relationship", "Level 1 – relationsskapande", "Level 1 – relationship building"],
  ["group", "Level 2 – gruppverksamhet", "Level 2 – group activity"],
  ["preparation", "Level 3 – förberedelse", "Level 3 – preparation"],
  ["work_or_studies", "Level 4 – arbete eller studier", "Level 4 – work or studies"],
] as const;

export const PROGRAMMES: Schemas["ProgrammeRead"][] = [
  {
    code: "level_up",
    name_sv: "Level Up",
    name_en: "Level Up",
    min_age: 16,
    max_age: 29,
    support_period_months: 3,
    steps: names.map(([code, sv, en], i) => ({
      number: i + 1,
      code,
      name_sv: sv,
      name_en: en,
      requires_outcome: i === 3,
    })),
    goals: {
      goal_reached_share: 0.5,
      reached_preparation_share: 0.25,
      preparation_step: 3,
      target_participants: 210,
      target_women: 126,
      target_men: 84,
    },
  },
];

/** A code-list entry (English label = Swedish unless given). */
export function codeEntry(code: string, sv: string, extra: Partial<Schemas["CodeEntryRead"]> = {}): Schemas["CodeEntryRead"] {
  return {
    code,
    label_sv: sv,
    label_en: sv,
    sort_order: 10,
    valid_from: null,
    valid_to: null,
    outcome_group: null,
    continues_in_regular_operations: false,
    excluded_from_statistics: false,
    ...extra,
  };
}

export const EXIT_REASONS: Schemas["CodeListRead"] = {
  name: "exit_reason",
  version: 1,
  label: "Avslutsorsak",
  entries: [
    codeEntry("completed", "Insatsen genomförd enligt plan"),
    codeEntry("5", "Annat (5)"),
    codeEntry("old", "Gammal kod", { valid_to: "2020-01-01" }),
  ],
};

export const EXIT_STATUSES: Schemas["CodeListRead"] = {
  name: "exit_status",
  version: 1,
  label: "Status vid avslut",
  entries: [
    codeEntry("employment_unsubsidised", "Anställning utan stöd", { outcome_group: "work" }),
    codeEntry("7", "Annat (7)", { outcome_group: "other" }),
  ],
};
