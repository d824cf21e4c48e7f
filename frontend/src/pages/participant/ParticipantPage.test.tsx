import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../api/client";
import { todayIso } from "../../lib/dates";
import { type Handler, mockApi, renderScreen } from "../../test/render";
import ParticipantPage from "./ParticipantPage";
import { enrolment, EXIT_REASONS, EXIT_STATUSES, PARTICIPANT, PROGRAMMES, transition } from "./testData";

// The tabs belong to another part of the page (and have their own tests): here a stand-in
// shows which enrolment they were given.
vi.mock("./tabs/ParticipantTabs", () => ({
  ParticipantTabs: (props: { enrolment: { id: number; state: string } | null; programme: { code: string } | null }) => (
    <p data-testid="tabs">
      tabs:{props.enrolment?.id ?? "none"}:{props.enrolment?.state ?? "-"}:{props.programme?.code ?? "-"}
    </p>
  ),
}));

type Enrolment = Schemas["EnrolmentRead"];

function setUp(current: Enrolment, extra: Record<string, Handler> = {}) {
  const state = { enrolment: current };
  const calls = mockApi({
    "GET /api/v1/participants/42": { body: PARTICIPANT },
    "GET /api/v1/enrolments/7": () => ({ body: state.enrolment }),
    "GET /api/v1/programmes": { body: PROGRAMMES },
    "GET /api/v1/code-lists/exit_reason": { body: EXIT_REASONS },
    "GET /api/v1/code-lists/exit_status": { body: EXIT_STATUSES },
    ...extra,
  });
  renderScreen(<ParticipantPage />, { route: "/deltagare/42", path: "/deltagare/:participantId" });
  return { calls, state };
}

async function openAction(name: string | RegExp) {
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name }));
  const dialog = await screen.findByRole("dialog");
  return { user, dialog };
}

const posts = (calls: ReturnType<typeof mockApi>) => calls.filter((c) => c.method === "POST");

