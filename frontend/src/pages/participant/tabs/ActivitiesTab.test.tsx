import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { type Handler, mockApi, renderScreen } from "../../../test/render";
import { todayIso } from "../../../lib/dates";
import { ActivitiesTab, hoursRange } from "./ActivitiesTab";
import { CODE_LIST_ACTIVITY, ENROLMENT, meWithout, PARTICIPANT } from "./testData";

vi.setConfig({ testTimeout: 20_000 });

const HOURS = {
  enrolment_id: 42,
  half_time_hours_per_week: 20,
  weeks: [
    { week_start: "2026-02-23", iso_year: 2026, iso_week: 9, hours: 21.5, meets_half_time: true },
    { week_start: "2026-03-02", iso_year: 2026, iso_week: 10, hours: 6, meets_half_time: false },
  ],
};

function setup(extra: Record<string, Handler> = {}) {
  return mockApi({
    "GET /api/v1/code-lists/activity_type": { body: CODE_LIST_ACTIVITY },
    "GET /api/v1/enrolments/42/activities": {
      body: {
        enrolment_id: 42,
        items: [
          { id: 1, activity_type: "group_session", occurred_on: "2026-03-03", duration_minutes: 90, provider: "Studieförbundet", note: null, recorded_at: "2026-03-03T12:00:00Z", recorded_by_user_id: 1 },
        ],
      },
    },
    "GET /api/v1/enrolments/42/activity-hours": { body: HOURS },
    ...extra,
  });
}

describe("ActivitiesTab", () => {
  it("shows the contact log and the hours per week against half time in words", async () => {
    setup();
    renderScreen(<ActivitiesTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    const log = await screen.findByRole("table", { name: "Registrerade aktiviteter, senaste först" });
    expect(within(log).getByRole("row", { name: /Gruppträff/ })).toHaveTextContent("2026-03-03Gruppträff1 tim 30 minStudieförbundet");
    const hours = await screen.findByRole("table", { name: /Timmar per vecka jämfört med halvtid/ });
    expect(within(hours).getByRole("row", { name: /v\. 9 2026/ })).toHaveTextContent("21,5Halvtid nådd");
    expect(within(hours).getByRole("row", { name: /v\. 10 2026/ })).toHaveTextContent("614 timmar kvar till halvtid");
    expect(screen.getByText("Målet är halvtid, 20 timmar i veckan. Målet nåddes 1 av 2 veckor.")).toBeVisible();
  });

  it("records an activity with the code, date, minutes, provider and note", async () => {
    const calls = setup({
      "POST /api/v1/enrolments/42/activities": {
        status: 201,
        body: { id: 2, activity_type: "motivational_talk", occurred_on: todayIso(), duration_minutes: 45, provider: null, note: "Bra samtal", recorded_at: "2026-03-03T12:00:00Z", recorded_by_user_id: 1 },
      },
    });
    const user = userEvent.setup();
    renderScreen(<ActivitiesTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    await user.click(await screen.findByRole("button", { name: "Spara aktiviteten" }));
    expect(screen.getByRole("combobox", { name: /Typ av aktivitet/ })).toHaveAccessibleDescription("Välj typ av aktivitet.");
    expect(screen.getByRole("spinbutton", { name: /Tid i minuter/ })).toHaveAccessibleDescription(/Ange tiden som ett heltal från 1 till 720 minuter\./);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.selectOptions(screen.getByRole("combobox", { name: /Typ av aktivitet/ }), "motivational_talk");
    await user.type(screen.getByRole("spinbutton", { name: /Tid i minuter/ }), "45");
    await user.type(screen.getByRole("textbox", { name: /Anteckning/ }), "Bra samtal");
    await user.click(screen.getByRole("button", { name: "Spara aktiviteten" }));
    expect(await screen.findByText(/Aktiviteten \(Motiverande samtal, .*\) är sparad\./)).toBeVisible();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      activity_type: "motivational_talk",
      occurred_on: todayIso(),
      duration_minutes: 45,
      provider: null,
      note: "Bra samtal",
    });
  });

  it("asks for the hours of the last 12 weeks, never before the referral nor after the exit", async () => {
    expect(hoursRange({ ...ENROLMENT, referred_on: "2026-01-10" }, "2026-03-02")).toEqual({ from: "2026-01-10", to: "2026-03-02" });
    expect(hoursRange({ ...ENROLMENT, referred_on: "2025-01-10" }, "2026-03-02")).toEqual({ from: "2025-12-15", to: "2026-03-02" });
    expect(
      hoursRange({ ...ENROLMENT, referred_on: "2025-01-10", state: "exited", ended_on: "2025-06-30" }, "2026-03-02"),
    ).toEqual({ from: "2025-04-14", to: "2025-06-30" });

    const calls = setup();
    renderScreen(<ActivitiesTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    await screen.findByRole("table", { name: /Timmar per vecka/ });
    const call = calls.find((c) => c.path === "/api/v1/enrolments/42/activity-hours")!;
    const range = hoursRange(ENROLMENT);
    expect(new URLSearchParams(call.search).get("from")).toBe(range.from);
    expect(new URLSearchParams(call.search).get("to")).toBe(range.to);
  });

  it("shows no form without activity:record", async () => {
    mockApi({
      "GET /api/v1/me": { body: meWithout("activity:record") },
      "GET /api/v1/code-lists/activity_type": { body: CODE_LIST_ACTIVITY },
      "GET /api/v1/enrolments/42/activities": { body: { enrolment_id: 42, items: [] } },
      "GET /api/v1/enrolments/42/activity-hours": { body: HOURS },
    });
    renderScreen(<ActivitiesTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    expect(await screen.findByText("Inga aktiviteter är registrerade ännu.")).toBeVisible();
    expect(screen.queryByRole("button", { name: "Spara aktiviteten" })).toBeNull();
  });
});
