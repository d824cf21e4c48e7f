// The goal-fulfilment dashboard against the real statistics endpoints and demo data.
// Read-only: these tests change nothing, so they need no participants of their own.
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

const GROUPINGS = ["Efter juridiskt kön", "Efter kommun", "Efter remittent", "Efter tid i insatsen"];

type Cell = { value: number | null; suppressed: boolean; suppression?: "small" | "complementary" | null };
type Figures = {
  exited: Cell;
  persons: Cell;
  goal_reached: { count: Cell; share: Cell };
  goal_reached_work: { count: Cell };
  goal_reached_studies: { count: Cell };
  reached_level_3: { count: Cell; share: Cell };
};
type Outcomes = {
  municipalities: { id: number; name: string }[];
  total: Figures;
  groups: { key: Record<string, string | number | null>; figures: Figures }[];
};

async function outcomes(request: APIRequestContext, query: string, username = "analyst"): Promise<Outcomes> {
  const token = await tokenFor(request, username);
  const response = await request.get(`/api/v1/stats/outcomes?${query}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as Outcomes;
}

/** The cells a grouping's table shows, per group: exited, goal reached (count, work, studies, share), Level 3 (count, share). */
function tableCells(figures: Figures): Cell[] {
  return [
    figures.exited,
    figures.goal_reached.count,
    figures.goal_reached_work.count,
    figures.goal_reached_studies.count,
    figures.goal_reached.share,
    figures.reached_level_3.count,
    figures.reached_level_3.share,
  ];
}

function headline(page: Page, label: string) {
  return page.locator(".stats-figure").filter({ has: page.getByText(label, { exact: true }) }).locator("dd");
}

/** What a headline figure shows: the number, "dold", or "< 5" (followed by its words for screen readers). */
const shown = (cell: Cell): string | RegExp =>
  !cell.suppressed ? String(cell.value) : cell.suppression === "complementary" ? "dold" : /^< 5/;

test("the analyst reads the dashboard: charts and tables per grouping, suppressed cells marked", async ({ page, request }) => {
  await signIn(page, "analyst");
  await expect(page).toHaveURL(/\/statistik$/);
  await expect(page.getByRole("heading", { level: 1, name: "Måluppfyllelse" })).toBeVisible();

  for (const name of GROUPINGS) {
    const section = page.locator("section").filter({ has: page.getByRole("heading", { level: 2, name }) });
    await expect(section.getByRole("img", { name: /^Stapeldiagram/ })).toHaveAccessibleName(/Målet för arbete eller studier är 50\s%/);
    await expect(section.locator(".recharts-surface")).toBeVisible();
    const table = section.getByRole("table");
    await expect(table).toBeVisible();
    await expect(table.getByRole("rowheader").last()).toHaveText("Alla");
  }

  // Headline numbers are the API's.
  const api = await outcomes(request, "programme=level_up");
  await expect(headline(page, "Avslutade")).toHaveText(shown(api.total.exited));
  await expect(headline(page, "Unika personer")).toHaveText(shown(api.total.persons));

  // Municipalities by name, as the API names them.
  const byMunicipalityApi = await outcomes(request, "programme=level_up&group_by=municipality");
  const names = byMunicipalityApi.municipalities.map((m) => m.name);
  expect(names).toContain("Skara");
  const byMunicipality = page.locator('section[data-grouping="municipality"]');
  const municipalityTable = byMunicipality.getByRole("table");
  // In the API's order (by name), those that have a group.
  const shownNames = byMunicipalityApi.municipalities
    .filter((m) => byMunicipalityApi.groups.some((g) => g.key.municipality === m.id))
    .map((m) => m.name);
  expect(shownNames.length).toBeGreaterThan(1);
  await expect(municipalityTable.getByRole("rowheader")).toHaveText([...shownNames, "Alla"]);
  await expect(byMunicipality.getByText(/Kommun nr/)).toHaveCount(0);

  // Suppressed cells are marked (never 0): "< 5" for a small one, "dold" for one hidden so that a
  // small one cannot be worked out by subtraction; both explained, and named under the chart.
  // The demo data has both kinds in this table (checked through the API first).
  const kinds = [...byMunicipalityApi.groups.map((g) => g.figures), byMunicipalityApi.total].flatMap(tableCells).map((c) => c.suppression);
  expect(kinds).toContain("small");
  expect(kinds).toContain("complementary");
  const small = byMunicipality.locator('td.suppressed[data-suppression="small"]');
  const complementary = byMunicipality.locator('td.suppressed[data-suppression="complementary"]');
  await expect(small.first()).toBeVisible();
  expect(await small.count()).toBe(kinds.filter((k) => k === "small").length);
  expect(await complementary.count()).toBe(kinds.filter((k) => k === "complementary").length);
  for (const cell of await small.all()) await expect(cell.locator('[aria-hidden="true"]')).toHaveText("< 5");
  await expect(small.first()).toHaveAccessibleName("färre än 5 personer");
  for (const cell of await complementary.all()) await expect(cell).toHaveText("dold");
  await expect(municipalityTable).toHaveAccessibleDescription(/^”< 5” betyder att siffran bygger på färre än 5 personer .* ”dold” betyder att siffran inte är liten men ändå döljs/);
  await expect(page.getByText(/Ingen stapel där andelen inte visas/).first()).toBeVisible();

  // Targets come from the response.
  const targets = page.getByRole("table", { name: "Programmets mål, utfall och måluppfyllelse" });
  await expect(targets.getByRole("row", { name: /når arbete eller studier/ })).toContainText("50 %");
  await expectNoAxeViolations(page);
});

test("changing programme and period updates the figures and keeps the filter in the address", async ({ page, request }) => {
  await signIn(page, "analyst", "/statistik");
  await expect(page.getByRole("table", { name: "Utfall efter juridiskt kön" })).toBeVisible();
  await page.getByLabel("Program", { exact: true }).selectOption("level_upgrade");
  await page.getByLabel(/Avslutade från och med/).fill("2020-01-01");
  await page.getByLabel("Avslutade till och med").fill("2025-12-31");
  await page.getByRole("button", { name: "Visa", exact: true }).click();

  await expect(page).toHaveURL(/programme=level_upgrade/);
  await expect(page).toHaveURL(/exit_from=2020-01-01/);
  await expect(page.getByRole("status").filter({ hasText: "Visar Level Upgrade" })).toContainText("2020-01-01–2025-12-31");
  const api = await outcomes(request, "programme=level_upgrade&exit_from=2020-01-01&exit_to=2025-12-31");
  await expect(headline(page, "Avslutade")).toHaveText(shown(api.total.exited));
  await expectNoAxeViolations(page);

  // Reloading the address gives the same view.
  await page.reload();
  await expect(page.getByLabel("Program", { exact: true })).toHaveValue("level_upgrade");
  await expect(headline(page, "Avslutade")).toHaveText(shown(api.total.exited));

  // Back to all time.
  await page.getByRole("button", { name: "Hela tiden" }).click();
  await expect(page).not.toHaveURL(/exit_from/);
  const all = await outcomes(request, "programme=level_upgrade");
  await expect(headline(page, "Avslutade")).toHaveText(shown(all.total.exited));
});

test("the analyst filters on one municipality: its figures, its name, and the choice kept in the address", async ({ page, request }) => {
  await signIn(page, "analyst", "/statistik");
  await expect(page.getByRole("table", { name: "Utfall efter juridiskt kön" })).toBeVisible();
  const all = await outcomes(request, "programme=level_up");
  const skara = all.municipalities.find((m) => m.name === "Skara")!;
  const filtered = await outcomes(request, `programme=level_up&municipality_id=${skara.id}`);
  // The demo data differs between Skara and the whole association, so the figures must change.
  expect(filtered.total.exited.value).not.toBe(all.total.exited.value);
  await expect(headline(page, "Avslutade")).toHaveText(shown(all.total.exited));

  const select = page.getByRole("combobox", { name: "Kommun" });
  await expect(select.getByRole("option")).toHaveText(["Alla kommuner", ...all.municipalities.map((m) => m.name)]);
  await select.selectOption({ label: "Skara" });
  await page.getByRole("button", { name: "Visa", exact: true }).click();

  await expect(page).toHaveURL(new RegExp(`municipality_id=${skara.id}`));
  await expect(page.getByRole("status").filter({ hasText: "Visar Level Up" })).toContainText("Kommun: Skara.");
  await expect(headline(page, "Avslutade")).toHaveText(shown(filtered.total.exited));
  await expect(headline(page, "Unika personer")).toHaveText(shown(filtered.total.persons));
  const municipalityTable = page.locator('section[data-grouping="municipality"]').getByRole("table");
  await expect(municipalityTable.getByRole("rowheader")).toHaveText(["Skara", "Alla"]);
  await expectNoAxeViolations(page);

  // Reloading the address keeps the choice.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Kommun" })).toHaveValue(String(skara.id));
  await expect(headline(page, "Avslutade")).toHaveText(shown(filtered.total.exited));
});

test("a lead mentor sees the own municipality named, with exact numbers and no municipality choice", async ({ page, request }) => {
  await signIn(page, "lead.skara", "/statistik");
  await expect(page.getByRole("table", { name: "Utfall efter juridiskt kön" })).toBeVisible();
  const own = await outcomes(request, "programme=level_up", "lead.skara");
  expect(own.municipalities.map((m) => m.name)).toEqual(["Skara"]);
  const filters = page.getByRole("form", { name: "Urval" });
  await expect(filters.getByText("Skara", { exact: true })).toBeVisible();
  await expect(filters.getByRole("combobox", { name: "Kommun" })).toHaveCount(0);
  await expect(page.getByText("Du ser exakta siffror för din egen kommun.")).toBeVisible();
  await expect(page.locator("td.suppressed")).toHaveCount(0);
  await expect(headline(page, "Avslutade")).toHaveText(shown(own.total.exited));
  await expectNoAxeViolations(page);
});

test("an end date before the start date is explained at the field and nothing is asked", async ({ page }) => {
  await signIn(page, "analyst", "/statistik");
  await expect(page.getByRole("table", { name: "Utfall efter juridiskt kön" })).toBeVisible();
  let asked = 0;
  page.on("request", (r) => {
    if (r.url().includes("/api/v1/stats/")) asked += 1;
  });
  await page.getByLabel(/Avslutade från och med/).fill("2025-06-01");
  await page.getByLabel("Avslutade till och med").fill("2025-01-31");
  await page.getByRole("button", { name: "Visa", exact: true }).click();
  const to = page.getByLabel("Avslutade till och med");
  await expect(to).toHaveAttribute("aria-invalid", "true");
  await expect(to).toHaveAccessibleDescription(/Slutdatumet ligger före startdatumet/);
  await expect(page.getByRole("alert").filter({ hasText: "Formuläret har ett fel" })).toBeVisible();
  await expect(page).not.toHaveURL(/exit_from/);
  expect(asked).toBe(0);
  await expectNoAxeViolations(page);
});

test("the tables download as an Excel file fetched with the session", async ({ page }) => {
  await signIn(page, "analyst", "/statistik");
  await expect(page.getByRole("table", { name: "Utfall efter juridiskt kön" })).toBeVisible();
  await page.getByLabel("Dela upp utfallet").selectOption("municipality");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Ladda ned Excel-fil" }).click();
  expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);
  await expect(page.getByRole("status").filter({ hasText: "är nedladdad" })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("a mentor without stats:read is told 'Inte behörig' and stays signed in", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  await page.goto("/statistik");
  await expect(page.getByRole("heading", { level: 1, name: "Inte behörig" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Logga ut" })).toBeVisible();
  await expect(page).toHaveURL(/\/statistik$/);
  await expectNoAxeViolations(page);
});
