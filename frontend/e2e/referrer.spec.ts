import { expect, test } from "@playwright/test";
import { expectNoAxeViolations, signIn } from "./fixtures";

test("a referrer sees the status of the people they referred, and only that", async ({ page }) => {
  await signIn(page, "referrer.af");
  await page.getByRole("link", { name: "Mina remisser" }).click();
  await expect(page).toHaveURL(/\/remisser$/);
  await expect(page.getByRole("heading", { level: 1, name: "Mina remisser" })).toBeVisible();
  await expect(page.getByText(/Bara personer som har samtyckt till informationsutbyte/)).toBeVisible();

  const table = page.getByRole("table", { name: /remitterade? person/ });
  await expect(table).toBeVisible();
  const rows = table.locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(0);
  // Every row shows a state in words and a masked personnummer, never the full number.
  const states = ["Remitterad", "Trepartssamtal", "Aktiv", "Pausad", "Avslutad", "Tackat nej"];
  for (const row of await rows.all()) {
    const cells = row.getByRole("cell");
    await expect(cells.nth(0)).toHaveText(/^\d{8}-\*{4}$/);
    expect(states).toContain((await cells.nth(2).innerText()).trim());
  }
  await expectNoAxeViolations(page);
});