describe("participant page", () => {
  it("shows the header, the large staircase at the current level and the dated history", async () => {
    setUp(enrolment());
    expect(await screen.findByRole("heading", { level: 1, name: "Testa Testsson" })).toBeInTheDocument();
    expect(screen.getByText("20040101-****")).toBeInTheDocument();
    expect(screen.getByText("22 år")).toBeInTheDocument();
    expect(screen.getByText("Skara")).toBeInTheDocument();
    expect(await screen.findByText("Du (Test Mentor)")).toBeInTheDocument();
    expect(await screen.findByText("Arbetsförmedlingen Skövde · Hanna Handläggare")).toBeInTheDocument();
    // The large staircase: Level 2 is the current step, named from the programme.
    const current = await screen.findByText("gruppverksamhet");
    expect(current.closest("li")).toHaveAttribute("aria-current", "step");
    expect(screen.getByText("Trappan: level 2 av 4")).toBeInTheDocument();
    // History, with the corrected entry marked and the correction as its own row.
    const table = screen.getByRole("table", { name: /Händelser i inskrivningen/ });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(6);
    expect(within(rows[4]!).getByText("Rättad (nr 5)")).toBeInTheDocument();
    expect(within(rows[4]!).getByText(/Först registrerat 2026-03-02/)).toBeInTheDocument();
    expect(within(rows[5]!).getByText(/Rättar datumet för nr 4 till 2026-03-01/)).toBeInTheDocument();
    expect(within(rows[5]!).getByText("Fel datum")).toBeInTheDocument();
    // The tabs get the enrolment and programme the page shows.
    expect(screen.getByTestId("tabs")).toHaveTextContent("tabs:7:active:level_up");
    // The name never goes into the document title (browser history).
    expect(document.title).toBe("Deltagare – Level Up");
  });

  it("names the municipality, another mentor and the referrer from the reads, without further look-ups", async () => {
    const { calls } = setUp(
      enrolment({
        mentor_id: 9,
        mentor_name: "Maja Mentorsson",
        mentor_history: [{ mentor_id: 9, assigned_on: "2026-02-01", ended_on: null, reason: null }],
        referrer_organisation_id: 6,
        referrer_organisation_name: "Försäkringskassan",
        referrer_contact_name: null,
      }),
    );
    const header = await screen.findByRole("region", { name: "Uppgifter om deltagaren" });
    const fact = (term: string) => within(header).getByText(term).closest("div")!.querySelector("dd")!;
    await waitFor(() => expect(fact("Mentor")).toHaveTextContent(/^Maja Mentorsson/));
    expect(fact("Kommun")).toHaveTextContent(/^Skara$/);
    expect(fact("Remittent")).toHaveTextContent(/^Försäkringskassan$/);
    expect(within(header).queryByText(/nr \d/)).not.toBeInTheDocument();
    // Names come with the participant and the enrolment: no mentor list, no organisation list.
    expect(calls.map((c) => c.path)).not.toContain("/api/v1/me/municipality/mentors");
    expect(calls.map((c) => c.path)).not.toContain("/api/v1/referrer-organisations");
  });

  it("says so when no mentor is assigned and no referrer is recorded", async () => {
    setUp(
      enrolment({
        mentor_id: null,
        mentor_name: null,
        mentor_history: [],
        referrer_organisation_id: null,
        referrer_organisation_name: null,
        referrer_contact_name: null,
      }),
    );
    expect(await screen.findByText("Ingen mentor tilldelad")).toBeInTheDocument();
    const header = screen.getByRole("region", { name: "Uppgifter om deltagaren" });
    expect(within(header).getByText("Remittent").closest("div")!.querySelector("dd")).toHaveTextContent("Inte registrerat");
  });

  it("a participant out of scope (404) says Hittades inte and does not sign out", async () => {
    mockApi({ "GET /api/v1/participants/42": { status: 404, body: { error: "NotFound", detail: "Finns inte." } } });
    renderScreen(<ParticipantPage />, { route: "/deltagare/42", path: "/deltagare/:participantId" });
    expect(await screen.findByRole("heading", { level: 1, name: "Hittades inte" })).toBeInTheDocument();
    expect(screen.queryByText("sign-in page")).not.toBeInTheDocument();
  });

  it("403 says not permitted without signing out", async () => {
    mockApi({ "GET /api/v1/participants/42": { status: 403, body: { error: "Forbidden", detail: "Nej." } } });
    renderScreen(<ParticipantPage />, { route: "/deltagare/42", path: "/deltagare/:participantId" });
    expect(await screen.findByRole("heading", { level: 1, name: "Inte behörig" })).toBeInTheDocument();
    expect(screen.queryByText("sign-in page")).not.toBeInTheDocument();
  });

  it("offers only the actions of the current state", async () => {
    setUp(enrolment({ state: "paused" }));
    expect(await screen.findByRole("button", { name: "Återuppta" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Avsluta" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Gå upp/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Pausa" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Starta/ })).not.toBeInTheDocument();
  });

  it("an exited enrolment offers nothing and says why", async () => {
    setUp(
      enrolment({
        state: "exited",
        ended_on: "2026-04-01",
        exit_reason_code: "5",
        exit_status_code: "7",
        history: [transition(1, "refer", "2026-01-05"), transition(2, "exit", "2026-04-01", { exit_reason_code: "5", exit_status_code: "7", state_after: "exited" })],
      }),
    );
    expect(await screen.findByText(/Inget mer kan registreras utom uppföljning/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Avsluta" })).not.toBeInTheDocument();
    expect((await screen.findAllByText(/Avslutsorsak: Annat \(5\)/)).length).toBeGreaterThan(0);
  });

  it("advancing sends the version in If-Match and shows the new level afterwards", async () => {
    const { calls, state } = setUp(enrolment(), {
      "POST /api/v1/enrolments/7/advance": () => {
        state.enrolment = enrolment({ step: 3, highest_step: 3, version: 8 });
        return { body: state.enrolment };
      },
    });
    const { user, dialog } = await openAction("Gå upp till Level 3");
    expect(within(dialog).getByRole("heading", { name: "Gå upp till Level 3" })).toBeInTheDocument();
    // No outcome asked for Level 3.
    expect(within(dialog).queryByRole("group", { name: /Utfall/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    await waitFor(() => expect(posts(calls)).toHaveLength(1));
    const post = posts(calls)[0]!;
    expect(post.path).toBe("/api/v1/enrolments/7/advance");
    expect(post.headers.get("if-match")).toBe('"7"');
    expect(post.body).toEqual({ effective_on: todayIso() });
    expect(await screen.findByRole("status")).toHaveTextContent(/gått upp till Level 3/);
    await waitFor(() => expect(screen.getByText("förberedelse").closest("li")).toHaveAttribute("aria-current", "step"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("412 shows a conflict with a reload button; reloading shows the new state and sends nothing more", async () => {
    const { calls, state } = setUp(enrolment(), {
      "POST /api/v1/enrolments/7/pause": () => {
        // Someone else paused it meanwhile.
        state.enrolment = enrolment({ state: "paused", version: 9 });
        return { status: 412, body: { error: "PreconditionFailed", detail: "If-Match stämmer inte." } };
      },
    });
    const { user, dialog } = await openAction("Pausa");
    await user.selectOptions(within(dialog).getByLabelText(/Anledning till pausen/), "sick_leave");
    await user.click(within(dialog).getByRole("button", { name: "Pausa" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Någon annan har ändrat inskrivningen");
    expect(alert).toHaveTextContent("ingenting har skrivits över");
    // The form cannot be sent again on the stale version.
    expect(within(dialog).getByRole("button", { name: "Pausa" })).toBeDisabled();
    await user.click(within(alert).getByRole("button", { name: "Läs in på nytt" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByRole("button", { name: "Återuppta" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(/inläst på nytt/);
    expect(posts(calls)).toHaveLength(1);
    expect(calls.filter((c) => c.method === "GET" && c.path === "/api/v1/enrolments/7").length).toBeGreaterThanOrEqual(2);
  });

  it("a 409 caused by a concurrent write is a conflict too", async () => {
    setUp(enrolment({ state: "paused" }), {
      "POST /api/v1/enrolments/7/resume": { status: 409, body: { error: "Conflict", detail: "Samtidig ändring." } },
    });
    const { user, dialog } = await openAction("Återuppta");
    await user.click(within(dialog).getByRole("button", { name: "Återuppta" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Någon annan har ändrat inskrivningen");
    expect(within(alert).getByRole("button", { name: "Läs in på nytt" })).toBeInTheDocument();
  });

  it("a refused action (409 InvalidTransition) is explained with the server's words", async () => {
    setUp(enrolment(), {
      "POST /api/v1/enrolments/7/advance": {
        status: 409,
        body: { error: "InvalidTransition", detail: "Det går inte att gå upp en nivå när inskrivningen är pausad." },
      },
    });
    const { user, dialog } = await openAction("Gå upp till Level 3");
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Det gick inte att registrera");
    expect(alert).toHaveTextContent("Det går inte att gå upp en nivå när inskrivningen är pausad.");
    expect(within(alert).queryByRole("button", { name: "Läs in på nytt" })).not.toBeInTheDocument();
  });

  it("422 field problems are tied to their controls", async () => {
    setUp(enrolment(), {
      "POST /api/v1/enrolments/7/step-back": {
        status: 422,
        body: {
          error: "InvalidEffectiveDate",
          detail: "Datumet ligger före föregående händelse (2026-03-01).",
          fields: { effective_on: "före föregående händelse", "body.reason": "för lång" },
        },
      },
    });
    const { user, dialog } = await openAction("Gå ned till Level 1");
    await user.type(within(dialog).getByLabelText(/Anledning till att gå ned/), "Arbetet upphörde");
    await user.click(within(dialog).getByRole("button", { name: "Gå ned" }));
    const date = within(dialog).getByLabelText(/Datum då det skedde/);
    await waitFor(() => expect(date).toHaveAttribute("aria-invalid", "true"));
    expect(date).toHaveAccessibleDescription(expect.stringContaining("före föregående händelse"));
    const reason = within(dialog).getByLabelText(/Anledning till att gå ned/);
    expect(reason).toHaveAttribute("aria-invalid", "true");
    expect(reason).toHaveAccessibleDescription(expect.stringContaining("för lång"));
    const summary = within(dialog).getAllByRole("alert")[0]!;
    expect(summary).toHaveTextContent("Datumet ligger före föregående händelse (2026-03-01).");
  });

  it("stepping back needs a reason before anything is sent; a future date is refused", async () => {
    const { calls } = setUp(enrolment());
    const { user, dialog } = await openAction("Gå ned till Level 1");
    fireEvent.change(within(dialog).getByLabelText(/Datum då det skedde/), { target: { value: "2999-01-01" } });
    await user.click(within(dialog).getByRole("button", { name: "Gå ned" }));
    expect(within(dialog).getByLabelText(/Anledning till att gå ned/)).toHaveAccessibleDescription(
      expect.stringContaining("Ange en anledning."),
    );
    expect(within(dialog).getByLabelText(/Datum då det skedde/)).toHaveAccessibleDescription(
      expect.stringContaining("ligger i framtiden"),
    );
    expect(within(dialog).getAllByRole("alert")[0]).toHaveTextContent("Formuläret har 2 fel");
    expect(posts(calls)).toHaveLength(0);
  });

  it("advancing into Level 4 asks for the outcome and checks it before sending", async () => {
    const { calls, state } = setUp(enrolment({ step: 3, highest_step: 3 }), {
      "POST /api/v1/enrolments/7/advance": () => {
        state.enrolment = enrolment({ step: 4, highest_step: 4, version: 8 });
        return { body: state.enrolment };
      },
    });
    const { user, dialog } = await openAction("Gå upp till Level 4");
    const outcome = within(dialog).getByRole("group", { name: "Utfall på Level 4" });
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    expect(within(outcome).getByLabelText(/Arbete eller studier/)).toHaveAccessibleDescription("Välj arbete eller studier.");
    expect(within(outcome).getByLabelText(/Startdatum/)).toHaveAttribute("aria-invalid", "true");

    await user.selectOptions(within(outcome).getByLabelText(/Arbete eller studier/), "work");
    fireEvent.change(within(outcome).getByLabelText(/Startdatum/), { target: { value: "2026-01-10" } });
    await user.type(within(outcome).getByLabelText(/Omfattning/), "150");
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    expect(within(outcome).getByLabelText(/Startdatum/)).toHaveAccessibleDescription(expect.stringContaining("före inskrivningens start"));
    expect(within(outcome).getByLabelText(/Anställning med stöd/)).toHaveAccessibleDescription("Ange om anställningen är subventionerad.");
    expect(within(outcome).getByLabelText(/Omfattning/)).toHaveAccessibleDescription(expect.stringContaining("mellan 1 och 100"));
    expect(posts(calls)).toHaveLength(0);

    fireEvent.change(within(outcome).getByLabelText(/Startdatum/), { target: { value: "2026-04-01" } });
    await user.selectOptions(within(outcome).getByLabelText(/Anställning med stöd/), "yes");
    await user.clear(within(outcome).getByLabelText(/Omfattning/));
    await user.type(within(outcome).getByLabelText(/Omfattning/), "50");
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    await waitFor(() => expect(posts(calls)).toHaveLength(1));
    expect(posts(calls)[0]!.body).toEqual({
      effective_on: todayIso(),
      outcome: { kind: "work", starts_on: "2026-04-01", subsidised: true, extent_percent: 50 },
    });
  });

  it("studies ask for the kind of studies and never send work's answers", async () => {
    const { calls } = setUp(enrolment({ step: 3, highest_step: 3 }), {
      "POST /api/v1/enrolments/7/advance": { body: enrolment({ step: 4, version: 8 }) },
    });
    const { user, dialog } = await openAction("Gå upp till Level 4");
    await user.selectOptions(within(dialog).getByLabelText(/Arbete eller studier/), "studies");
    expect(within(dialog).queryByLabelText(/Omfattning/)).not.toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText(/Startdatum/), { target: { value: "2026-04-01" } });
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    expect(within(dialog).getByLabelText(/Studieform/)).toHaveAccessibleDescription("Välj studieform.");
    await user.selectOptions(within(dialog).getByLabelText(/Studieform/), "folkhogskola");
    await user.click(within(dialog).getByRole("button", { name: "Gå upp" }));
    await waitFor(() => expect(posts(calls)).toHaveLength(1));
    expect(posts(calls)[0]!.body).toEqual({
      effective_on: todayIso(),
      outcome: { kind: "studies", starts_on: "2026-04-01", studies_kind: "folkhogskola" },
    });
  });

  it("exit offers the code lists valid on the date and sends the chosen codes", async () => {
    const { calls } = setUp(enrolment(), {
      "POST /api/v1/enrolments/7/exit": { body: enrolment({ state: "exited", version: 8, ended_on: todayIso() }) },
    });
    const { user, dialog } = await openAction("Avsluta");
    const reason = await within(dialog).findByLabelText(/Avslutsorsak/);
    expect(within(reason).queryByRole("option", { name: "Gammal kod" })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Avsluta inskrivningen" }));
    expect(reason).toHaveAccessibleDescription("Välj en avslutsorsak.");
    await user.selectOptions(reason, "5");
    await user.selectOptions(within(dialog).getByLabelText(/Status vid avslut/), "7");
    await user.click(within(dialog).getByRole("button", { name: "Avsluta inskrivningen" }));
    await waitFor(() => expect(posts(calls)).toHaveLength(1));
    expect(posts(calls)[0]!.body).toEqual({ effective_on: todayIso(), exit_reason_code: "5", exit_status_code: "7" });
    expect(posts(calls)[0]!.headers.get("if-match")).toBe('"7"');
  });

  it("cancel closes the dialog and returns focus to its button", async () => {
    setUp(enrolment());
    const { user, dialog } = await openAction("Pausa");
    await user.click(within(dialog).getByRole("button", { name: "Avbryt" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Pausa" })).toHaveFocus();
  });

  it("reveal asks for a reason, then shows the full number until hidden", async () => {
    const { calls } = setUp(enrolment(), {
      "POST /api/v1/participants/42/reveal-personnummer": { body: { personnummer: "20040101-9880" } },
    });
    const { user, dialog } = await openAction(/Visa hela personnumret \(visningen loggas\)/);
    expect(dialog).toHaveTextContent(/loggas/);
    await user.click(within(dialog).getByRole("button", { name: "Visa personnumret" }));
    expect(within(dialog).getByLabelText(/Anledning/)).toHaveAccessibleDescription(expect.stringContaining("Ange varför"));
    expect(posts(calls)).toHaveLength(0);
    await user.type(within(dialog).getByLabelText(/Anledning/), "Kontakt med FK");
    await user.click(within(dialog).getByRole("button", { name: "Visa personnumret" }));
    expect(await screen.findByText("20040101-9880")).toBeInTheDocument();
    expect(posts(calls)[0]!.body).toEqual({ reason: "Kontakt med FK" });
    expect(screen.queryByText("20040101-****")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Dölj personnumret" }));
    expect(screen.getByText("20040101-****")).toBeInTheDocument();
    expect(screen.queryByText("20040101-9880")).not.toBeInTheDocument();
  });

  it("with several enrolments the open one shows first and another can be picked", async () => {
    const older = enrolment({ id: 3, state: "exited", step: 2, ended_on: "2025-06-01", referred_on: "2025-01-01", version: 2, history: [transition(1, "refer", "2025-01-01")] });
    mockApi({
      "GET /api/v1/participants/42": {
        body: {
          ...PARTICIPANT,
          enrolments: [
            { id: 3, programme_code: "level_up", state: "exited", step: 2, referred_on: "2025-01-01", started_on: "2025-01-10", ended_on: "2025-06-01", mentor_id: 1 },
            ...PARTICIPANT.enrolments,
          ],
        },
      },
      "GET /api/v1/enrolments/7": { body: enrolment() },
      "GET /api/v1/enrolments/3": { body: older },
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/code-lists/exit_reason": { body: EXIT_REASONS },
      "GET /api/v1/code-lists/exit_status": { body: EXIT_STATUSES },
    });
    renderScreen(<ParticipantPage />, { route: "/deltagare/42", path: "/deltagare/:participantId" });
    const picker = await screen.findByLabelText(/^Inskrivning/);
    await waitFor(() => expect(screen.getByTestId("tabs")).toHaveTextContent("tabs:7:active"));
    await userEvent.setup().selectOptions(picker, "3");
    await waitFor(() => expect(screen.getByTestId("tabs")).toHaveTextContent("tabs:3:exited"));
    expect(window.location.search).toBe("");
  });
});
