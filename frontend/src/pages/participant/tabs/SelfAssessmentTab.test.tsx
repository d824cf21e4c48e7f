import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { type Call, type Handler, mockApi, renderScreen } from "../../../test/render";
import i18n from "../../../i18n";
import { todayIso } from "../../../lib/dates";
import { SelfAssessmentTab } from "./SelfAssessmentTab";
import { CHANGE, ENROLMENT, ITEM_KEYS, meWithout, occasions, PARTICIPANT, QUESTIONNAIRE, submission } from "./testData";

// A form of 100 radios: role queries are slow in jsdom, so these tests get more time.
vi.setConfig({ testTimeout: 20_000 });

const NO_CHANGE = { ...CHANGE, readings: [], items: [] };

function setup(extra: Record<string, Handler> = {}) {
  const calls = mockApi({
    "GET /api/v1/questionnaires/current": { body: QUESTIONNAIRE },
    "GET /api/v1/enrolments/42/assessments": { body: { enrolment_id: 42, occasions: occasions(), submissions: [] } },
    "GET /api/v1/enrolments/42/assessments/change": { body: NO_CHANGE },
    ...extra,
  });
  renderScreen(<SelfAssessmentTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
  return calls;
}

const item = (i: number) => QUESTIONNAIRE.items[i]!;
const group = (i: number) => screen.getByRole("group", { name: item(i).text_sv });

/** Answer every item (fast DOM lookups: role queries over 100 radios are slow in jsdom). */
function answerAll(score: (i: number) => number | null = (i) => (i % 10) + 1, root: ParentNode = document) {
  QUESTIONNAIRE.items.forEach((it, i) => {
    if (score(i) === null) return;
    const legend = Array.from(root.querySelectorAll("legend")).find((l) => l.textContent?.startsWith(it.text_sv));
    const radio = legend?.closest("fieldset")?.querySelector<HTMLInputElement>(`input[value="${score(i)}"]`);
    if (!radio) throw new Error(`no radio for ${it.key}`);
    fireEvent.click(radio);
  });
}

describe("SelfAssessmentTab", () => {
  it("shows the occasions with their status in words and one labelled 1–10 group per item", async () => {
    setup();
    const occasionsTable = await screen.findByRole("table", { name: "Tillfällen för självskattning med status och datum" });
    const start = within(occasionsTable).getByRole("row", { name: /Start/ });
    expect(within(start).getByText("Aktuell")).toBeVisible();
    expect(within(occasionsTable).getAllByText("Inte aktuell ännu")).toHaveLength(2);

    for (let i = 0; i < QUESTIONNAIRE.items.length; i++) {
      const radios = within(group(i)).getAllByRole("radio");
      expect(radios.map((r) => (r as HTMLInputElement).value)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    }
    // The ends of the scale are tied to the group and to the end radios.
    const first = group(0);
    expect(first).toHaveAccessibleDescription("1 = Inte alls redo 10 = Helt redo");
    expect(within(first).getByRole("radio", { name: "1" })).toHaveAccessibleDescription("1 = Inte alls redo");
    expect(within(first).getByRole("radio", { name: "10" })).toHaveAccessibleDescription("10 = Helt redo");
    expect(screen.getByText("Jämförelsen visas när minst två självskattningar är besvarade. Hittills finns 0.")).toBeVisible();
  });

  it("requires every item and the respondent; nothing is sent until they are given", async () => {
    const calls = setup();
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Fyll i självskattning" });
    // Answer all but two items.
    answerAll((i) => (i < 8 ? 5 : null));
    await user.click(screen.getByText("Spara självskattningen"));

    const summary = screen.getByRole("alert");
    expect(summary).toHaveTextContent("Formuläret har 3 fel");
    expect(group(8)).toHaveAccessibleDescription(/Välj ett värde från 1 till 10\./);
    expect(group(9)).toHaveAccessibleDescription(/Välj ett värde från 1 till 10\./);
    expect(group(0)).not.toHaveAccessibleDescription(/Välj ett värde/);
    expect(within(group(9)).getByRole("radio", { name: "4" })).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("group", { name: /Vem svarade/ })).toHaveAccessibleDescription("Välj vem som svarade.");
    // The summary links move focus to the question.
    await user.click(within(summary).getByRole("link", { name: new RegExp(item(9).text_sv.replace("?", "\\?")) }));
    expect(within(group(9)).getByRole("radio", { name: "1" })).toHaveFocus();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("can be filled by keyboard and sends the answers, respondent, date and occasion", async () => {
    const calls = setup({
      "POST /api/v1/enrolments/42/assessments": { status: 201, body: { id: 900 } },
    });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Fyll i självskattning" });

    // Keyboard only: focus the first radio of the first item, arrow keys pick the score.
    within(group(0)).getByRole("radio", { name: "1" }).focus();
    await user.keyboard("{ArrowRight}{ArrowRight}{ArrowRight}");
    expect(within(group(0)).getByRole("radio", { name: "4" })).toBeChecked();
    answerAll((i) => (i === 0 ? null : i + 1));
    await user.click(screen.getByLabelText("Deltagaren tillsammans med mentorn"));
    await user.click(screen.getByText("Spara självskattningen"));

    expect(await screen.findByText("Självskattningen (Start) är sparad.")).toBeVisible();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.path).toBe("/api/v1/enrolments/42/assessments");
    const expected: Record<string, number> = {};
    ITEM_KEYS.forEach((key, i) => (expected[key] = i === 0 ? 4 : i + 1));
    expect(post.body).toEqual({
      occasion: "start",
      questionnaire_version: 1,
      answered_on: todayIso(),
      respondent: "participant_with_mentor",
      answers: expected,
      mentor_rating: null,
    });
    // The lists are read again after the write.
    expect(calls.filter((c) => c.method === "GET" && c.path === "/api/v1/enrolments/42/assessments").length).toBeGreaterThan(1);
  });

  it("keeps the mentor's own rating apart in mentor_rating", async () => {
    const calls = setup({
      "POST /api/v1/enrolments/42/assessments": { status: 201, body: { id: 900 } },
    });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Fyll i självskattning" });
    answerAll(() => 6);
    await user.click(screen.getByLabelText("Deltagaren själv"));
    await user.click(screen.getByLabelText("Lägg till mentorns egen bedömning"));
    const mentorSet = screen.getByText("Mentorns egen bedömning", { selector: "legend" }).closest("fieldset")!;
    answerAll((i) => (i === 4 ? 3 : null), mentorSet);
    await user.click(screen.getByText("Spara självskattningen"));
    await screen.findByText("Självskattningen (Start) är sparad.");
    const body = calls.find((c) => c.method === "POST")!.body as Record<string, unknown>;
    expect(body.mentor_rating).toEqual({ self_esteem: 3 });
    expect((body.answers as Record<string, number>).self_esteem).toBe(6);
  });

  it("explains a 409 (occasion already answered) and offers to reload", async () => {
    const detail =
      "Självskattningen start är redan besvarad. Ett fel rättas med en rättelse av den tidigare självskattningen.";
    const calls = setup({
      "POST /api/v1/enrolments/42/assessments": {
        status: 409,
        body: { error: "InvalidTransition", detail, fields: { occasion: "redan besvarad" } },
      },
    });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Fyll i självskattning" });
    answerAll();
    await user.click(screen.getByLabelText("Deltagaren själv"));
    await user.click(screen.getByText("Spara självskattningen"));

    expect(await screen.findByText(detail)).toBeVisible();
    expect(screen.getByRole("combobox", { name: /Tillfälle/ })).toHaveAccessibleDescription("redan besvarad");
    const before = calls.filter((c) => c.path === "/api/v1/enrolments/42/assessments" && c.method === "GET").length;
    await user.click(screen.getByRole("button", { name: "Läs in på nytt" }));
    expect(calls.filter((c) => c.path === "/api/v1/enrolments/42/assessments" && c.method === "GET").length).toBe(before + 1);
  });

  it("ties a 422 field error from the server to the date", async () => {
    setup({
      "POST /api/v1/enrolments/42/assessments": {
        status: 422,
        body: {
          error: "InvalidEffectiveDate",
          detail: "Datumet 2026-01-01 ligger före remissdatumet (2026-01-10).",
          fields: { answered_on: "före remissdatumet" },
        },
      },
    });
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Fyll i självskattning" });
    answerAll();
    await user.click(screen.getByLabelText("Deltagaren själv"));
    const date = screen.getByLabelText(/Besvarad den/);
    await user.clear(date);
    await user.type(date, "2026-01-01");
    await user.click(screen.getByText("Spara självskattningen"));
    expect(await screen.findByText("Datumet 2026-01-01 ligger före remissdatumet (2026-01-10).")).toBeVisible();
    expect(date).toHaveAttribute("aria-invalid", "true");
    expect(date).toHaveAccessibleDescription(/före remissdatumet/);
  });

  it("shows no form without assessment:record, and says when nothing is due", async () => {
    mockApi({
      "GET /api/v1/me": { body: meWithout("assessment:record") },
      "GET /api/v1/questionnaires/current": { body: QUESTIONNAIRE },
      "GET /api/v1/enrolments/42/assessments": { body: { enrolment_id: 42, occasions: occasions(), submissions: [] } },
      "GET /api/v1/enrolments/42/assessments/change": { body: NO_CHANGE },
    });
    renderScreen(<SelfAssessmentTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
    await screen.findByRole("table", { name: /Tillfällen/ });
    expect(screen.queryByRole("heading", { name: "Fyll i självskattning" })).toBeNull();
    expect(screen.queryByRole("radio")).toBeNull();
  });

  it("a 403 on reading shows 'Inte behörig' inside the tab", async () => {
    setup({
      "GET /api/v1/enrolments/42/assessments": { status: 403, body: { error: "Forbidden", detail: "Saknar behörighet" } },
    });
    expect(await screen.findByText("Inte behörig")).toBeVisible();
  });

  it("lists answers per occasion, and the mentor's rating in its own table", async () => {
    const answered = submission({ answers: Object.fromEntries(ITEM_KEYS.map((k) => [k, 5])), mentor_rating: { diet: 2 } });
    setup({
      "GET /api/v1/enrolments/42/assessments": {
        body: { enrolment_id: 42, occasions: occasions("answered"), submissions: [answered] },
      },
    });
    const answers = await screen.findByRole("table", { name: /Deltagarens svar per tillfälle/ });
    expect(within(within(answers).getByRole("row", { name: /Kost/ })).getByRole("cell")).toHaveTextContent("5");
    const mentor = screen.getByRole("table", { name: /Mentorns bedömning per tillfälle/ });
    expect(within(within(mentor).getByRole("row", { name: /Kost/ })).getByRole("cell")).toHaveTextContent("2");
    expect(screen.getByText(/Ingen självskattning är aktuell just nu/)).toBeVisible();
  });

  it("shows the questions and scale ends in the interface language", async () => {
    await act(() => i18n.changeLanguage("en"));
    try {
      setup();
      const first = await screen.findByRole("group", { name: "EN work_study_readiness" });
      expect(first).toHaveAccessibleDescription("1 = EN low work_study_readiness 10 = EN high work_study_readiness");
      expect(screen.getByRole("heading", { name: "Fill in a self-assessment" })).toBeVisible();
      expect(screen.queryByText(QUESTIONNAIRE.items[0]!.text_sv)).toBeNull();
    } finally {
      cleanup();
      await act(() => i18n.changeLanguage("sv"));
    }
  });

  describe("correcting a submission", () => {
    // The start submission as answered: scores 1–10 in item order, answered with the mentor,
    // and a mentor's rating of 2 for diet.
    const ANSWERED = submission({ respondent: "participant_with_mentor", mentor_rating: { diet: 2 } });
    const REASON = "Svaret på fråga 3 fördes in fel.";
    const CORRECTION_PATH = "/api/v1/assessments/900/corrections";

    function setupAnswered(extra: Record<string, Handler> = {}, submissions = [ANSWERED]) {
      return setup({
        "GET /api/v1/enrolments/42/assessments": {
          body: { enrolment_id: 42, occasions: occasions("answered"), submissions },
        },
        ...extra,
      });
    }

    /** Open the correction of Start; its form (by its heading's name). */
    async function openCorrection(user: ReturnType<typeof userEvent.setup>) {
      await user.click(await screen.findByRole("button", { name: "Rätta Start" }));
      return screen.getByRole("form", { name: "Rätta självskattningen (Start)" });
    }

    /** The score checked in an item's scale inside `root` (the first scale of that item). */
    function checkedScore(root: ParentNode, i: number): number | null {
      const legend = Array.from(root.querySelectorAll("legend")).find((l) => l.textContent?.startsWith(item(i).text_sv));
      const radio = legend?.closest("fieldset")?.querySelector<HTMLInputElement>("input:checked");
      return radio ? Number(radio.value) : null;
    }

    const reasonBox = (form: HTMLElement) => within(form).getByRole("textbox", { name: /Varför rättas svaren\?/ });
    const posts = (calls: Call[]) => calls.filter((c) => c.method === "POST");

    it("offers 'Rätta' for the current submission of an occasion only, and shows why it was corrected", async () => {
      const older = submission({ id: 899, superseded_by_id: 900, answers: { diet: 1 } });
      const current = submission({ supersedes_id: 899, correction_reason: REASON });
      setupAnswered({}, [older, current]);
      const occasionsTable = await screen.findByRole("table", { name: /Tillfällen för självskattning/ });
      const button = within(within(occasionsTable).getByRole("row", { name: /Start/ })).getByRole("button", { name: "Rätta Start" });
      expect(button).toHaveTextContent("Rätta");
      expect(button).toHaveAttribute("aria-expanded", "false");
      // Only one submission is current: one button, and the superseded answers are not listed.
      expect(within(occasionsTable).getAllByRole("button")).toHaveLength(1);
      expect(screen.getByText(`Start rättad: ${REASON}`)).toBeVisible();
      const answers = screen.getByRole("table", { name: /Deltagarens svar per tillfälle/ });
      expect(within(within(answers).getByRole("row", { name: /Kost/ })).getAllByRole("cell").map((c) => c.textContent)).toEqual(["7"]);
    });

    it("offers no correction without assessment:record", async () => {
      mockApi({
        "GET /api/v1/me": { body: meWithout("assessment:record") },
        "GET /api/v1/questionnaires/current": { body: QUESTIONNAIRE },
        "GET /api/v1/enrolments/42/assessments": {
          body: { enrolment_id: 42, occasions: occasions("answered"), submissions: [ANSWERED] },
        },
        "GET /api/v1/enrolments/42/assessments/change": { body: NO_CHANGE },
      });
      renderScreen(<SelfAssessmentTab participant={PARTICIPANT} enrolment={ENROLMENT} programme={null} />);
      await screen.findByRole("table", { name: /Deltagarens svar per tillfälle/ });
      expect(screen.queryByRole("button", { name: /Rätta/ })).toBeNull();
      expect(screen.queryByRole("columnheader", { name: "Åtgärder" })).toBeNull();
    });

    it("opens a form prefilled with the submission, focused, with an empty required reason", async () => {
      setupAnswered();
      const user = userEvent.setup();
      const form = await openCorrection(user);
      expect(screen.getByRole("heading", { name: "Rätta självskattningen (Start)" })).toHaveFocus();
      expect(screen.getByRole("button", { name: "Rätta Start" })).toHaveAttribute("aria-expanded", "true");
      QUESTIONNAIRE.items.forEach((_it, i) => expect(checkedScore(form, i)).toBe((i % 10) + 1));
      expect(within(form).getByLabelText("Deltagaren tillsammans med mentorn")).toBeChecked();
      expect(within(form).getByLabelText(/Besvarad den/)).toHaveValue("2026-01-12");
      expect(within(form).getByLabelText("Lägg till mentorns egen bedömning")).toBeChecked();
      const mentorSet = within(form).getByText("Mentorns egen bedömning", { selector: "legend" }).closest("fieldset")!;
      expect(checkedScore(mentorSet, 6)).toBe(2); // diet
      expect(checkedScore(mentorSet, 0)).toBeNull();
      expect(reasonBox(form)).toHaveValue("");
      expect(reasonBox(form)).toHaveAttribute("aria-required", "true");
      // The occasion is the corrected one's: nothing to choose.
      expect(within(form).queryByRole("combobox", { name: /Tillfälle/ })).toBeNull();
    });

    it("refuses a blank reason without sending anything", async () => {
      const calls = setupAnswered();
      const user = userEvent.setup();
      const form = await openCorrection(user);
      await user.type(reasonBox(form), "   ");
      await user.click(within(form).getByRole("button", { name: "Spara rättelsen" }));
      expect(within(form).getByText("Formuläret har ett fel")).toBeVisible();
      expect(reasonBox(form)).toHaveAttribute("aria-invalid", "true");
      expect(reasonBox(form)).toHaveAccessibleDescription(/Skriv varför svaren rättas\./);
      await user.click(within(form).getByRole("link", { name: /Varför rättas svaren\?/ }));
      expect(reasonBox(form)).toHaveFocus();
      expect(posts(calls)).toHaveLength(0);
    });

    it("posts the correction, confirms it, closes the form and reads the answers again", async () => {
      let corrected = false;
      const answers = { ...ANSWERED.answers, mental_health: 7 };
      const calls = setupAnswered({
        "GET /api/v1/enrolments/42/assessments": () => ({
          body: {
            enrolment_id: 42,
            occasions: corrected ? occasions("answered").map((o) => (o.occasion === "start" ? { ...o, submission_id: 901 } : o)) : occasions("answered"),
            submissions: corrected
              ? [
                  { ...ANSWERED, superseded_by_id: 901 },
                  { ...ANSWERED, id: 901, answers, supersedes_id: 900, correction_reason: REASON },
                ]
              : [ANSWERED],
          },
        }),
        [`POST ${CORRECTION_PATH}`]: () => {
          corrected = true;
          return { status: 201, body: { ...ANSWERED, id: 901, answers, supersedes_id: 900, correction_reason: REASON } };
        },
      });
      const user = userEvent.setup();
      const form = await openCorrection(user);
      answerAll((i) => (i === 2 ? 7 : null), form); // mental health: 3 → 7
      await user.type(reasonBox(form), `  ${REASON} `);
      await user.click(within(form).getByRole("button", { name: "Spara rättelsen" }));

      const confirmation = await screen.findByText("Rättelsen av självskattningen (Start) är sparad.");
      expect(confirmation).toBeVisible();
      expect(confirmation.parentElement).toHaveFocus();
      expect(screen.queryByRole("form", { name: "Rätta självskattningen (Start)" })).toBeNull();
      expect(posts(calls)).toHaveLength(1);
      const post = posts(calls)[0]!;
      expect(post.path).toBe(CORRECTION_PATH);
      expect(post.body).toEqual({
        reason: REASON,
        answered_on: "2026-01-12",
        respondent: "participant_with_mentor",
        answers: Object.fromEntries(ITEM_KEYS.map((key, i) => [key, i === 2 ? 7 : (i % 10) + 1])),
        mentor_rating: { diet: 2 },
      });
      // The answers and the change view are read again: the corrected score and the reason show.
      expect(await screen.findByText(`Start rättad: ${REASON}`)).toBeVisible();
      const readings = screen.getByRole("table", { name: /Deltagarens svar per tillfälle/ });
      expect(within(within(readings).getByRole("row", { name: /Psykisk hälsa/ })).getByRole("cell")).toHaveTextContent("7");
      const gets = (path: string) => calls.filter((c) => c.method === "GET" && c.path === path).length;
      expect(gets("/api/v1/enrolments/42/assessments")).toBeGreaterThan(1);
      expect(gets("/api/v1/enrolments/42/assessments/change")).toBeGreaterThan(1);
    });

    it("cancel closes the form without sending and returns focus to its button", async () => {
      const calls = setupAnswered();
      const user = userEvent.setup();
      const form = await openCorrection(user);
      await user.type(reasonBox(form), REASON);
      await user.click(within(form).getByRole("button", { name: "Avbryt" }));
      expect(screen.queryByRole("form", { name: "Rätta självskattningen (Start)" })).toBeNull();
      await waitFor(() => expect(screen.getByRole("button", { name: "Rätta Start" })).toHaveFocus());
      expect(posts(calls)).toHaveLength(0);
    });

    it("shows a 422 from the server at its field and keeps everything typed", async () => {
      const detail = "Datumet 2026-01-05 ligger före remissdatumet (2026-01-10).";
      const calls = setupAnswered({
        [`POST ${CORRECTION_PATH}`]: {
          status: 422,
          body: { error: "InvalidEffectiveDate", detail, fields: { answered_on: "före remissdatumet" } },
        },
      });
      const user = userEvent.setup();
      const form = await openCorrection(user);
      answerAll((i) => (i === 2 ? 7 : null), form);
      const date = within(form).getByLabelText(/Besvarad den/);
      await user.clear(date);
      await user.type(date, "2026-01-05");
      await user.type(reasonBox(form), REASON);
      await user.click(within(form).getByRole("button", { name: "Spara rättelsen" }));

      expect(await within(form).findByText(detail)).toBeVisible();
      expect(date).toHaveAttribute("aria-invalid", "true");
      expect(date).toHaveAccessibleDescription(/före remissdatumet/);
      expect(within(form).getByRole("link", { name: /Besvarad den: före remissdatumet/ })).toBeVisible();
      // Nothing typed is lost.
      expect(date).toHaveValue("2026-01-05");
      expect(reasonBox(form)).toHaveValue(REASON);
      expect(checkedScore(form, 2)).toBe(7);
      expect(screen.queryByText(/Rättelsen av självskattningen/)).toBeNull();
      expect(posts(calls)).toHaveLength(1);
    });

    it("explains a 409 (corrected meanwhile), keeps the form, and reloading starts from the newest", async () => {
      const detail = "Självskattningen har redan ersatts av en rättelse. Rätta den senaste versionen.";
      const calls = setupAnswered({
        [`POST ${CORRECTION_PATH}`]: {
          status: 409,
          body: { error: "InvalidTransition", detail, fields: { id: "redan ersatt" } },
        },
      });
      const user = userEvent.setup();
      const form = await openCorrection(user);
      await user.type(reasonBox(form), REASON);
      await user.click(within(form).getByRole("button", { name: "Spara rättelsen" }));

      expect(await within(form).findByText(detail)).toBeVisible();
      expect(within(form).getByRole("link", { name: "Tillfälle: redan ersatt" })).toBeVisible();
      expect(reasonBox(form)).toHaveValue(REASON);
      expect(checkedScore(form, 0)).toBe(1);
      const before = calls.filter((c) => c.method === "GET" && c.path === "/api/v1/enrolments/42/assessments").length;
      await user.click(within(form).getByRole("button", { name: "Läs in på nytt" }));
      expect(screen.queryByRole("form", { name: "Rätta självskattningen (Start)" })).toBeNull();
      await waitFor(() =>
        expect(calls.filter((c) => c.method === "GET" && c.path === "/api/v1/enrolments/42/assessments").length).toBe(before + 1),
      );
    });

    it("corrects on the questionnaire version the submission was answered on", async () => {
      const older = { ...QUESTIONNAIRE, items: QUESTIONNAIRE.items.slice(0, 9) };
      const v1 = submission({ answers: Object.fromEntries(ITEM_KEYS.slice(0, 9).map((key) => [key, 4])) });
      const calls = setupAnswered(
        {
          "GET /api/v1/questionnaires/current": { body: { ...QUESTIONNAIRE, version: 2 } },
          "GET /api/v1/questionnaires/1": { body: older },
          [`POST ${CORRECTION_PATH}`]: { status: 201, body: { ...v1, id: 901, supersedes_id: 900, correction_reason: REASON } },
        },
        [v1],
      );
      const user = userEvent.setup();
      await user.click(await screen.findByRole("button", { name: "Rätta Start" }));
      const form = await screen.findByRole("form", { name: "Rätta självskattningen (Start)" });
      const participantSet = within(form).getByText("Deltagarens svar", { selector: "legend" }).closest("fieldset")!;
      expect(participantSet.querySelectorAll("fieldset")).toHaveLength(9);
      expect(within(form).queryByText(item(9).text_sv)).toBeNull();
      await user.type(reasonBox(form), REASON);
      await user.click(within(form).getByRole("button", { name: "Spara rättelsen" }));
      await screen.findByText("Rättelsen av självskattningen (Start) är sparad.");
      const body = posts(calls)[0]!.body as { answers: Record<string, number> };
      expect(Object.keys(body.answers)).toEqual(ITEM_KEYS.slice(0, 9));
    });
  });
});
