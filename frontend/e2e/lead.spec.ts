// Lead mentor: the municipality's mentors with caseloads, and reassigning a participant.
// Each test that changes data owns its participant (registerReferral, serials 400–499).
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { registerReferral, tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

type Who = { id: number; name: string };
type Load = { mentor_id: number; display_name: string; open_enrolments: number; by_step: Record<string, number> };

async function who(request: APIRequestContext, username: string): Promise<Who> {
  const token = await tokenFor(request, username);
  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
  const body = (await me.json()) as { id: number; display_name: string };
  return { id: body.id, name: body.display_name };
}

async function loads(request: APIRequestContext): Promise<Load[]> {
  const token = await tokenFor(request, "lead.skara");
  const response = await request.get("/api/v1/me/municipality/mentors", { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as Load[];
}

async function enrolmentMentor(request: APIRequestContext, enrolmentId: number): Promise<number | null> {
  const token = await tokenFor(request, "lead.skara");
  const response = await request.get(`/api/v1/enrolments/${enrolmentId}`, { headers: { Authorization: `Bearer ${token}` } });
  return ((await response.json()) as { mentor_id: number | null }).mentor_id;
}

function mentorTable(page: Page) {
  return page.getByRole("table", { name: "Mentorer, antal pågående inskrivningar och fördelning per level" });
}

async function openCount(page: Page, name: string): Promise<number> {
  const row = mentorTable(page).getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
  return Number(await row.getByRole("cell").nth(1).textContent());
}

async function findParticipant(page: Page, lastName: string) {
  await page.getByRole("textbox", { name: "Namn" }).fill(lastName);
  await page.getByRole("button", { name: "Sök", exact: true }).click();
  return page.getByRole("table", { name: /Sökresultat/ });
}

test("a lead mentor sees the municipality's mentors with caseload sizes and level distribution", async ({ page, request }) => {
  const mentor = await who(request, "mentor.skara1");
  await signIn(page, "lead.skara");
  await page.getByRole("link", { name: "Mentorer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mentorer i kommunen" })).toBeVisible();
  const table = mentorTable(page);
  await expect(table).toBeVisible();
  await expect(table.getByRole("columnheader")).toHaveText(["Mentor", "Roll", "Pågående", "Inte startad", "Level 1", "Level 2", "Level 3", "Level 4"]);

  // Every Skara mentor the API knows is listed, and each row's levels add up to its caseload.
  const api = await loads(request);
  expect(api.length).toBeGreaterThan(1);
  for (const load of api) {
    await expect(table.getByRole("rowheader", { name: load.display_name })).toBeVisible();
  }
  const row = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: mentor.name }) });
  const cells = (await row.getByRole("cell").allTextContents()).map((text) => text.trim());
  const [open, ...steps] = cells.slice(1).map(Number);
  expect(open).toBeGreaterThan(0);
  expect(steps.reduce((sum, value) => sum + value, 0)).toBe(open);
  await expectNoAxeViolations(page);
});

test("a lead mentor reassigns a participant and the caseloads follow", async ({ page, request }) => {
  const referral = await registerReferral(request, "mentor.skara1", 400);
  const from = await who(request, "mentor.skara1");
  const to = await who(request, "mentor.skara2");
  expect(await enrolmentMentor(request, referral.enrolmentId)).toBe(from.id);

  await signIn(page, "lead.skara");
  await page.goto("/mentorer");
  await expect(mentorTable(page)).toBeVisible();
  const results = await findParticipant(page, "E2E-400");
  const row = results.getByRole("row").filter({ has: page.getByRole("link", { name: "Testa E2E-400" }) });
  await expect(row).toContainText(from.name);
  await expectNoAxeViolations(page);

  await row.getByRole("button", { name: "Välj Testa E2E-400" }).click();
  await expect(page.getByRole("heading", { name: "Byt mentor för Testa E2E-400" })).toBeFocused();
  await expect(page.getByTestId("current-mentor")).toHaveText(from.name);
  await expectNoAxeViolations(page);

  // Submitting without a mentor is explained at the field.
  await page.getByRole("button", { name: "Byt mentor", exact: true }).click();
  const select = page.getByLabel("Ny mentor");
  await expect(select).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Välj vilken mentor som ska ta över.").first()).toBeVisible();
  await expectNoAxeViolations(page);

  await select.selectOption(String(to.id));
  await page.getByLabel("Anledning").fill("Jämnare fördelning");
  await page.getByRole("button", { name: "Byt mentor", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Klart." })).toContainText(
    `Testa E2E-400 har nu ${to.name} som mentor`,
  );
  await expectNoAxeViolations(page);

  // The server has it, the search result shows it, and the table counts what the server counts.
  expect(await enrolmentMentor(request, referral.enrolmentId)).toBe(to.id);
  await expect(row).toContainText(to.name);
  await expect
    .poll(async () => {
      const server = (await loads(request)).find((load) => load.mentor_id === to.id)?.open_enrolments;
      return (await openCount(page, to.name)) === server;
    })
    .toBe(true);
});

test("a reassignment on a stale enrolment is refused with an offer to reload, never overwriting", async ({ page, request }) => {
  const referral = await registerReferral(request, "mentor.skara1", 401);
  const second = await who(request, "mentor.skara2");
  const third = await who(request, "mentor.skara3");

  await signIn(page, "lead.skara");
  await page.goto("/mentorer");
  const results = await findParticipant(page, "E2E-401");
  await results.getByRole("button", { name: "Välj Testa E2E-401" }).click();
  await expect(page.getByTestId("current-mentor")).not.toHaveText(third.name);

  // Meanwhile someone else gives the participant to mentor.skara3.
  const token = await tokenFor(request, "lead.skara");
  const headers = { Authorization: `Bearer ${token}` };
  const current = await request.get(`/api/v1/enrolments/${referral.enrolmentId}`, { headers });
  const version = ((await current.json()) as { version: number }).version;
  const other = await request.post(`/api/v1/enrolments/${referral.enrolmentId}/mentor`, {
    headers: { ...headers, "If-Match": `"${version}"` },
    data: { mentor_id: third.id },
  });
  expect(other.status(), await other.text()).toBe(200);

  await page.getByLabel("Ny mentor").selectOption(String(second.id));
  await page.getByRole("button", { name: "Byt mentor", exact: true }).click();
  const conflict = page.getByRole("alert").filter({ hasText: "Inskrivningen har ändrats" });
  await expect(conflict).toBeVisible();
  await expect(page.getByRole("button", { name: "Byt mentor", exact: true })).toBeDisabled();
  await expectNoAxeViolations(page);
  expect(await enrolmentMentor(request, referral.enrolmentId)).toBe(third.id);

  await conflict.getByRole("button", { name: "Läs in på nytt" }).click();
  await expect(page.getByTestId("current-mentor")).toHaveText(third.name);
  await expect(conflict).toBeHidden();
  expect(await enrolmentMentor(request, referral.enrolmentId)).toBe(third.id);
});
