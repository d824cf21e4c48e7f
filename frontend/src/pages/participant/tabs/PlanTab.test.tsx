import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../api/client";
import { todayIso } from "../../../lib/dates";
import { type Handler, mockApi, renderScreen } from "../../../test/render";
import { PlanTab } from "./PlanTab";
import { ENROLMENT, PARTICIPANT } from "./testData";

vi.setConfig({ testTimeout: 20_000 });

const PLAN: Schemas["PlanRead"] = {
  enrolment_id: 42,
  revision: 3,
  goals: [{ text: "Börja på komvux i höst", status: "in_progress", target_on: "2026-08-20", area: "Studier" }],
  note: null,
  saved_at: "2026-02-01T10:00:00Z",
  saved_by_user_id: 1,
};

const REVISIONS: Schemas["PlanRevisionList"] = {
  enrolment_id: 42,
  items: [
    { revision: 3, goals: PLAN.goals, note: null, saved_at: "2026-02-01T10:00:00Z", saved_by_user_id: 1 },
    { revision: 2, goals: [], note: null, saved_at: "2026-01-20T10:00:00Z", saved_by_user_id: 1 },
  ],
};

function setup(extra: Record<string, Handler> = {}) {
  const calls = mockApi({
    "GET /api/v1/enrolments/42/plan": { body: PLAN, headers: { ETag: '"3"' } },
    "GET /api/v1/enrolments/42/plan/revisions": { body: REVISIONS },
    "GET /api/v1/participants/7/resource-group": {
      body: {
        participant_id: 7,
        items: [
          { id: 5, role: "Handläggare", organisation: "Försäkringskassan", name: "Kim Handläggare", phone: "010-123", email: null, added_on: "2026-01-12", removed_on: null },
          { id: 6, role: "Kurator", organisation: "Skolan", name: "Alex Kurator", phone: null, email: null, added_on: "2026-01-12", removed_on: "2026-02-01" },
        ],
      },
    },
    ...extra,
  });
  renderScreen(<PlanTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
  return calls;
}

describe("PlanTab", () => {
  it("shows the goals with status and target date, and the kept revisions", async () => {
    setup();
    const goals = await screen.findByRole("table", { name: "Planens mål" });
    expect(within(goals).getByRole("row", { name: /Börja på komvux i höst/ })).toHaveTextContent("StudierPågår2026-08-20");
    expect(screen.getByText(/^Version 3, sparad /, { selector: "p" })).toBeVisible();
    expect(await screen.findByText(/Version 2, sparad .*, 0 mål/)).toBeVisible();
  });

  it("saves a new revision with If-Match of the revision read", async () => {
    const calls = setup({
      "PUT /api/v1/enrolments/42/plan": { body: { ...PLAN, revision: 4 } },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Ändra planen" }));
    await user.click(screen.getByRole("button", { name: "Lägg till mål" }));
    const goal2 = screen.getByRole("group", { name: "Mål 2" });
    expect(within(goal2).getByRole("textbox", { name: /Mål/ })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Spara planen" }));
    expect(within(goal2).getByRole("textbox", { name: /^Mål/ })).toHaveAccessibleDescription("Beskriv målet.");
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);

    await user.type(within(goal2).getByRole("textbox", { name: /^Mål/ }), "Träna två gånger i veckan");
    await user.selectOptions(within(goal2).getByRole("combobox", { name: "Status" }), "not_started");
    await user.type(within(goal2).getByLabelText(/Måldatum/), "2026-09-01");
    await user.click(screen.getByRole("button", { name: "Spara planen" }));

    expect(await screen.findByText("Planen är sparad som version 4.")).toBeVisible();
    const put = calls.find((c) => c.method === "PUT")!;
    expect(put.headers.get("if-match")).toBe('"3"');
    expect(put.body).toEqual({
      goals: [
        { text: "Börja på komvux i höst", area: "Studier", status: "in_progress", target_on: "2026-08-20" },
        { text: "Träna två gånger i veckan", area: null, status: "not_started", target_on: "2026-09-01" },
      ],
      note: null,
    });
  });

  it("a stale If-Match (412) is shown as a conflict with a reload, never overwritten", async () => {
    let reads = 0;
    const calls = setup({
      "GET /api/v1/enrolments/42/plan": () => {
        reads += 1;
        return { body: reads === 1 ? PLAN : { ...PLAN, revision: 5, goals: [{ ...PLAN.goals[0]!, status: "achieved" }] } };
      },
      "PUT /api/v1/enrolments/42/plan": {
        status: 412,
        body: { error: "PreconditionFailed", detail: "Planen har ändrats av någon annan. Läs in den igen." },
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Ändra planen" }));
    await user.click(screen.getByRole("button", { name: "Spara planen" }));
    expect(await screen.findByText("Planen har ändrats av någon annan. Läs in den igen.")).toBeVisible();
    expect(screen.getByText(/Dina ändringar är inte sparade/)).toBeVisible();
    expect(screen.getByRole("button", { name: "Spara planen" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Läs in på nytt" }));
    expect(await screen.findByDisplayValue("Uppnått")).toBeVisible();
    expect(screen.getByRole("button", { name: "Spara planen" })).toBeEnabled();
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(1);
  });

  it("lists the resource group and adds and removes members", async () => {
    const calls = setup({
      "POST /api/v1/participants/7/resource-group": {
        status: 201,
        body: { id: 9, role: "Läkare", organisation: "Vårdcentralen", name: "Dr Test", phone: null, email: "dr@example.se", added_on: todayIso(), removed_on: null },
      },
      "DELETE /api/v1/participants/7/resource-group/5": { status: 204 },
    });
    const user = userEvent.setup();
    const current = await screen.findByRole("table", { name: "Nuvarande medlemmar i resursgruppen" });
    expect(within(current).getByRole("row", { name: /Kim Handläggare/ })).toHaveTextContent("Försäkringskassan");
    const former = screen.getByRole("table", { name: "Tidigare medlemmar i resursgruppen" });
    expect(within(former).getByRole("row", { name: /Alex Kurator/ })).toHaveTextContent("2026-01-12 – 2026-02-01");

    await user.click(screen.getByRole("button", { name: "Lägg till i resursgruppen" }));
    expect(screen.getByRole("textbox", { name: /Roll/ })).toHaveAccessibleDescription(/Fyll i fältet\./);
    await user.type(screen.getByRole("textbox", { name: /Roll/ }), "Läkare");
    await user.type(screen.getByRole("textbox", { name: /Organisation/ }), "Vårdcentralen");
    await user.type(screen.getByRole("textbox", { name: /^Namn/ }), "Dr Test");
    await user.type(screen.getByRole("textbox", { name: /E-post/ }), "dr@example.se");
    await user.click(screen.getByRole("button", { name: "Lägg till i resursgruppen" }));
    expect(await screen.findByText("Dr Test är tillagd i resursgruppen.")).toBeVisible();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      role: "Läkare",
      organisation: "Vårdcentralen",
      name: "Dr Test",
      phone: null,
      email: "dr@example.se",
      added_on: todayIso(),
    });

    await user.click(screen.getByRole("button", { name: "Ta bort: Kim Handläggare" }));
    expect(screen.getByRole("button", { name: "Ja, ta bort" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Ja, ta bort" }));
    expect(await screen.findByText(/Kim Handläggare är borttagen ur resursgruppen/)).toBeVisible();
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/v1/participants/7/resource-group/5")).toBe(true);
  });
});
