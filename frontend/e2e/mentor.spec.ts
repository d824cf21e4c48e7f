import { type APIRequestContext, expect, test } from "@playwright/test";
import { tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

type CaseloadItem = {
  participant_id: number;
  first_name: string;
  last_name: string;
  personnummer_masked: string;
  step: number | null;
  step_count: number;
};
type Tasks = {
  assessments: Array<{ participant_id: number; first_name: string; last_name: string; status: string }>;
  follow_ups: Array<{ status: string }>;
};

/** What the API says the user's start page holds, read before the page is opened. */
async function startData(request: APIRequestContext, username: string) {
  const headers = { Authorization: `Bearer ${await tokenFor(request, username)}` };
  const caseload = await request.get("/api/v1/me/caseload", { headers });
  expect(caseload.status()).toBe(200);
  const tasks = await request.get("/api/v1/me/tasks", { headers });
  expect(tasks.status()).toBe(200);
  return {
    caseload: ((await caseload.json()) as { items: CaseloadItem[] }).items,
    tasks: (await tasks.json()) as Tasks,
  };
}

test("a mentor sees the caseload with staircase markers and the task list; the start page passes axe", async ({
  page,
  request,
}) => {
  const { caseload, tasks } = await startData(request, "mentor.skara1");
  // Demo data gives this mentor started participants; the oldest records are the demo's own
  // (other spec files only add people), so they are the ones looked for.
  const started = caseload.filter((item) => item.step !== null).sort((a, b) => a.participant_id - b.participant_id);
  expect(started.length).toBeGreaterThan(0);

  await signIn(page, "mentor.skara1");
  await expect(page).toHaveURL(/\/start$/);
  await expect(page.getByRole("heading", { level: 1, name: "Start" })).toBeVisible();

  const table = page.getByRole("table", { name: /Mina deltagare/ });
  await expect(table).toBeVisible();
  const first = started[0]!;
  const row = table.getByRole("row").filter({ has: page.getByRole("link", { name: `${first.first_name} ${first.last_name}` }) });
  await expect(row.getByRole("link")).toHaveAttribute("href", `/deltagare/${first.participant_id}`);
  await expect(row.getByText(first.personnummer_masked)).toBeVisible();
  await expect(row.getByRole("img", { name: `Trappan: level ${first.step} av ${first.step_count}` })).toBeVisible();
  await expect(table.getByRole("img", { name: /^Trappan: level \d+ av \d+$/ })).not.toHaveCount(0);
  // Only masked numbers on the page.
  await expect(page.getByText(/\d{8}-\d{4}/)).toHaveCount(0);

  const todo = page.getByRole("region", { name: "Att göra" });
  await expect(todo.getByRole("heading", { name: /^Självskattningar \(\d+\)$/ })).toBeVisible();
  await expect(todo.getByRole("heading", { name: /^Uppföljningar \(\d+\)$/ })).toBeVisible();
  await expect(todo.getByRole("heading", { name: /^Gruppträffar den här veckan \(\d+\)$/ })).toBeVisible();
  await expect(todo.getByRole("heading", { name: /^Tysta deltagare \(\d+\)$/ })).toBeVisible();
  const overdue = tasks.assessments.find((a) => a.status === "overdue");
  if (overdue) {
    const item = todo.getByRole("listitem").filter({
      has: page.getByRole("link", { name: `${overdue.first_name} ${overdue.last_name}` }),
    });
    await expect(item.first()).toContainText("Försenad");
    await expect(item.first().getByRole("link")).toHaveAttribute("href", `/deltagare/${overdue.participant_id}`);
  }
  await expect(page.getByRole("link", { name: "Ny remiss" }).first()).toBeVisible();

  await expectNoAxeViolations(page);

  // Sorting and filtering keep the page accessible.
  await table.getByRole("button", { name: /Dagar på leveln/ }).click();
  await expect(table.getByRole("columnheader", { name: /Dagar på leveln/ })).toHaveAttribute("aria-sort", "ascending");
  await expectNoAxeViolations(page);
});

test("a lead mentor lands on the start page with what the API gives them", async ({ page, request }) => {
  const { caseload } = await startData(request, "lead.skara");
  await signIn(page, "lead.skara");
  await expect(page).toHaveURL(/\/start$/);
  const section = page.getByRole("region", { name: "Mina deltagare" });
  if (caseload.length === 0) {
    await expect(section.getByText(/Du har inga deltagare just nu/)).toBeVisible();
  } else {
    const first = caseload[0]!;
    await expect(section.getByRole("link", { name: `${first.first_name} ${first.last_name}` })).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "Att göra" })).toBeVisible();
  await expectNoAxeViolations(page);
});
