import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import i18n from "../../i18n";
import { type Handler, ME_MENTOR, mockApi, renderScreen } from "../../test/render";
import { MentorStart } from "./MentorStart";

const item = (overrides: Record<string, unknown>) => ({
  enrolment_id: 1,
  participant_id: 1,
  first_name: "Anna",
  last_name: "Andersson",
  personnummer_masked: "20040117-****",
  programme_code: "level_up",
  programme_name: "Level Up",
  state: "active",
  step: 2,
  step_count: 4,
  step_name: "Level 2 – gruppverksamhet",
  days_in_step: 44,
  referred_on: "2026-01-10",
  started_on: "2026-02-01",
  version: 3,
  ...overrides,
});

const CASELOAD = {
  count: 3,
  items: [
    item({}),
    item({
      enrolment_id: 2,
      participant_id: 12,
      first_name: "Bo",
      last_name: "Berg",
      personnummer_masked: "19990101-****",
      programme_code: "level_upgrade",
      programme_name: "Level Upgrade",
      state: "referred",
      step: null,
      step_name: null,
      days_in_step: null,
      started_on: null,
    }),
    item({
      enrolment_id: 3,
      participant_id: 13,
      first_name: "Cecilia",
      last_name: "Ceder",
      step: 3,
      step_name: "Level 3 – förberedelse",
      days_in_step: 1,
    }),
  ],
};

const person = (id: number, first: string, last: string) => ({
  participant_id: id,
  first_name: first,
  last_name: last,
  personnummer_masked: "20040117-****",
  mentor_id: 1,
  programme_code: "level_up",
});

const TASKS = {
  today: "2026-11-23",
  week_start: "2026-11-23",
  week_end: "2026-11-29",
  quiet_after_days: 30,
  assessments: [
    { ...person(1, "Anna", "Andersson"), enrolment_id: 1, occasion: "after_step_1", due_on: "2026-11-20", status: "due" },
    { ...person(20, "Doris", "Dahl"), enrolment_id: 20, occasion: "start", due_on: "2026-09-01", status: "overdue" },
  ],
  follow_ups: [
    { ...person(21, "Erik", "Ek"), id: 5, enrolment_id: 21, kind: "after_exit_90_days", due_on: "2026-11-30", status: "due" },
    { ...person(22, "Frida", "Fors"), id: 6, enrolment_id: 22, kind: "after_exit_1_year", due_on: "2026-11-25", status: "not_permitted" },
    { ...person(23, "Gustav", "Gran"), id: 7, enrolment_id: 23, kind: "after_exit_90_days", due_on: "2026-10-01", status: "overdue" },
  ],
  sessions: [
    {
      cohort_id: 100,
      cohort_name: "Gruppaktivitet höst 2026",
      kind: "level2_group",
      provider: "Studieförbundet Vuxenskolan",
      session_id: 1589,
      held_on: "2026-11-24",
      start_time: "09:30",
      duration_minutes: 150,
      enrolment_ids: [1],
    },
  ],
  quiet_participants: [
    {
      enrolment_id: 3,
      participant_id: 13,
      first_name: "Cecilia",
      last_name: "Ceder",
      personnummer_masked: "20040117-****",
      programme_code: "level_up",
      state: "active",
      step: 3,
      last_activity_on: "2026-10-01",
      days_without_activity: 53,
    },
  ],
};

const EMPTY_TASKS = { ...TASKS, assessments: [], follow_ups: [], sessions: [], quiet_participants: [] };

function renderStart(table: Record<string, Handler> = {}) {
  const calls = mockApi({
    "GET /api/v1/me/caseload": { body: CASELOAD },
    "GET /api/v1/me/tasks": { body: TASKS },
    ...table,
  });
  renderScreen(<MentorStart />, { route: "/start", path: "/start" });
  return calls;
}

const caseloadTable = async () => within(await screen.findByRole("table"));
const bodyRows = (table: { getAllByRole: (role: "row") => HTMLElement[] }) => table.getAllByRole("row").slice(1);

