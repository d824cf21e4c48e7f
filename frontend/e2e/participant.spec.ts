// The participant page against the real backend: the staircase journey through the UI, a
// conflict with a change made behind the page's back, the logged personnummer reveal, another
// municipality's participant, and the whole thing by keyboard. Serials 200–299 are this file's.
import { expect, type Locator, type Page, test } from "@playwright/test";
import { command, registerReferral, swedishToday, tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

const MENTOR = "mentor.skara1";

/** The line that says the enrolment's state ("Läge: Aktiv på Level 2 …"). */
function stateLine(page: Page): Locator {
  return page.locator(".participant-state__line");
}

/** The current step of the large staircase (the step marked aria-current). */
function currentStep(page: Page): Locator {
  return page.locator('.stairs--large [aria-current="step"]');
}

async function openDialog(page: Page, button: string | RegExp): Promise<Locator> {
  await page.getByRole("button", { name: button, exact: typeof button === "string" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  return dialog;
}

async function expectDone(page: Page, text: RegExp): Promise<void> {
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: text })).toBeVisible();
}

/** A fact of the header ("Kommun", "Mentor" …): the value beside its term. */
function headerFact(page: Page, term: string): Locator {
  return page
    .getByRole("region", { name: "Uppgifter om deltagaren" })
    .locator("div")
    .filter({ has: page.locator("dt", { hasText: new RegExp(`^${term}$`) }) })
    .locator("dd");
}

async function apiGet<T>(page: Page, username: string, path: string): Promise<T> {
  const token = await tokenFor(page.request, username);
  const response = await page.request.get(path, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status(), path).toBe(200);
  return (await response.json()) as T;
}

async function enrolmentState(page: Page, enrolmentId: number): Promise<{ state: string; step: number | null; version: number }> {
  const token = await tokenFor(page.request, MENTOR);
  const response = await page.request.get(`/api/v1/enrolments/${enrolmentId}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { state: string; step: number | null; version: number };
}

test("a mentor holds intake, starts, advances to Level 2 and steps back with a reason", async ({ page, request }) => {
  test.slow(); // six transitions and an axe scan of every dialog
  const referral = await registerReferral(request, MENTOR, 200);
  await signIn(page, MENTOR, `/deltagare/${referral.participantId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Testa E2E-200" })).toBeVisible();
  // The header names the municipality and the mentor (the signed-in mentor: "Du (name)").
  const me = await apiGet<{ display_name: string }>(page, MENTOR, "/api/v1/me");
  await expect(headerFact(page, "Kommun")).toHaveText("Skara");
  await expect(headerFact(page, "Mentor")).toContainText(`Du (${me.display_name})`);
  // The participant's name stays out of the tab title (and so out of browser history).
  await expect(page).toHaveTitle("Deltagare – Level Up");
  await expect(stateLine(page)).toContainText("Remitterad");
  await expectNoAxeViolations(page);

  // Three-party meeting.
  let dialog = await openDialog(page, "Registrera trepartssamtal");
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Registrera trepartssamtal" }).click();
  await expectDone(page, /Trepartssamtalet är registrerat/);

  // Start at Level 1.
  dialog = await openDialog(page, "Starta på Level 1");
  await dialog.getByRole("button", { name: "Starta" }).click();
  await expectDone(page, /startat på Level 1/);
  await expect(currentStep(page)).toContainText("Level 1");

  // Up to Level 2 through the UI: the large staircase shows Level 2 as current.
  dialog = await openDialog(page, "Gå upp till Level 2");
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Gå upp" }).click();
  await expectDone(page, /gått upp till Level 2/);
  await expect(currentStep(page)).toContainText("Level 2");
  await expect(page.getByRole("table", { name: /Händelser i inskrivningen/ }).getByRole("row", { name: /Upp en nivå/ })).toHaveCount(1);
  await expectNoAxeViolations(page);

  // Step back with a reason; the refusal without one is explained at the field.
  dialog = await openDialog(page, "Gå ned till Level 1");
  await dialog.getByRole("button", { name: "Gå ned" }).click();
  const reason = dialog.getByLabel(/Anledning till att gå ned/);
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByRole("alert").first()).toContainText("Formuläret har ett fel");
  await expectNoAxeViolations(page);
  await reason.fill("Behöver mer tid på Level 1");
  await dialog.getByRole("button", { name: "Gå ned" }).click();
  await expectDone(page, /gått ned till Level 1/);
  await expect(currentStep(page)).toContainText("Level 1");
  await expect(page.getByRole("cell", { name: "Behöver mer tid på Level 1" })).toBeVisible();

});

