import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";
import { registerReferral, testPersonnummer, tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

// Serials 100–199 belong to this file (see the brief); each test uses its own.

/**
 * A test-series number nobody in Skara has yet (the demo data uses the test series too):
 * looked up by the lead mentor, who sees the whole municipality, moving on like registerReferral.
 */
async function freePersonnummer(request: APIRequestContext, serial: number): Promise<string> {
  const headers = { Authorization: `Bearer ${await tokenFor(request, "lead.skara")}` };
  for (let attempt = 0; attempt < 20; attempt++) {
    const personnummer = testPersonnummer(serial + attempt * 1000);
    const found = await request.post("/api/v1/participants/search", { headers, data: { personnummer } });
    expect(found.status()).toBe(200);
    if (((await found.json()) as { items: unknown[] }).items.length === 0) return personnummer;
  }
  throw new Error("no free test personnummer");
}

/** The same number with a wrong check digit. */
function withWrongCheckDigit(personnummer: string): string {
  const last = Number(personnummer.slice(-1));
  return `${personnummer.slice(0, -1)}${(last + 1) % 10}`;
}

async function referralsOf(request: APIRequestContext, username: string, participantId: number) {
  const headers = { Authorization: `Bearer ${await tokenFor(request, username)}` };
  const response = await request.get(`/api/v1/participants/${participantId}/enrolments`, { headers });
  expect(response.status()).toBe(200);
  return (await response.json()) as Array<{ programme_code: string; state: string; referrer_organisation_id: number | null }>;
}

const personnummerField = (page: Page) => page.getByLabel("Personnummer eller samordningsnummer");

test("a mentor registers a referral: a wrong number is explained at the field, a valid one is saved", async ({
  page,
  request,
}) => {
  const personnummer = await freePersonnummer(request, 100);
  await signIn(page, "mentor.skara1");
  await page.getByRole("main").getByRole("link", { name: "Ny remiss" }).click();
  await expect(page).toHaveURL(/\/deltagare\/ny$/);
  await expect(page.getByRole("heading", { level: 1, name: "Ny remiss" })).toBeVisible();

  const field = personnummerField(page);
  await field.fill(withWrongCheckDigit(personnummer));
  const message = "Kontrollsiffran stämmer inte – kontrollera att personnumret är rätt inskrivet.";
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(new RegExp(message));
  await expect(page.getByText(message)).toBeVisible();
  await expectNoAxeViolations(page);

  await field.fill(personnummer);
  await expect(field).not.toHaveAttribute("aria-invalid");
  await expect(field).toHaveAccessibleDescription(/Giltigt personnummer: född/);
  await page.getByLabel("Förnamn").fill("Testa");
  await page.getByLabel("Efternamn").fill("Remiss-E2E");
  await page.getByLabel(/^Program/).selectOption("level_up");
  await page.getByLabel("Remittent (organisation)").selectOption({ label: "Arbetsförmedlingen" });
  const contact = page.getByRole("group", { name: "Handläggare hos remittenten" });
  await contact.getByLabel("Namn").fill("Hanna Handläggare");
  await page.getByLabel("Ersättning vid start").selectOption({ label: "Aktivitetsersättning" });
  await page.getByLabel("Månader med offentlig försörjning före start").fill("8");
  await page.getByRole("button", { name: "Registrera remissen" }).click();

  await expect(page).toHaveURL(/\/deltagare\/\d+$/);
  const participantId = Number(/\/deltagare\/(\d+)$/.exec(page.url())![1]);
  const referrals = await referralsOf(request, "mentor.skara1", participantId);
  expect(referrals).toHaveLength(1);
  expect(referrals[0]).toMatchObject({ programme_code: "level_up", state: "referred" });
  expect(referrals[0]!.referrer_organisation_id).not.toBeNull();
});

test("the personnummer of an existing participant shows the duplicate notice before saving", async ({
  page,
  request,
}) => {
  const existing = await registerReferral(request, "mentor.skara1", 110);
  await signIn(page, "mentor.skara1", "/deltagare/ny");
  await personnummerField(page).fill(existing.personnummer);

  const notice = page.getByText("Personen finns redan", { exact: true });
  await expect(notice).toBeVisible();
  await expect(page.getByText(/Testa E2E-110 \(\d{8}-\*{4}\) är redan registrerad/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Öppna Testa E2E-110" })).toHaveAttribute(
    "href",
    `/deltagare/${existing.participantId}`,
  );
  await expect(page.getByRole("button", { name: "Registrera en ny remiss för Testa E2E-110" })).toBeVisible();
  await expectNoAxeViolations(page);

  // Saving anyway is refused at the field; nothing was created.
  await page.getByRole("button", { name: "Registrera remissen" }).click();
  await expect(personnummerField(page)).toHaveAccessibleDescription(/Personen finns redan\./);
  await expect(page).toHaveURL(/\/deltagare\/ny$/);
  expect(await referralsOf(request, "mentor.skara1", existing.participantId)).toHaveLength(1);
});

test("the form and its error state pass axe", async ({ page }) => {
  await signIn(page, "mentor.skara1", "/deltagare/ny");
  await expect(page.getByLabel(/^Program/)).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: "Registrera remissen" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Formuläret har 4 fel" });
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(page.getByLabel("Förnamn")).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  // The summary's links lead to the fields.
  await summary.getByRole("link", { name: /Efternamn/ }).click();
  await expect(page.getByLabel("Efternamn")).toBeFocused();
});

/** Press Tab until `target` has the focus (at most `max` times): moving as a keyboard user does. */
async function tabTo(page: Page, target: Locator, max = 25): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("the referral form can be filled in and sent with the keyboard only", async ({ page, request }) => {
  const personnummer = await freePersonnummer(request, 120);
  await signIn(page, "mentor.skara1", "/deltagare/ny");
  await expect(page.getByRole("heading", { level: 1, name: "Ny remiss" })).toBeFocused();

  await tabTo(page, personnummerField(page));
  await page.keyboard.type(personnummer);
  await expect(personnummerField(page)).toHaveAccessibleDescription(/Giltigt personnummer/);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Förnamn")).toBeFocused();
  await page.keyboard.type("Tangent");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Efternamn")).toBeFocused();
  await page.keyboard.type("Bordsson");

  const programme = page.getByLabel(/^Program/);
  await tabTo(page, programme);
  await page.keyboard.press("ArrowDown"); // the first programme, Level Up
  await expect(programme).toHaveValue("level_up");

  const submit = page.getByRole("button", { name: "Registrera remissen" });
  await tabTo(page, submit, 40);
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/\/deltagare\/\d+$/);
  const participantId = Number(/\/deltagare\/(\d+)$/.exec(page.url())![1]);
  expect(await referralsOf(request, "mentor.skara1", participantId)).toHaveLength(1);
});
