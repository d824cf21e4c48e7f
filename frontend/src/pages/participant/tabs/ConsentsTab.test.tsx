import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../api/client";
import { todayIso } from "../../../lib/dates";
import { type Handler, mockApi, renderScreen } from "../../../test/render";
import { ConsentsTab } from "./ConsentsTab";
import { ENROLMENT, meWithout, PARTICIPANT } from "./testData";

vi.setConfig({ testTimeout: 20_000 });

const PURPOSES: Schemas["ConsentPurposeState"][] = [
  { purpose: "referrer_information_exchange", label_sv: "Informationsutbyte med remittenten", label_en: "Information exchange with the referrer", held: true, given_on: "2026-01-10", withdrawn_on: null },
  { purpose: "sus_registration", label_sv: "Registrering i SUS", label_en: "Registration in SUS", held: false, given_on: "2026-01-10", withdrawn_on: "2026-02-01" },
  { purpose: "evaluation", label_sv: "Utvärdering", label_en: "Evaluation", held: false, given_on: null, withdrawn_on: null },
  { purpose: "follow_up_contact", label_sv: "Uppföljande kontakt efter avslut", label_en: "Follow-up contact after exit", held: false, given_on: null, withdrawn_on: null },
];

const ENTRIES: Schemas["ConsentEntryRead"][] = [
  { id: 1, purpose: "referrer_information_exchange", action: "given", effective_on: "2026-01-10", form_reference: "Blankett 2026-01", recorded_at: "2026-01-10T09:00:00Z", recorded_by_user_id: 1 },
  { id: 2, purpose: "sus_registration", action: "given", effective_on: "2026-01-10", form_reference: "Blankett 2026-01", recorded_at: "2026-01-10T09:01:00Z", recorded_by_user_id: 1 },
  { id: 3, purpose: "sus_registration", action: "withdrawn", effective_on: "2026-02-01", form_reference: null, recorded_at: "2026-02-01T09:00:00Z", recorded_by_user_id: 1 },
];

function setup(extra: Record<string, Handler> = {}) {
  const calls = mockApi({
    "GET /api/v1/participants/7/consents": { body: { participant_id: 7, purposes: PURPOSES, entries: ENTRIES } },
    ...extra,
  });
  renderScreen(<ConsentsTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
  return calls;
}

describe("ConsentsTab", () => {
  it("shows each purpose, whether it holds, what it means and what withdrawing does, and the ledger", async () => {
    setup();
    const sus = (await screen.findByRole("heading", { name: "Registrering i SUS" })).closest("li")!;
    expect(within(sus).getByText("Gäller inte")).toBeVisible();
    expect(within(sus).getByText("Lämnat 2026-01-10, återkallat 2026-02-01.")).toBeVisible();
    expect(within(sus).getByText(/tas deltagaren inte med i nya registreringar till SUS/)).toBeVisible();
    const referrer = screen.getByRole("heading", { name: "Informationsutbyte med remittenten" }).closest("li")!;
    expect(within(referrer).getByText("Gäller")).toBeVisible();
    expect(within(referrer).getByText("Lämnat 2026-01-10.")).toBeVisible();
    const evaluation = screen.getByRole("heading", { name: "Utvärdering" }).closest("li")!;
    expect(within(evaluation).getByText("Inget samtycke har lämnats.")).toBeVisible();

    const ledger = screen.getByRole("table", { name: /Alla lämnade och återkallade samtycken/ });
    const rows = within(ledger).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toHaveTextContent("2026-02-01Registrering i SUSSamtycke återkallat");
  });

  it("withdrawing consent that was never given: the server's 409 is explained next to the choice", async () => {
    const calls = setup({
      "POST /api/v1/participants/7/consents": {
        status: 409,
        body: {
          error: "InvalidTransition",
          detail: "Det finns inget gällande samtycke att återkalla för detta ändamål.",
          fields: { action: "inget samtycke att återkalla" },
        },
      },
    });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole("combobox", { name: /Ändamål/ }), "evaluation");
    await user.click(screen.getByRole("radio", { name: "Samtycke återkallat" }));
    await user.click(screen.getByRole("button", { name: "Spara" }));

    expect(await screen.findByText("Det finns inget gällande samtycke att återkalla för detta ändamål.")).toBeVisible();
    expect(screen.getByRole("group", { name: /Händelse/ })).toHaveAccessibleDescription("inget samtycke att återkalla");
    expect(screen.getByText("Formuläret har ett fel")).toBeVisible();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      purpose: "evaluation",
      action: "withdrawn",
      effective_on: todayIso(),
      form_reference: null,
    });
  });

  it("giving consent needs the form reference; then it is sent and the ledger read again", async () => {
    const calls = setup({
      "POST /api/v1/participants/7/consents": {
        status: 201,
        body: { ...ENTRIES[0], id: 4, purpose: "follow_up_contact" },
      },
    });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole("combobox", { name: /Ändamål/ }), "follow_up_contact");
    await user.click(screen.getByRole("radio", { name: "Samtycke lämnat" }));
    await user.click(screen.getByRole("button", { name: "Spara" }));
    const reference = screen.getByRole("textbox", { name: /Blankett/ });
    expect(reference).toHaveAttribute("aria-invalid", "true");
    expect(reference).toHaveAccessibleDescription(/Ange vilken blankett samtycket lämnades på\./);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.type(reference, "Samtyckesblankett 2026-03");
    await user.click(screen.getByRole("button", { name: "Spara" }));
    expect(await screen.findByText("Samtycket ”Uppföljande kontakt efter avslut” är registrerat som lämnat.")).toBeVisible();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      purpose: "follow_up_contact",
      action: "given",
      effective_on: todayIso(),
      form_reference: "Samtyckesblankett 2026-03",
    });
    expect(calls.filter((c) => c.method === "GET" && c.path === "/api/v1/participants/7/consents").length).toBeGreaterThan(1);
  });

  it("shows no form without consent:record, and 'Inte behörig' on a 403", async () => {
    mockApi({
      "GET /api/v1/me": { body: meWithout("consent:record") },
      "GET /api/v1/participants/7/consents": { body: { participant_id: 7, purposes: PURPOSES, entries: [] } },
    });
    const { unmount } = renderScreen(<ConsentsTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    await screen.findByRole("heading", { name: "Utvärdering" });
    expect(screen.queryByRole("button", { name: "Spara" })).toBeNull();
    unmount();

    setup({ "GET /api/v1/participants/7/consents": { status: 403, body: { error: "Forbidden", detail: "x" } } });
    expect(await screen.findByText("Inte behörig")).toBeVisible();
  });
});