describe("MentorStart: caseload", { timeout: 20_000 }, () => {
  test("each person with a link, masked personnummer, programme, staircase marker, level, state and days", async () => {
    renderStart();
    const table = await caseloadTable();
    expect(table.getAllByRole("columnheader").map((th) => th.textContent?.replace(/[▲▼↕]/g, "").trim())).toEqual([
      "Namn",
      "Personnummer",
      "Program",
      "Level",
      "Tillstånd",
      "Dagar på leveln",
    ]);

    const rows = bodyRows(table);
    expect(rows).toHaveLength(3);
    const anna = within(rows[0]!);
    expect(anna.getByRole("link", { name: "Anna Andersson" })).toHaveAttribute("href", "/deltagare/1");
    expect(anna.getByText("20040117-****")).toBeInTheDocument();
    expect(anna.getByText("Level Up")).toBeInTheDocument();
    expect(anna.getByRole("img", { name: "Trappan: level 2 av 4" })).toBeInTheDocument();
    expect(anna.getByText("Level 2 – gruppverksamhet")).toBeInTheDocument();
    expect(anna.getByText("Aktiv")).toBeInTheDocument();
    expect(anna.getByText("44 dagar")).toBeInTheDocument();

    const bo = within(rows[1]!);
    expect(bo.getByRole("img", { name: "Inte startad" })).toBeInTheDocument();
    expect(bo.getByText("Remitterad")).toBeInTheDocument();
    expect(bo.getByText("inte startad")).toHaveClass("visually-hidden");

    expect(within(rows[2]!).getByText("1 dag")).toBeInTheDocument();
    expect(screen.queryByText(/personnummer.*\d{4}$/)).not.toBeInTheDocument();
  });

  test("in English, level names come from the programme list", async () => {
    await i18n.changeLanguage("en");
    try {
      renderStart({
        "GET /api/v1/programmes": {
          body: [
            {
              code: "level_up",
              name_sv: "Level Up",
              name_en: "Level Up",
              min_age: 16,
              max_age: 29,
              support_period_months: 3,
              steps: [
                { number: 2, code: "group", name_sv: "Level 2 – gruppverksamhet", name_en: "Level 2 – group activity", requires_outcome: false },
                { number: 3, code: "preparation", name_sv: "Level 3 – förberedelse", name_en: "Level 3 – preparation", requires_outcome: false },
              ],
              goals: {},
            },
          ],
        },
      });
      const table = await caseloadTable();
      expect(await table.findByText("Level 2 – group activity")).toBeInTheDocument();
      expect(table.getByRole("columnheader", { name: /Days in level/ })).toBeInTheDocument();
      expect(table.getByText("Referred")).toBeInTheDocument();
    } finally {
      await i18n.changeLanguage("sv");
    }
  });

  test("sorting by a column is shown with aria-sort and keeps focus on the button", async () => {
    const user = userEvent.setup();
    renderStart();
    const table = await caseloadTable();
    const names = () => bodyRows(table).map((row) => within(row).getByRole("link").textContent);
    expect(names()).toEqual(["Anna Andersson", "Bo Berg", "Cecilia Ceder"]);
    expect(table.getByRole("columnheader", { name: /Namn/ })).toHaveAttribute("aria-sort", "ascending");

    const days = table.getByRole("button", { name: /Dagar på leveln/ });
    await user.click(days);
    expect(names()).toEqual(["Bo Berg", "Cecilia Ceder", "Anna Andersson"]);
    expect(table.getByRole("columnheader", { name: /Dagar på leveln/ })).toHaveAttribute("aria-sort", "ascending");
    expect(table.getByRole("columnheader", { name: /Namn/ })).not.toHaveAttribute("aria-sort");
    expect(days).toHaveFocus();

    await user.click(days);
    expect(names()).toEqual(["Anna Andersson", "Cecilia Ceder", "Bo Berg"]);
    expect(table.getByRole("columnheader", { name: /Dagar på leveln/ })).toHaveAttribute("aria-sort", "descending");

    await user.click(table.getByRole("button", { name: /Level/ }));
    expect(names()).toEqual(["Bo Berg", "Anna Andersson", "Cecilia Ceder"]);
  });

  test("filtering by state, with counts", async () => {
    const user = userEvent.setup();
    renderStart();
    const table = await caseloadTable();
    const filter = screen.getByLabelText("Visa tillstånd");
    expect(within(filter).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Alla (3)",
      "Remitterad (1)",
      "Aktiv (2)",
    ]);
    await user.selectOptions(filter, "referred");
    expect(bodyRows(table)).toHaveLength(1);
    expect(screen.getByText("Visar 1 av 3 deltagare.")).toBeInTheDocument();
  });

  test("an empty caseload and an empty task list are said in words", async () => {
    renderStart({
      "GET /api/v1/me/caseload": { body: { count: 0, items: [] } },
      "GET /api/v1/me/tasks": { body: EMPTY_TASKS },
    });
    expect(await screen.findByText(/Du har inga deltagare just nu/)).toBeInTheDocument();
    expect(await screen.findByText("Inga uppgifter just nu.")).toBeInTheDocument();
    expect(screen.getByText("Inga självskattningar att göra.")).toBeInTheDocument();
    expect(screen.getByText("Inga uppföljningar att göra de närmaste 14 dagarna.")).toBeInTheDocument();
    expect(screen.getByText("Inga gruppträffar med dina deltagare den här veckan.")).toBeInTheDocument();
    expect(screen.getByText("Alla dina deltagare har haft aktivitet de senaste 30 dagarna.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  test("a refused caseload says so without hiding the task list", async () => {
    renderStart({
      "GET /api/v1/me/caseload": { status: 403, body: { error: "Forbidden", detail: "Saknar behörighet." } },
    });
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Försök igen" })).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Självskattningar (2)" })).toBeInTheDocument();
  });

  test("'Ny remiss' only for those who may register participants", async () => {
    renderStart();
    expect(await screen.findByRole("link", { name: "Ny remiss" })).toHaveAttribute("href", "/deltagare/ny");
  });

  test("no 'Ny remiss' and no task list without the permissions", async () => {
    const calls = renderStart({
      "GET /api/v1/me": { body: { ...ME_MENTOR, permissions: ["caseload:read", "participant:read"] } },
    });
    await caseloadTable();
    expect(screen.queryByRole("link", { name: "Ny remiss" })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Att göra" })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path === "/api/v1/me/tasks")).toBe(false);
  });
});

