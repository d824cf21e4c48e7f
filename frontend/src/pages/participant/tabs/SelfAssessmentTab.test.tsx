import { act, cleanup, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { type Handler, mockApi, renderScreen } from "../../../test/render";
import i18n from "../../../i18n";
import { todayIso } from "../../../lib/dates";
import { SelfAssessmentTab } from "./SelfAssessmentTab";
import { CHANGE, ENROLMENT, ITEM_KEYS, meWithout, occasions, PARTICIPANT, QUESTIONNAIRE } from "./testData";

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
    const submission = {
      id: 900,
      occasion: "start",
      questionnaire_version: 1,
      answered_on: "2026-01-12",
      respondent: "participant",
      answers: Object.fromEntries(ITEM_KEYS.map((k) => [k, 5])),
      mentor_rating: { diet: 2 },
      recorded_at: "2026-01-12T10:00:00Z",
      recorded_by_user_id: 1,
      supersedes_id: null,
      superseded_by_id: null,
      correction_reason: null,
    };
    setup({
      "GET /api/v1/enrolments/42/assessments": {
        body: { enrolment_id: 42, occasions: occasions("answered"), submissions: [submission] },
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
});
