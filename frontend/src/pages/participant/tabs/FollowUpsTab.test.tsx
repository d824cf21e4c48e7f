import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../api/client";
import { todayIso } from "../../../lib/dates";
import { type Handler, mockApi, renderScreen } from "../../../test/render";
import { FollowUpsTab } from "./FollowUpsTab";
import { CODE_LIST_BENEFIT, ENROLMENT, meWithout, PARTICIPANT } from "./testData";

vi.setConfig({ testTimeout: 20_000 });

const SUPPORT_END: Schemas["FollowUpRead"] = {
  id: 1,
  kind: "support_period_end",
  label_sv: "Uppföljning när stödperioden slutar",
  label_en: "Follow-up at the end of the support period",
  trigger_on: "2026-01-12",
  due_on: "2026-04-12",
  status: "due",
  requires_contact_consent: false,
  result: null,
};

const AFTER_EXIT: Schemas["FollowUpRead"] = {
  id: 2,
  kind: "after_exit_90_days",
  label_sv: "Uppföljning 90 dagar efter avslut",
  label_en: "Follow-up 90 days after exit",
  trigger_on: "2026-02-01",
  due_on: "2026-05-02",
  status: "not_permitted",
  requires_contact_consent: true,
  result: null,
};

function setup(items: Schemas["FollowUpRead"][], extra: Record<string, Handler> = {}) {
  const calls = mockApi({
    "GET /api/v1/enrolments/42/follow-ups": { body: { enrolment_id: 42, items } },
    "GET /api/v1/code-lists/benefit": { body: CODE_LIST_BENEFIT },
    ...extra,
  });
  renderScreen(<FollowUpsTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
  return calls;
}

describe("FollowUpsTab", () => {
  it("lists follow-ups with status in words and explains why one is not permitted", async () => {
    setup([SUPPORT_END, AFTER_EXIT]);
    const table = await screen.findByRole("table", { name: /Uppföljningar med datum/ });
    const row = within(table).getByRole("row", { name: /90 dagar efter avslut/ });
    expect(within(row).getByText("Inte tillåten – samtycke saknas")).toBeVisible();
    // No record button where contact is not permitted; one where the follow-up is due.
    expect(within(row).queryByRole("button")).toBeNull();
    expect(screen.getByRole("button", { name: "Registrera resultat: Uppföljning när stödperioden slutar" })).toBeVisible();
    expect(screen.getByText("Uppföljning 90 dagar efter avslut: samtycke saknas")).toBeVisible();
    expect(screen.getByText(/får bara göras om deltagaren har samtyckt till att bli kontaktad/)).toBeVisible();
  });

  it("validates the result form and ties each message to its field", async () => {
    const calls = setup([SUPPORT_END], {
      "POST /api/v1/enrolments/42/follow-ups": { status: 201, body: { ...SUPPORT_END, status: "done" } },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Registrera resultat/ }));
    expect(screen.getByRole("heading", { name: "Registrera resultat: Uppföljning när stödperioden slutar" })).toHaveFocus();

    const attempts = screen.getByRole("spinbutton", { name: /Antal kontaktförsök/ });
    await user.clear(attempts);
    await user.type(attempts, "0");
    await user.click(screen.getByRole("button", { name: "Spara resultatet" }));
    expect(screen.getByText("Formuläret har 2 fel").closest("[role=alert]")).not.toBeNull();
    expect(attempts).toHaveAccessibleDescription(/Ange antal försök som ett heltal från 1 till 20\./);
    expect(screen.getByRole("group", { name: /Nåddes personen/ })).toHaveAccessibleDescription("Ange om personen nåddes.");

    // Reached and working: situation, extent and self-support become required.
    await user.click(screen.getByRole("radio", { name: "Ja, kontakt nåddes" }));
    await user.clear(attempts);
    await user.type(attempts, "2");
    await user.selectOptions(screen.getByRole("combobox", { name: /Nuvarande situation/ }), "work");
    await user.click(screen.getByRole("button", { name: "Spara resultatet" }));
    expect(screen.getByRole("spinbutton", { name: /Sysselsättningsgrad/ })).toHaveAccessibleDescription(
      /Ange sysselsättningsgraden som ett heltal från 1 till 100\./,
    );
    expect(screen.getByRole("group", { name: /självförsörjande/ })).toHaveAccessibleDescription(/Ange om personen är självförsörjande\./);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.type(screen.getByRole("spinbutton", { name: /Sysselsättningsgrad/ }), "75");
    await user.click(screen.getByRole("radio", { name: "Nej" }));
    await user.selectOptions(screen.getByRole("combobox", { name: /Nuvarande ersättning/ }), "sickness");
    await user.type(screen.getByRole("textbox", { name: /Anteckning/ }), "Deltid på lager");
    await user.click(screen.getByRole("button", { name: "Spara resultatet" }));
    expect(await screen.findByText("Resultatet för Uppföljning när stödperioden slutar är registrerat.")).toBeVisible();
    expect(calls.find((c) => c.method === "POST")).toMatchObject({
      path: "/api/v1/enrolments/42/follow-ups",
      body: {
        kind: "support_period_end",
        contacted_on: todayIso(),
        contact_reached: true,
        attempts: 2,
        final_non_response: false,
        status_group: "work",
        employment_extent_percent: 75,
        self_supporting: false,
        current_benefit: "sickness",
        note: "Deltid på lager",
      },
    });
  });

  it("sends only attempts and final non-response when the person was not reached", async () => {
    const calls = setup([SUPPORT_END], {
      "POST /api/v1/enrolments/42/follow-ups": { status: 201, body: { ...SUPPORT_END, status: "done" } },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Registrera resultat/ }));
    await user.click(screen.getByRole("radio", { name: "Nej, personen gick inte att nå" }));
    await user.click(screen.getByRole("checkbox", { name: "Slutligt bortfall" }));
    await user.click(screen.getByRole("button", { name: "Spara resultatet" }));
    await screen.findByText(/är registrerat/);
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      kind: "support_period_end",
      contacted_on: todayIso(),
      attempts: 1,
      contact_reached: false,
      final_non_response: true,
    });
  });

  it("explains the server's refusal (consent missing on the contact date)", async () => {
    setup([{ ...SUPPORT_END, kind: "after_exit_90_days", status: "due", requires_contact_consent: true }], {
      "POST /api/v1/enrolments/42/follow-ups": {
        status: 409,
        body: {
          error: "InvalidTransition",
          detail: "Samtycke till uppföljningskontakt saknas för kontaktdagen.",
          fields: { contacted_on: "samtycke till uppföljningskontakt saknas" },
        },
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /Registrera resultat/ }));
    await user.click(screen.getByRole("radio", { name: "Nej, personen gick inte att nå" }));
    await user.click(screen.getByRole("button", { name: "Spara resultatet" }));
    expect(await screen.findByText("Samtycke till uppföljningskontakt saknas för kontaktdagen.")).toBeVisible();
    expect(screen.getByLabelText(/Datum för kontakten/)).toHaveAccessibleDescription(/samtycke till uppföljningskontakt saknas/);
  });

  it("shows recorded results in words and no record button without follow_up:record", async () => {
    mockApi({
      "GET /api/v1/me": { body: meWithout("follow_up:record") },
      "GET /api/v1/enrolments/42/follow-ups": {
        body: {
          enrolment_id: 42,
          items: [
            {
              ...SUPPORT_END,
              status: "done",
              result: {
                contacted_on: "2026-04-10",
                contact_reached: true,
                attempts: 1,
                final_non_response: false,
                status_group: "studies",
                employment_extent_percent: null,
                self_supporting: true,
                current_benefit: null,
                note: null,
                recorded_at: "2026-04-10T10:00:00Z",
                recorded_by_user_id: 1,
              },
            },
          ],
        },
      },
      "GET /api/v1/code-lists/benefit": { body: CODE_LIST_BENEFIT },
    });
    renderScreen(<FollowUpsTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    expect(await screen.findByText(/Nådd 2026-04-10: Studier\./)).toBeVisible();
    expect(screen.getByText("Registrerad")).toBeVisible();
    expect(screen.queryByRole("button", { name: /Registrera resultat/ })).toBeNull();
  });
});