describe("MentorStart: task list", { timeout: 20_000 }, () => {
  test("every task links to the participant; overdue is marked in text, first in its list", async () => {
    renderStart();
    const tasks = within(await screen.findByRole("region", { name: "Att göra" }));
    expect(await tasks.findByText("2 försenade uppgifter")).toBeInTheDocument();

    const assessments = tasks.getAllByRole("list")[0]!;
    const [first, second] = within(assessments).getAllByRole("listitem");
    expect(within(first!).getByRole("link", { name: "Doris Dahl" })).toHaveAttribute("href", "/deltagare/20");
    expect(first).toHaveTextContent("Försenad Självskattning: start, skulle ha gjorts inom 14 dagar från 1 september 2026");
    expect(within(second!).getByRole("link", { name: "Anna Andersson" })).toHaveAttribute("href", "/deltagare/1");
    expect(second).toHaveTextContent("Självskattning: efter Level 1, att göra sedan 20 november 2026");
    expect(second).not.toHaveTextContent("Försenad");

    const followUps = within(tasks.getAllByRole("list")[1]!).getAllByRole("listitem");
    expect(followUps.map((li) => within(li).getByRole("link").textContent)).toEqual([
      "Gustav Gran",
      "Erik Ek",
      "Frida Fors",
    ]);
    expect(followUps[0]).toHaveTextContent("Försenad Uppföljning 90 dagar efter avslut, skulle ha gjorts 1 oktober 2026");
    expect(followUps[2]).toHaveTextContent(
      "Får inte göras Uppföljning 1 år efter avslut, planerad till 25 november 2026, men samtycke till uppföljningskontakt saknas",
    );

    const session = within(tasks.getAllByRole("list")[2]!).getByRole("listitem");
    expect(session).toHaveTextContent("tisdag 24 november kl. 09:30–12:00");
    expect(session).toHaveTextContent("Gruppaktivitet höst 2026, Studieförbundet Vuxenskolan");
    expect(within(session).getByRole("link", { name: "Anna Andersson" })).toHaveAttribute("href", "/deltagare/1");

    const quiet = within(tasks.getAllByRole("list")[3]!).getByRole("listitem");
    expect(within(quiet).getByRole("link", { name: "Cecilia Ceder" })).toHaveAttribute("href", "/deltagare/13");
    expect(quiet).toHaveTextContent("ingen aktivitet sedan 1 oktober 2026 (53 dagar)");
  });

  test("a participant without any recorded activity", async () => {
    renderStart({
      "GET /api/v1/me/tasks": {
        body: {
          ...EMPTY_TASKS,
          quiet_participants: [{ ...TASKS.quiet_participants[0], last_activity_on: null, days_without_activity: 61 }],
        },
      },
    });
    expect(await screen.findByText("ingen aktivitet registrerad alls (61 dagar)")).toBeInTheDocument();
  });

  test("a failed task list can be retried", async () => {
    renderStart({ "GET /api/v1/me/tasks": { status: 500, body: { error: "ServerError", detail: "x" } } });
    const tasks = within(await screen.findByRole("region", { name: "Att göra" }));
    expect(await tasks.findByRole("alert")).toHaveTextContent("Ett oväntat fel inträffade");
    expect(tasks.getByRole("button", { name: "Försök igen" })).toBeInTheDocument();
  });
});
