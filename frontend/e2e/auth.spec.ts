import { expect, test } from "@playwright/test";
import { expectNoAxeViolations, signIn } from "./fixtures";

test("sign-in page is accessible and a wrong password is explained next to the field", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/logga-in/);
  await expect(page.getByRole("heading", { name: "Logga in" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("Användarnamn").fill("mentor.skara1");
  await page.getByLabel("Lösenord").fill("not-the-password");
  await page.getByRole("button", { name: "Logga in" }).click();
  const password = page.getByLabel("Lösenord");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert")).toHaveText("Fel användarnamn eller lösenord.");
  await expectNoAxeViolations(page);
});

test("a mentor signs in and lands on the start page; signing out ends the session", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  await expect(page).toHaveURL(/\/start$/);
  await page.getByRole("button", { name: "Logga ut" }).click();
  await expect(page).toHaveURL(/\/logga-in/);
  await page.goto("/start");
  await expect(page).toHaveURL(/\/logga-in\?next=%2Fstart/);
});

test("an expired session returns to sign-in and then back to the same screen", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  // Both tokens gone bad, as after a long break: the next API call fails to refresh.
  await page.evaluate(() => sessionStorage.setItem("levelup.refresh", "expired-or-revoked"));
  await page.goto("/mentorer");
  await expect(page).toHaveURL(/\/logga-in\?next=%2Fmentorer/);
  await expect(page.getByText("Din session har gått ut", { exact: false })).toBeVisible();
  await page.getByLabel("Användarnamn").fill("mentor.skara1");
  await page.getByLabel("Lösenord").fill("levelup-demo-2026");
  await page.getByRole("button", { name: "Logga in" }).click();
  await expect(page).toHaveURL(/\/mentorer$/);
});

test("switching to English changes the interface language and the page language", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  await page.getByLabel("Språk").selectOption("en");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("an unknown address inside the app says so, accessibly, and keeps the session", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  await page.goto("/finns-inte");
  await expect(page.getByRole("heading", { name: "Sidan finns inte" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Logga ut" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Till startsidan" }).click();
  await expect(page).toHaveURL(/\/start$/);
});

test("the skip link moves keyboard users past the menu to the screen", async ({ page }) => {
  await signIn(page, "mentor.skara1");
  // A fresh page load starts at the top; the skip link is the first stop.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Hoppa till innehållet" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
});