test("Level 4 through the outcome form, then pause, resume and exit with codes", async ({ page, request }) => {
  test.slow(); // six transitions and an axe scan of every dialog
  // To Level 3 quickly through the API.
  const referral = await registerReferral(request, MENTOR, 205);
  await command(request, MENTOR, referral.enrolmentId, "intake");
  await command(request, MENTOR, referral.enrolmentId, "start");
  await command(request, MENTOR, referral.enrolmentId, "advance");
  await command(request, MENTOR, referral.enrolmentId, "advance");
  await signIn(page, MENTOR, `/deltagare/${referral.participantId}`);
  await expect(currentStep(page)).toContainText("Level 3");

  // Level 4 through the outcome form.
  let dialog = await openDialog(page, "Gå upp till Level 4");
  const outcome = dialog.getByRole("group", { name: "Utfall på Level 4" });
  await dialog.getByRole("button", { name: "Gå upp" }).click();
  await expect(outcome.getByLabel(/Arbete eller studier/)).toHaveAttribute("aria-invalid", "true");
  await outcome.getByLabel(/Arbete eller studier/).selectOption("work");
  await outcome.getByLabel(/Startdatum/).fill(swedishToday());
  await outcome.getByLabel(/Anställning med stöd/).selectOption("no");
  await outcome.getByLabel(/Omfattning/).fill("75");
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Gå upp" }).click();
  await expectDone(page, /gått upp till Level 4/);
  await expect(currentStep(page)).toContainText("Level 4");
  await expect(page.getByText(/Utfall: arbete från .*, 75 %, utan stöd/)).toBeVisible();

  // Pause with a reason code and a note, then resume.
  dialog = await openDialog(page, "Pausa");
  await dialog.getByLabel(/Anledning till pausen/).selectOption("sick_leave");
  await dialog.getByLabel(/Kommentar/).fill("Sjukskriven två veckor");
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Pausa" }).click();
  await expectDone(page, /är pausad/);
  await expect(stateLine(page)).toContainText("Pausad");
  await expect(currentStep(page)).toContainText("Level 4");
  dialog = await openDialog(page, "Återuppta");
  await dialog.getByRole("button", { name: "Återuppta" }).click();
  await expectDone(page, /återupptagen på Level 4/);
  await expect(stateLine(page)).toContainText("Aktiv");

  // Exit with codes from the code lists.
  dialog = await openDialog(page, "Avsluta");
  await dialog.getByLabel(/Avslutsorsak/).selectOption({ label: "Insatsen genomförd enligt plan" });
  await dialog.getByLabel(/Status vid avslut/).selectOption({ label: "Anställning utan stöd" });
  await expectNoAxeViolations(page);
  await dialog.getByRole("button", { name: "Avsluta inskrivningen" }).click();
  await expectDone(page, /är avslutad/);
  await expect(stateLine(page)).toContainText("Avslutad");
  await expect(page.getByRole("button", { name: "Pausa" })).toHaveCount(0);
  await expect(page.getByText(/Inget mer kan registreras utom uppföljning/)).toBeVisible();
  await expect(page.getByRole("row", { name: /Avslut.*Insatsen genomförd enligt plan/ })).toBeVisible();
  expect((await enrolmentState(page, referral.enrolmentId)).state).toBe("exited");
  await expectNoAxeViolations(page);
});

