// The participant page's tabs against the real backend: self-assessment (by keyboard), its correction
// and the chart of first vs latest, activities, plan and resource group, consents, follow-ups.
// Serial range 300–399 (each test makes its own participant).
import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";
import { command, type Referral, registerReferral, swedishToday, tokenFor } from "./api";
import { expectNoAxeViolations, signIn } from "./fixtures";

const MENTOR = "mentor.skara1";

async function activeParticipant(request: APIRequestContext, serial: number): Promise<Referral> {
  const referral = await registerReferral(request, MENTOR, serial);
  await command(request, MENTOR, referral.enrolmentId, "intake");
  await command(request, MENTOR, referral.enrolmentId, "start");
  return referral;
}

async function openParticipant(page: Page, participantId: number): Promise<Locator> {
  await signIn(page, MENTOR, `/deltagare/${participantId}`);
  const tablist = page.getByRole("tablist", { name: "Deltagarens insats" });
  await expect(tablist).toBeVisible();
  return tablist;
}

async function openTab(page: Page, name: string): Promise<Locator> {
  await page.getByRole("tab", { name }).click();
  await expect(page.getByRole("tab", { name })).toHaveAttribute("aria-selected", "true");
  return page.getByRole("tabpanel", { name });
}

async function api(request: APIRequestContext) {
  const token = await tokenFor(request, MENTOR);
  return { Authorization: `Bearer ${token}` };
}

/** A self-assessment through the API, today (Swedish date), scores in the questionnaire's order. */
async function postAssessment(
  request: APIRequestContext,
  enrolmentId: number,
  occasion: string,
  respondent: string,
  scores: number[],
): Promise<void> {
  const headers = await api(request);
  const questionnaire = await request.get("/api/v1/questionnaires/current", { headers });
  const keys = ((await questionnaire.json()) as { items: { key: string }[] }).items.map((i) => i.key);
  const posted = await request.post(`/api/v1/enrolments/${enrolmentId}/assessments`, {
    headers,
    data: { occasion, answered_on: swedishToday(), respondent, answers: Object.fromEntries(keys.map((key, i) => [key, scores[i]])) },
  });
  expect(posted.status(), await posted.text()).toBe(201);
}

test("the tabs work by keyboard and every tab passes axe", async ({ page, request }) => {
  const { participantId } = await activeParticipant(request, 300);
  const tablist = await openParticipant(page, participantId);
  const tab = (name: string) => tablist.getByRole("tab", { name });

  await expect(tab("Självskattning")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("heading", { name: "Fyll i självskattning" })).toBeVisible();
  await tab("Självskattning").focus();
  for (const name of ["Uppföljningar", "Aktiviteter", "Plan och resursgrupp", "Samtycken"]) {
    await page.keyboard.press("ArrowRight");
    await expect(tab(name)).toBeFocused();
    await expect(tab(name)).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("tabpanel", { name })).toBeVisible();
    await expect(page.getByRole("tabpanel", { name }).getByRole("heading").first()).toBeVisible();
    await expect(page.getByRole("tabpanel", { name }).getByText("Laddar …")).toHaveCount(0);
    await expectNoAxeViolations(page);
  }
  await page.keyboard.press("ArrowRight");
  await expect(tab("Självskattning")).toBeFocused();
  await page.keyboard.press("End");
  await expect(tab("Samtycken")).toBeFocused();
  await page.keyboard.press("Home");
  await expect(tab("Självskattning")).toBeFocused();
  // Only the selected tab is in the tab order.
  await expect(tablist.locator('[role="tab"][tabindex="0"]')).toHaveCount(1);
  await expectNoAxeViolations(page);
});

