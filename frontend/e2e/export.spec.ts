import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { expectNoAxeViolations, signIn } from "./fixtures";

const PERSONNUMMER = /\d{8}-?\d{4}/;

test("without a purpose the evaluator gets a field error and nothing is requested", async ({ page }) => {
  await signIn(page, "evaluator", "/export");
  await expect(page.getByRole("heading", { level: 1, name: "Utvärderingsexport" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Filen innehåller aldrig" })).toBeVisible();
  await expectNoAxeViolations(page);

  const exportRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/v1/exports/")) exportRequests.push(request.url());
  });
  await page.getByRole("button", { name: "Hämta export" }).click();
  const purpose = page.getByLabel("Syfte");
  await expect(purpose).toHaveAttribute("aria-invalid", "true");
  await expect(purpose).toHaveAccessibleDescription(/Skriv syftet med exporten\./);
  await expect(page.getByRole("alert").filter({ hasText: "Formuläret har ett fel" })).toBeVisible();
  await expectNoAxeViolations(page);
  expect(exportRequests).toEqual([]);
});

test("the evaluator downloads the export with progress, a trailer summary and a pseudonymous file", async ({ page }) => {
  await signIn(page, "evaluator", "/export");
  // Every text the live region shows, so the brief "rows received" progress is seen too.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __exportStatus: string[] }).__exportStatus = seen;
    const region = document.querySelector(".export-status");
    if (!region) throw new Error("no status region");
    new MutationObserver(() => seen.push(region.textContent ?? "")).observe(region, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });

  await page.getByLabel("Syfte").fill("Utvärdering Level Up, webbtest");
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Hämta export" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^levelup-utvardering-\d{4}-\d{2}-\d{2}\.ndjson$/);

  const summary = page.getByRole("status").filter({ hasText: "Exporten är klar och filen har sparats." });
  await expect(summary).toBeVisible();
  const seen = await page.evaluate(() => (window as unknown as { __exportStatus: string[] }).__exportStatus);
  expect(seen.some((text) => /rader? mottagn[a] hittills|rad mottagen hittills/.test(text))).toBe(true);

  const text = await readFile((await download.path())!, "utf8");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  expect(lines.length).toBeGreaterThan(1);
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const trailer = parsed.at(-1)!;
  const rows = parsed.slice(0, -1);
  expect(trailer).toMatchObject({ rows: rows.length });
  expect(typeof trailer.next_since).toBe("string");
  for (const [index, row] of rows.entries()) {
    expect(row.pseudonym, `line ${index + 1}`).toMatch(/^[0-9a-f]{32}$/);
    // The pseudonyms are hex and may hold long digit runs; everything else must not.
    const { pseudonym: _p, enrolment_pseudonym: _e, ...rest } = row;
    expect(JSON.stringify(rest), `line ${index + 1}`).not.toMatch(PERSONNUMMER);
    expect(row).not.toHaveProperty("first_name");
    expect(row).not.toHaveProperty("personnummer");
  }

  // The summary from the trailer, and the cursor ready for the next incremental pull.
  await expect(summary).toContainText(`Rader i filen${rows.length.toLocaleString("sv-SE")}`);
  await expect(summary).toContainText(String(trailer.next_since));
  await expect(page.getByLabel("Bara ändringar sedan (markör)")).toHaveValue(String(trailer.next_since));
  await expect(page.getByRole("link", { name: /Spara filen igen/ })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("someone without the export permission is told so in words and stays signed in", async ({ page }) => {
  await signIn(page, "analyst", "/export");
  await page.getByLabel("Syfte").fill("Nyfiken på exporten");
  await page.getByRole("button", { name: "Hämta export" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Inte behörig" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Logga ut" })).toBeVisible();
  await expectNoAxeViolations(page);
});
