import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderScreen } from "../../../test/render";
import { ParticipantTabs } from "./ParticipantTabs";
import { CHANGE, CODE_LIST_ACTIVITY, CODE_LIST_BENEFIT, ENROLMENT, occasions, PARTICIPANT, QUESTIONNAIRE } from "./testData";

function mockAll() {
  return mockApi({
    "GET /api/v1/questionnaires/current": { body: QUESTIONNAIRE },
    "GET /api/v1/enrolments/42/assessments": { body: { enrolment_id: 42, occasions: occasions(), submissions: [] } },
    "GET /api/v1/enrolments/42/assessments/change": { body: { ...CHANGE, readings: [], items: [] } },
    "GET /api/v1/enrolments/42/follow-ups": { body: { enrolment_id: 42, items: [] } },
    "GET /api/v1/enrolments/42/activities": { body: { enrolment_id: 42, items: [] } },
    "GET /api/v1/enrolments/42/activity-hours": { body: { enrolment_id: 42, half_time_hours_per_week: 20, weeks: [] } },
    "GET /api/v1/enrolments/42/plan": { body: { enrolment_id: 42, revision: 0, goals: [], note: null, saved_at: null, saved_by_user_id: null } },
    "GET /api/v1/participants/7/resource-group": { body: { participant_id: 7, items: [] } },
    "GET /api/v1/participants/7/consents": { body: { participant_id: 7, purposes: [], entries: [] } },
    "GET /api/v1/code-lists/benefit": { body: CODE_LIST_BENEFIT },
    "GET /api/v1/code-lists/activity_type": { body: CODE_LIST_ACTIVITY },
  });
}

const NAMES = ["Självskattning", "Uppföljningar", "Aktiviteter", "Plan och resursgrupp", "Samtycken"];

describe("ParticipantTabs", () => {
  it("follows the ARIA tabs pattern: one tab stop, arrow keys, Home and End", async () => {
    mockAll();
    const user = userEvent.setup();
    renderScreen(<ParticipantTabs participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);

    const tablist = screen.getByRole("tablist", { name: "Deltagarens insats" });
    const tabs = within(tablist).getAllByRole("tab");
    expect(tabs.map((tab) => tab.textContent)).toEqual(NAMES);
    const tab = (name: string) => within(tablist).getByRole("tab", { name });

    // Only the selected tab is in the tab order, and it controls the visible panel.
    expect(tab("Självskattning")).toHaveAttribute("aria-selected", "true");
    expect(tabs.filter((t) => t.tabIndex === 0)).toEqual([tab("Självskattning")]);
    const panel = screen.getByRole("tabpanel", { name: "Självskattning" });
    expect(tab("Självskattning")).toHaveAttribute("aria-controls", panel.id);

    await user.tab();
    expect(tab("Självskattning")).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(tab("Uppföljningar")).toHaveFocus();
    expect(tab("Uppföljningar")).toHaveAttribute("aria-selected", "true");
    expect(tab("Självskattning")).toHaveAttribute("aria-selected", "false");
    expect(tab("Självskattning").tabIndex).toBe(-1);
    expect(await screen.findByRole("tabpanel", { name: "Uppföljningar" })).toBeVisible();

    await user.keyboard("{End}");
    expect(tab("Samtycken")).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(tab("Självskattning")).toHaveFocus();
    await user.keyboard("{ArrowLeft}");
    expect(tab("Samtycken")).toHaveFocus();
    await user.keyboard("{Home}");
    expect(tab("Självskattning")).toHaveFocus();
    expect(tab("Självskattning")).toHaveAttribute("aria-selected", "true");

    // Tab from the tab list goes to the panel, not to the next tab.
    await user.tab();
    expect(screen.getByRole("tabpanel", { name: "Självskattning" })).toHaveFocus();
  });

  it("a click selects a tab and shows only its panel", async () => {
    mockAll();
    const user = userEvent.setup();
    renderScreen(<ParticipantTabs participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    await user.click(screen.getByRole("tab", { name: "Samtycken" }));
    expect(screen.getByRole("tabpanel", { name: "Samtycken" })).toBeVisible();
    expect(screen.queryByRole("tabpanel", { name: "Självskattning" })).toBeNull(); // hidden
    expect(await screen.findByRole("heading", { name: "Samtycken per ändamål" })).toBeVisible();
  });

  it("without an enrolment, the enrolment-bound tabs say so in words", async () => {
    const calls = mockAll();
    const user = userEvent.setup();
    renderScreen(<ParticipantTabs participant={PARTICIPANT} enrolment={null} programme={null} />);
    expect(screen.getByText(/Deltagaren har ingen inskrivning ännu/)).toBeVisible();
    await user.click(screen.getByRole("tab", { name: "Aktiviteter" }));
    expect(screen.getByText(/Deltagaren har ingen inskrivning ännu/)).toBeVisible();
    await user.click(screen.getByRole("tab", { name: "Plan och resursgrupp" }));
    expect(screen.getByText(/Deltagaren har ingen inskrivning ännu/)).toBeVisible();
    // The resource group belongs to the person, so it is still there.
    expect(await screen.findByText("Resursgruppen har inga nuvarande medlemmar.")).toBeVisible();
    expect(calls.some((c) => c.path.startsWith("/api/v1/enrolments/"))).toBe(false);
  });
});