test("a change made behind the page's back is a conflict: reload shows it and nothing is overwritten", async ({ page, request }) => {
  const referral = await registerReferral(request, MENTOR, 201);
  await command(request, MENTOR, referral.enrolmentId, "intake");
  await command(request, MENTOR, referral.enrolmentId, "start");
  await signIn(page, MENTOR, `/deltagare/${referral.participantId}`);
  await expect(currentStep(page)).toContainText("Level 1");

  // Someone else moves the participant up while the page still shows Level 1.
  await command(request, MENTOR, referral.enrolmentId, "advance");
  const before = await enrolmentState(page, referral.enrolmentId);

  const dialog = await openDialog(page, "Pausa");
  await dialog.getByLabel(/Anledning till pausen/).selectOption("other");
  await dialog.getByRole("button", { name: "Pausa" }).click();
  const conflict = dialog.getByRole("alert").filter({ hasText: "Någon annan har ändrat inskrivningen" });
  await expect(conflict).toBeVisible();
  await expect(conflict).toContainText("ingenting har skrivits över");
  await expectNoAxeViolations(page);

  await conflict.getByRole("button", { name: "Läs in på nytt" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(currentStep(page)).toContainText("Level 2");
  await expect(stateLine(page)).toContainText("Aktiv");
  await expect(page.getByRole("status").filter({ hasText: /inläst på nytt/ })).toBeVisible();
  const after = await enrolmentState(page, referral.enrolmentId);
  expect(after).toMatchObject({ state: "active", step: 2, version: before.version });
});

test("revealing the personnummer asks for a reason and shows the registered number", async ({ page, request }) => {
  const referral = await registerReferral(request, MENTOR, 202);
  await signIn(page, MENTOR, `/deltagare/${referral.participantId}`);
  const masked = `${referral.personnummer.slice(0, 8)}-****`;
  await expect(page.getByText(masked)).toBeVisible();

  const dialog = await openDialog(page, /Visa hela personnumret \(visningen loggas\)/);
  await expect(dialog).toContainText("loggas");
  await dialog.getByRole("button", { name: "Visa personnumret" }).click();
  await expect(dialog.getByLabel("Anledning")).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);
  await dialog.getByLabel("Anledning").fill("Kontakt med Försäkringskassan");
  await dialog.getByRole("button", { name: "Visa personnumret" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByText(referral.personnummer, { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Dölj personnumret" })).toBeFocused();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: "Dölj personnumret" }).click();
  await expect(page.getByText(masked)).toBeVisible();
  await expect(page.getByText(referral.personnummer, { exact: true })).toHaveCount(0);
  // Nothing of it was kept in the browser's storage.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(referral.personnummer.slice(9));
});

test("a lead mentor sees the mentor, municipality and referrer organisation by name", async ({ page }) => {
  // Read-only: a demo participant of mentor.skara1's caseload with one enrolment and a referrer organisation.
  type Caseload = { items: { participant_id: number; enrolment_id: number }[] };
  type Enrolment = { mentor_name: string | null; referrer_organisation_name: string | null; referrer_contact_name: string | null };
  const caseload = await apiGet<Caseload>(page, MENTOR, "/api/v1/me/caseload");
  let chosen: { participantId: number; name: string; enrolment: Enrolment } | null = null;
  for (const item of caseload.items) {
    const participant = await apiGet<{ first_name: string; last_name: string; enrolments: unknown[] }>(
      page, MENTOR, `/api/v1/participants/${item.participant_id}`,
    );
    const enrolment = await apiGet<Enrolment>(page, MENTOR, `/api/v1/enrolments/${item.enrolment_id}`);
    if (participant.enrolments.length === 1 && enrolment.referrer_organisation_name) {
      chosen = { participantId: item.participant_id, name: `${participant.first_name} ${participant.last_name}`, enrolment };
      break;
    }
  }
  expect(chosen, "a demo participant with a referrer organisation").not.toBeNull();
  const mentor = await apiGet<{ display_name: string }>(page, MENTOR, "/api/v1/me");
  expect(chosen!.enrolment.mentor_name).toBe(mentor.display_name);

  await signIn(page, "lead.skara", `/deltagare/${chosen!.participantId}`);
  await expect(page.getByRole("heading", { level: 1, name: chosen!.name })).toBeVisible();
  await expect(headerFact(page, "Kommun")).toHaveText("Skara");
  await expect(headerFact(page, "Mentor")).toContainText(mentor.display_name);
  await expect(headerFact(page, "Mentor")).not.toContainText("Du (");
  await expect(headerFact(page, "Remittent")).toContainText(chosen!.enrolment.referrer_organisation_name!);
  await expect(page.getByRole("region", { name: "Uppgifter om deltagaren" })).not.toContainText(/nr \d/);
  await expect(page).toHaveTitle("Deltagare – Level Up");
  await expectNoAxeViolations(page);
});

test("a mentor of another municipality gets Hittades inte and stays signed in", async ({ page, request }) => {
  const referral = await registerReferral(request, MENTOR, 203);
  await signIn(page, "mentor.vara1", `/deltagare/${referral.participantId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Hittades inte" })).toBeVisible();
  await expect(page.getByText("Testa E2E-203")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Logga ut" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/deltagare/${referral.participantId}$`));
  await expectNoAxeViolations(page);
});

/** Press Tab until `target` has focus (a bounded number of times). */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("Tab never reached the element");
}

test("everything by keyboard: open with Enter, fill, submit; Escape closes and focus returns", async ({ page, request }) => {
  const referral = await registerReferral(request, MENTOR, 204);
  await signIn(page, MENTOR, `/deltagare/${referral.participantId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Testa E2E-204" })).toBeFocused();

  // Intake: Tab to the button, Enter opens the dialog with focus inside it, Enter submits.
  const intake = page.getByRole("button", { name: "Registrera trepartssamtal" });
  await tabTo(page, intake);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel(/Datum då det skedde/)).toBeFocused();
  await tabTo(page, dialog.getByRole("button", { name: "Registrera trepartssamtal" }));
  await page.keyboard.press("Enter");
  await expectDone(page, /Trepartssamtalet är registrerat/);

  // Escape closes the start dialog and focus returns to its button.
  const start = page.getByRole("button", { name: "Starta på Level 1" });
  await tabTo(page, start);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(start).toBeFocused();

  // Open again and start.
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByRole("button", { name: "Starta" }));
  await page.keyboard.press("Enter");
  await expectDone(page, /startat på Level 1/);

  // Step back is not offered at Level 1; pause by keyboard: choose the reason by typing.
  const pause = page.getByRole("button", { name: "Pausa" });
  await tabTo(page, pause);
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  const pauseReason = dialog.getByLabel(/Anledning till pausen/);
  await tabTo(page, pauseReason);
  await page.keyboard.type("Föräld");
  await expect(pauseReason).toHaveValue("parental_leave");
  await tabTo(page, dialog.getByRole("button", { name: "Pausa" }));
  await page.keyboard.press("Enter");
  await expectDone(page, /är pausad/);
  await expect(page.getByRole("button", { name: "Återuppta" })).toBeVisible();
  expect((await enrolmentState(page, referral.enrolmentId)).state).toBe("paused");
});
