import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, expectNoAxeViolations, signIn } from "./fixtures";

test("the admin lists users, is told what is wrong with a new account, creates one and disables it", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page).toHaveURL(/\/admin\/anvandare$/);
  const table = page.getByRole("table", { name: "Personalens konton" });
  await expect(table.getByRole("row", { name: /mentor\.skara1/ })).toContainText("Mentor");
  await expectNoAxeViolations(page);

  const form = page.getByRole("region", { name: "Nytt konto" });
  await form.getByRole("button", { name: "Skapa konto" }).click();
  await expect(form.getByRole("textbox", { name: "Användarnamn", exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByRole("alert").filter({ hasText: /Formuläret har \d+ fel/ })).toBeVisible();
  await expectNoAxeViolations(page);

  // A taken username is refused by the server (409) and explained at the field.
  await form.getByRole("textbox", { name: "Användarnamn", exact: true }).fill("mentor.skara1");
  await form.getByRole("textbox", { name: "Namn", exact: true }).fill("Dubblett Testsson");
  await form.getByRole("combobox", { name: "Roll", exact: true }).selectOption("mentor");
  await form.getByRole("combobox", { name: "Kommun", exact: true }).selectOption({ label: "Skara" });
  await form.getByRole("textbox", { name: "Första lösenord", exact: true }).fill(`${DEMO_PASSWORD}-ny`);
  await form.getByRole("button", { name: "Skapa konto" }).click();
  await expect(form.getByRole("textbox", { name: "Användarnamn", exact: true })).toHaveAccessibleDescription(/Användarnamnet är upptaget/);
  await expectNoAxeViolations(page);

  const username = `e2e.c2.${Date.now()}`;
  await form.getByRole("textbox", { name: "Användarnamn", exact: true }).fill(username);
  await form.getByRole("combobox", { name: "Enhet", exact: true }).selectOption({ label: "Arbetsmarknadsenheten Skara" });
  await form.getByRole("button", { name: "Skapa konto" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Kontot ${username} har skapats.` })).toBeVisible();
  const row = table.getByRole("row", { name: new RegExp(username.replace(/\./g, "\\.")) });
  await expect(row).toContainText("Skara, Arbetsmarknadsenheten Skara");
  await expect(row).toContainText("Aktivt");

  await row.getByRole("button", { name: `Ändra ${username}` }).click();
  const panel = page.getByRole("region", { name: `Ändra konto ${username}` });
  await expect(panel.getByRole("heading", { name: `Ändra konto ${username}` })).toBeFocused();
  await expectNoAxeViolations(page);
  await panel.getByLabel("Kontot är aktivt och kan logga in").uncheck();
  await panel.getByRole("button", { name: "Spara" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Ändringarna för ${username} är sparade.` })).toBeVisible();
  await expect(row).toContainText("Inaktiverat");
  await expect(row.getByRole("button", { name: `Ändra ${username}` })).toBeFocused();
  await expectNoAxeViolations(page);
});

test("the admin publishes a new version of a code list and sees the version number go up", async ({ page }) => {
  await signIn(page, "admin");
  await page.getByRole("link", { name: "Kodlistor" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Kodlistor" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Koder i Avslutsorsak, version 1" })).toContainText("Felregistrering: räknas inte i någon statistik");
  await expectNoAxeViolations(page);

  const overview = page.getByRole("table", { name: "Kodlistor med aktuell version" });
  const activityRow = overview.getByRole("row", { name: /Aktivitetstyp/ });
  const before = Number(await activityRow.getByRole("cell").first().innerText());
  expect(before).toBeGreaterThan(0);
  await activityRow.getByRole("button", { name: "Visa Aktivitetstyp" }).click();
  await expect(page.getByRole("table", { name: `Koder i Aktivitetstyp, version ${before}` })).toBeVisible();

  await page.getByRole("button", { name: "Publicera en ny version" }).click();
  await expect(page.getByRole("heading", { name: `Ny version ${before + 1} av Aktivitetstyp` })).toBeFocused();
  await page.getByRole("button", { name: "Lägg till en kod" }).click();
  const code = `e2e_c2_${Date.now()}`;
  const groups = page.getByRole("group", { name: /^Ny kod/ });
  const added = groups.last();
  await expect(added.getByLabel("Kod", { exact: false }).first()).toBeFocused();
  // Nothing filled in: the problems are listed and tied to the new entry's fields.
  await page.getByRole("button", { name: "Granska ändringarna" }).click();
  await expect(added.getByLabel(/^Kod/)).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  await added.getByLabel(/^Kod/).fill(code);
  await added.getByLabel(/^Svensk benämning/).fill("Webbtestaktivitet");
  await added.getByLabel(/^Engelsk benämning/).fill("Web test activity");
  await page.getByRole("button", { name: "Granska ändringarna" }).click();
  await expect(page.getByRole("heading", { name: `Granska version ${before + 1} av Aktivitetstyp` })).toBeFocused();
  await expect(page.getByText(`Ny kod ${code}: ”Webbtestaktivitet”.`)).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: `Publicera version ${before + 1}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Version ${before + 1} av Aktivitetstyp är publicerad.` })).toBeVisible();
  await expect(activityRow.getByRole("cell").first()).toHaveText(String(before + 1));
  const table = page.getByRole("table", { name: `Koder i Aktivitetstyp, version ${before + 1}` });
  await expect(table.getByRole("row", { name: new RegExp(code) })).toContainText("Webbtestaktivitet");
  await expectNoAxeViolations(page);
});

test("a mentor opening the user administration is not permitted and stays signed in", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  await page.goto("/admin/anvandare");
  await expect(page.getByRole("alert").getByText("Inte behörig", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Logga ut" })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/anvandare$/);
  await expectNoAxeViolations(page);
});