test("a mentor fills the start self-assessment by keyboard and then sees first vs latest", async ({ page, request }) => {
  const { participantId, enrolmentId } = await activeParticipant(request, 301);
  await openParticipant(page, participantId);
  const panel = page.getByRole("tabpanel", { name: "Självskattning" });
  const occasions = panel.getByRole("table", { name: /Tillfällen för självskattning/ });
  await expect(occasions.getByRole("row", { name: /Start/ })).toContainText("Aktuell");
  await expectNoAxeViolations(page);

  // Who answered, then the ten questions: only the keyboard.
  await panel.getByRole("radio", { name: "Deltagaren själv" }).focus();
  await page.keyboard.press("Space");
  await expect(panel.getByRole("radio", { name: "Deltagaren själv" })).toBeChecked();
  const answers = panel.getByRole("group", { name: "Deltagarens svar" });
  const questions = answers.getByRole("group");
  await expect(questions).toHaveCount(10);
  const start = [3, 4, 2, 5, 3, 6, 4, 5, 7, 6];
  await page.keyboard.press("Tab"); // into the first question
  for (let i = 0; i < 10; i++) {
    await expect(questions.nth(i).getByRole("radio", { name: "1", exact: true })).toBeFocused();
    await page.keyboard.press("Space");
    for (let n = 1; n < start[i]!; n++) await page.keyboard.press("ArrowRight");
    await expect(questions.nth(i).getByRole("radio", { name: String(start[i]), exact: true })).toBeChecked();
    if (i < 9) await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Tab"); // the mentor-rating checkbox
  await page.keyboard.press("Tab"); // the submit button
  await expect(panel.getByRole("button", { name: "Spara självskattningen" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(panel.getByText("Självskattningen (Start) är sparad.")).toBeVisible();
  await expect(occasions.getByRole("row", { name: /Start/ })).toContainText("Besvarad");
  await expect(panel.getByText(/Jämförelsen visas när minst två självskattningar är besvarade/)).toBeVisible();
  await expectNoAxeViolations(page);

  // A second reading after Level 1, through the API.
  await command(request, MENTOR, enrolmentId, "advance");
  await postAssessment(request, enrolmentId, "after_step_1", "participant_with_mentor", [6, 4, 1, 8, 7, 6, 5, 9, 7, 8]);

  await page.reload();
  const change = page.getByRole("table", { name: "Första och senaste svar per fråga" });
  await expect(change).toBeVisible();
  const row = (name: string) => change.getByRole("row", { name: new RegExp(`^${name}`) });
  await expect(row("Redo för arbete eller studier").getByRole("cell")).toHaveText(["3", "6", "+3", "Bättre"]);
  await expect(row("Psykisk hälsa").getByRole("cell")).toHaveText(["2", "1", "-1", "Sämre"]);
  await expect(row("Motionsvanor").getByRole("cell")).toHaveText(["6", "6", "0", "Oförändrad"]);
  await expect(page.getByText("Av 10 frågor är 6 bättre, 3 oförändrade och 1 sämre.", { exact: true })).toBeVisible();
  // The chart (loaded lazily) is an image with a title and a description in words.
  const chart = page.getByRole("img", { name: /Stapeldiagram: första och senaste svar per fråga/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator("desc")).toContainText("6 bättre, 3 oförändrade och 1 sämre");
  await expect(page.getByRole("table", { name: /Deltagarens svar per tillfälle/ })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("a mentor corrects the start self-assessment and sees the corrected score and why", async ({ page, request }) => {
  const { participantId, enrolmentId } = await activeParticipant(request, 306);
  const headers = await api(request);
  // Mental health (the third question) entered as 2.
  await postAssessment(request, enrolmentId, "start", "participant", [5, 5, 2, 5, 5, 5, 5, 5, 5, 5]);

  await openParticipant(page, participantId);
  const panel = page.getByRole("tabpanel", { name: "Självskattning" });
  const readings = panel.getByRole("table", { name: /Deltagarens svar per tillfälle/ });
  const mental = readings.getByRole("row", { name: /^Psykisk hälsa/ });
  await expect(mental.getByRole("cell")).toHaveText(["2"]);

  // Opened by keyboard; the form starts from the answers given.
  await panel.getByRole("button", { name: "Rätta Start" }).focus();
  await page.keyboard.press("Enter");
  const form = panel.getByRole("form", { name: "Rätta självskattningen (Start)" });
  await expect(form.getByRole("heading", { name: "Rätta självskattningen (Start)" })).toBeFocused();
  const questions = form.getByRole("group", { name: "Deltagarens svar" }).getByRole("group");
  await expect(questions).toHaveCount(10);
  await expect(questions.nth(2).getByRole("radio", { name: "2", exact: true })).toBeChecked();
  await expect(form.getByRole("radio", { name: "Deltagaren själv" })).toBeChecked();
  await expectNoAxeViolations(page);

  // No reason, no correction.
  const reason = form.getByRole("textbox", { name: /Varför rättas svaren/ });
  await form.getByRole("button", { name: "Spara rättelsen" }).click();
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  await questions.nth(2).getByRole("radio", { name: "6", exact: true }).check();
  await reason.fill("Svaret på psykisk hälsa fördes in som 2; deltagaren svarade 6.");
  await form.getByRole("button", { name: "Spara rättelsen" }).click();
  const confirmation = panel.getByText("Rättelsen av självskattningen (Start) är sparad.");
  await expect(confirmation).toBeVisible();
  await expect(page.locator(":focus")).toContainText("Rättelsen av självskattningen (Start) är sparad.");
  await expect(form).toHaveCount(0);
  await expect(mental.getByRole("cell")).toHaveText(["6"]);
  await expect(panel.getByText("Start rättad: Svaret på psykisk hälsa fördes in som 2; deltagaren svarade 6.")).toBeVisible();
  await expectNoAxeViolations(page);

  // The earlier answers stay, superseded by the correction.
  const listed = await request.get(`/api/v1/enrolments/${enrolmentId}/assessments`, { headers });
  const submissions = ((await listed.json()) as { submissions: { id: number; supersedes_id: number | null; superseded_by_id: number | null }[] }).submissions;
  expect(submissions).toHaveLength(2);
  const correction = submissions.find((s) => s.supersedes_id != null)!;
  expect(submissions.find((s) => s.id === correction.supersedes_id)?.superseded_by_id).toBe(correction.id);
});

test("a mentor records an activity and sees the hours of the week", async ({ page, request }) => {
  const { participantId } = await activeParticipant(request, 302);
  await openParticipant(page, participantId);
  const panel = await openTab(page, "Aktiviteter");
  await expect(panel.getByText("Inga aktiviteter är registrerade ännu.")).toBeVisible();
  await expectNoAxeViolations(page);

  await panel.getByRole("button", { name: "Spara aktiviteten" }).click();
  await expect(panel.getByRole("combobox", { name: /Typ av aktivitet/ })).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  await panel.getByRole("combobox", { name: /Typ av aktivitet/ }).selectOption({ label: "Motiverande samtal" });
  await panel.getByRole("spinbutton", { name: /Tid i minuter/ }).fill("90");
  await panel.getByRole("textbox", { name: /Anordnare/ }).fill("Arbetsmarknadsenheten");
  await panel.getByRole("button", { name: "Spara aktiviteten" }).click();
  await expect(panel.getByText(/Aktiviteten \(Motiverande samtal, .*\) är sparad\./)).toBeVisible();
  const log = panel.getByRole("table", { name: "Registrerade aktiviteter, senaste först" });
  await expect(log.getByRole("row", { name: /Motiverande samtal/ })).toContainText("1 tim 30 min");
  const hours = panel.getByRole("table", { name: /Timmar per vecka jämfört med halvtid/ });
  await expect(hours.getByRole("row").last()).toContainText("1,5");
  await expect(hours.getByRole("row").last()).toContainText("18,5 timmar kvar till halvtid");
  await expectNoAxeViolations(page);
});

test("a mentor saves a plan goal (a new revision) and keeps the resource group", async ({ page, request }) => {
  const { participantId } = await activeParticipant(request, 303);
  await openParticipant(page, participantId);
  const panel = await openTab(page, "Plan och resursgrupp");
  await expect(panel.getByText("Ingen plan är sparad ännu.")).toBeVisible();
  await panel.getByRole("button", { name: "Skapa plan" }).click();
  const goal = panel.getByRole("group", { name: "Mål 1" });
  await goal.getByRole("textbox", { name: "Mål", exact: true }).fill("Börja på komvux i höst");
  await goal.getByRole("textbox", { name: /Livsområde/ }).fill("Studier");
  await goal.getByRole("combobox", { name: "Status" }).selectOption("in_progress");
  await goal.getByLabel(/Måldatum/).fill("2027-08-20");
  await expectNoAxeViolations(page);
  await panel.getByRole("button", { name: "Spara planen" }).click();
  await expect(panel.getByText("Planen är sparad som version 1.")).toBeVisible();
  const goals = panel.getByRole("table", { name: "Planens mål" });
  await expect(goals.getByRole("row", { name: /Börja på komvux i höst/ })).toContainText("Pågår");
  await expect(panel.getByText(/Version 1, sparad .*, 1 mål/)).toBeVisible();

  // A second revision: the first stays listed.
  await panel.getByRole("button", { name: "Ändra planen" }).click();
  await panel.getByRole("group", { name: "Mål 1" }).getByRole("combobox", { name: "Status" }).selectOption("achieved");
  await panel.getByRole("button", { name: "Spara planen" }).click();
  await expect(panel.getByText("Planen är sparad som version 2.")).toBeVisible();
  await expect(panel.getByText(/Version 1, sparad .*, 1 mål/)).toBeVisible();
  await panel.getByText(/Version 1, sparad/).click(); // opens the revision's details
  await expect(panel.getByRole("table", { name: "Mål i version 1" })).toContainText("Pågår");

  // Resource group: add, then remove (kept as a former member).
  await panel.getByRole("textbox", { name: /^Roll/ }).fill("Handläggare");
  await panel.getByRole("textbox", { name: /^Organisation/ }).fill("Försäkringskassan");
  await panel.getByRole("textbox", { name: /^Namn/ }).fill("Kim Testsson");
  await panel.getByRole("textbox", { name: /^Telefon/ }).fill("010-123 45 67");
  await panel.getByRole("button", { name: "Lägg till i resursgruppen" }).click();
  await expect(panel.getByText("Kim Testsson är tillagd i resursgruppen.")).toBeVisible();
  const members = panel.getByRole("table", { name: "Nuvarande medlemmar i resursgruppen" });
  await expect(members.getByRole("row", { name: /Kim Testsson/ })).toContainText("Försäkringskassan");
  await expectNoAxeViolations(page);
  await panel.getByRole("button", { name: "Ta bort: Kim Testsson" }).click();
  await expect(panel.getByRole("button", { name: "Ja, ta bort" })).toBeFocused();
  await panel.getByRole("button", { name: "Ja, ta bort" }).click();
  await expect(panel.getByText(/Kim Testsson är borttagen ur resursgruppen/)).toBeVisible();
  await expect(panel.getByRole("table", { name: "Tidigare medlemmar i resursgruppen" })).toContainText("Kim Testsson");
  await expectNoAxeViolations(page);
});

test("a mentor gives and withdraws a consent; withdrawing what was never given is explained", async ({ page, request }) => {
  const { participantId } = await activeParticipant(request, 304);
  await openParticipant(page, participantId);
  const panel = await openTab(page, "Samtycken");
  const card = panel.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Uppföljande kontakt efter avslut" }) });
  await expect(card).toBeVisible();
  await expectNoAxeViolations(page);

  const form = panel.getByRole("region", { name: "Registrera samtycke eller återkallelse" });
  await form.getByRole("combobox", { name: /Ändamål/ }).selectOption("follow_up_contact");
  await form.getByRole("radio", { name: "Samtycke lämnat" }).check();
  await form.getByRole("textbox", { name: /Blankett/ }).fill("Samtyckesblankett E2E");
  await form.getByRole("button", { name: "Spara" }).click();
  await expect(form.getByText("Samtycket ”Uppföljande kontakt efter avslut” är registrerat som lämnat.")).toBeVisible();
  await expect(card.getByText("Gäller", { exact: true })).toBeVisible();

  await form.getByRole("combobox", { name: /Ändamål/ }).selectOption("follow_up_contact");
  await form.getByRole("radio", { name: "Samtycke återkallat" }).check();
  await form.getByRole("button", { name: "Spara" }).click();
  await expect(form.getByText("Samtycket ”Uppföljande kontakt efter avslut” är registrerat som återkallat.")).toBeVisible();
  await expect(card.getByText("Gäller inte")).toBeVisible();
  await expect(card.getByText(/återkallat/)).toBeVisible();
  const ledger = panel.getByRole("table", { name: /Alla lämnade och återkallade samtycken/ });
  await expect(ledger.getByRole("row", { name: /Uppföljande kontakt efter avslut/ })).toHaveCount(2);

  // Evaluation consent was never given: the server refuses, the page says why.
  await form.getByRole("combobox", { name: /Ändamål/ }).selectOption("evaluation");
  await form.getByRole("radio", { name: "Samtycke återkallat" }).check();
  await form.getByRole("button", { name: "Spara" }).click();
  await expect(form.getByText("Det finns inget gällande samtycke att återkalla för detta ändamål.")).toBeVisible();
  await expect(form.getByRole("group", { name: /Händelse/ })).toHaveAccessibleDescription(/inget samtycke att återkalla/);
  await expectNoAxeViolations(page);
});

test("a mentor records the follow-up scheduled by Level 4 (work or studies)", async ({ page, request }) => {
  const { participantId, enrolmentId } = await activeParticipant(request, 305);
  await command(request, MENTOR, enrolmentId, "advance");
  await command(request, MENTOR, enrolmentId, "advance");
  await command(request, MENTOR, enrolmentId, "advance", {
    outcome: { kind: "work", subsidised: false, extent_percent: 50, starts_on: swedishToday() },
  });
  await openParticipant(page, participantId);
  const panel = await openTab(page, "Uppföljningar");
  const table = panel.getByRole("table", { name: /Uppföljningar med datum/ });
  const row = table.getByRole("row", { name: /stödperioden slutar/ });
  await expect(row).toContainText("Kommande");
  await expectNoAxeViolations(page);

  await panel.getByRole("button", { name: /Registrera resultat: Uppföljning när stödperioden slutar/ }).click();
  await expect(panel.getByRole("heading", { name: /Registrera resultat/ })).toBeFocused();
  await panel.getByRole("radio", { name: "Ja, kontakt nåddes" }).check();
  await panel.getByRole("button", { name: "Spara resultatet" }).click();
  await expect(panel.getByRole("combobox", { name: /Nuvarande situation/ })).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);

  await panel.getByRole("combobox", { name: /Nuvarande situation/ }).selectOption("work");
  await panel.getByRole("spinbutton", { name: /Sysselsättningsgrad/ }).fill("50");
  await panel.getByRole("group", { name: /självförsörjande/ }).getByRole("radio", { name: "Nej" }).check();
  await panel.getByRole("button", { name: "Spara resultatet" }).click();
  await expect(panel.getByText("Resultatet för Uppföljning när stödperioden slutar är registrerat.")).toBeVisible();
  await expect(row).toContainText("Registrerad");
  await expect(row).toContainText("Arbete, 50 %");
  await expectNoAxeViolations(page);
});
