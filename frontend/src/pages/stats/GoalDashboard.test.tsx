import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ME_MENTOR, mockApi, renderScreen } from "../../test/render";
import GoalDashboard from "./GoalDashboard";

const ME_ANALYST = {
  kind: "user",
  id: 25,
  display_name: "Test Analyst",
  role: "association_analyst",
  permissions: ["code_list:read", "programme:read", "stats:read"],
  municipality_id: null,
  organisation_id: 1,
};

type Cell = { value: number | null; suppressed: boolean; suppression: "small" | "complementary" | null };
const n = (value: number): Cell => ({ value, suppressed: false, suppression: null });
/** Hidden because it rests on fewer than 5 people. */
const small: Cell = { value: null, suppressed: true, suppression: "small" };
/** Hidden so that a small cell cannot be worked out by subtraction. */
const comp: Cell = { value: null, suppressed: true, suppression: "complementary" };
const ind = (count: Cell, share: Cell) => ({ count, share });

function figures(f: {
  exited: Cell;
  goal: [Cell, Cell];
  work: [Cell, Cell];
  studies: [Cell, Cell];
  level3: [Cell, Cell];
  persons?: Cell;
}) {
  return {
    persons: f.persons ?? f.exited,
    enrolments: f.persons ?? f.exited,
    exited: f.exited,
    continuing: n(0),
    excluded: small,
    reached_level_3: ind(...f.level3),
    ended_at_level_3: ind(n(0), n(0)),
    goal_reached: ind(...f.goal),
    goal_reached_work: ind(...f.work),
    goal_reached_studies: ind(...f.studies),
    follow_ups: [],
  };
}

const TOTAL = {
  ...figures({
    exited: n(79),
    goal: [n(33), n(0.418)],
    work: [n(23), n(0.291)],
    studies: [n(10), n(0.127)],
    level3: [n(43), n(0.544)],
    persons: n(102),
  }),
  enrolments: n(104),
  continuing: n(23),
};

const TARGETS = [
  { indicator: "goal_reached_share", target: 0.5, figure: n(0.418), fulfilment: n(0.835) },
  { indicator: "reached_level_3_share", target: 0.25, figure: n(0.544), fulfilment: n(2.177) },
  { indicator: "participants", target: 210, figure: n(102), fulfilment: n(0.486) },
];

// Sorted by name, as the API sends them (the ids are deliberately in the other order).
const MUNICIPALITIES = [
  { id: 12, name: "Essunga" },
  { id: 4, name: "Götene" },
];

function outcomes(groupBy: string, groups: { key: Record<string, string | number>; figures: ReturnType<typeof figures> }[]) {
  return {
    filters: { programme: "level_up", exit_from: null, exit_to: null, municipality_ids: [4, 12], referrer_type: null, group_by: [groupBy] },
    municipalities: MUNICIPALITIES,
    suppressed_below: 5,
    total: TOTAL,
    groups,
    composition_by_referrer: [
      { referrer_type: "af", goal_reached: n(13), share: n(0.394) },
      { referrer_type: "narhalsan", goal_reached: comp, share: small },
    ],
    targets: TARGETS,
  };
}

const BY_SEX = outcomes("legal_sex", [
  {
    key: { legal_sex: "man" },
    figures: figures({ exited: n(46), goal: [n(17), n(0.37)], work: [n(10), n(0.217)], studies: [n(7), n(0.152)], level3: [n(24), n(0.522)] }),
  },
  {
    key: { legal_sex: "woman" },
    figures: figures({ exited: n(33), goal: [n(16), n(0.485)], work: [n(13), n(0.394)], studies: [small, small], level3: [n(19), n(0.576)] }),
  },
]);

const BY_MUNICIPALITY = outcomes("municipality", [
  {
    key: { municipality: 4 },
    figures: figures({ exited: n(9), goal: [small, small], work: [small, small], studies: [small, small], level3: [comp, comp] }),
  },
  {
    key: { municipality: 12 },
    figures: figures({ exited: n(6), goal: [n(0), n(0)], work: [n(0), n(0)], studies: [n(0), n(0)], level3: [small, small] }),
  },
]);

const BY_REFERRER = outcomes("referrer_type", [
  {
    key: { referrer_type: "af" },
    figures: figures({ exited: n(35), goal: [n(13), n(0.371)], work: [n(9), n(0.257)], studies: [n(4), n(0.114)], level3: [n(17), n(0.486)] }),
  },
]);

const BY_TIME = outcomes("time_bucket", [
  {
    key: { time_bucket: "18_or_more" },
    figures: figures({ exited: n(14), goal: [n(14), n(1)], work: [n(9), n(0.643)], studies: [n(5), n(0.357)], level3: [n(14), n(1)] }),
  },
  {
    key: { time_bucket: "under_12" },
    figures: figures({ exited: n(44), goal: [small, small], work: [small, small], studies: [small, small], level3: [n(8), n(0.182)] }),
  },
]);

const BY = { legal_sex: BY_SEX, municipality: BY_MUNICIPALITY, referrer_type: BY_REFERRER, time_bucket: BY_TIME } as Record<string, unknown>;

const PROGRAMMES = [
  { code: "level_up", name_sv: "Level Up", name_en: "Level Up", steps: [], goals: {} },
  { code: "level_upgrade", name_sv: "Level Upgrade", name_en: "Level Upgrade", steps: [], goals: {} },
];

const REFERRER_TYPES = {
  name: "referrer_type",
  version: 1,
  label: "x",
  entries: [
    { code: "fk", label_sv: "Försäkringskassan", label_en: "Social Insurance Agency", sort_order: 10 },
    { code: "af", label_sv: "Arbetsförmedlingen", label_en: "Public Employment Service", sort_order: 20 },
    { code: "narhalsan", label_sv: "Närhälsan", label_en: "Närhälsan", sort_order: 50 },
  ],
};

const SELF = {
  filters: BY_SEX.filters,
  suppressed_below: 5,
  items: [
    {
      item: "self_esteem",
      label_sv: "Hur mycket tror du på dig själv?",
      overall: {
        n: n(96),
        improved: ind(n(57), n(0.594)),
        unchanged: ind(n(23), n(0.24)),
        worsened: ind(n(16), n(0.167)),
        net_effect: n(0.427),
        median_first: 4,
        median_latest: 4.5,
        medians_suppressed: false,
      },
      by_legal_sex: {},
    },
    {
      item: "diet",
      label_sv: "Hur äter du?",
      overall: {
        n: small,
        improved: ind(small, small),
        unchanged: ind(comp, comp),
        worsened: ind(small, small),
        net_effect: small,
        median_first: null,
        median_latest: null,
        medians_suppressed: true,
      },
      by_legal_sex: {},
    },
  ],
};

function api(me: object = ME_ANALYST, extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    "GET /api/v1/me": { body: me },
    "GET /api/v1/programmes": { body: PROGRAMMES },
    "GET /api/v1/code-lists/referrer_type": { body: REFERRER_TYPES },
    "GET /api/v1/stats/outcomes": (request) => {
      const group = new URL(request.url).searchParams.get("group_by") ?? "legal_sex";
      return { body: BY[group] };
    },
    "GET /api/v1/stats/self-assessment": { body: SELF },
    ...extra,
  });
}

function show(route = "/statistik") {
  return renderScreen(<GoalDashboard />, { route, path: "/statistik" });
}

/** What a cell shows on screen (its visually hidden words for screen readers left out). */
const seen = (cell: HTMLElement) =>
  Array.from(cell.childNodes)
    .filter((node) => !(node instanceof HTMLElement && node.classList.contains("visually-hidden")))
    .map((node) => node.textContent)
    .join("")
    .replace(/\s/g, " ");
const rowCells = (row: HTMLElement) => within(row).getAllByRole("cell").map(seen);

// Role queries over a whole dashboard are slow in jsdom: these tests get more time.
describe("GoalDashboard", { timeout: 60_000 }, () => {
  it("shows the headline figures and, beside each chart, a table with the response's numbers", async () => {
    const calls = api();
    show();
    const sexTable = await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    const header = within(sexTable).getAllByRole("columnheader").map((h) => h.textContent);
    expect(header).toEqual([
      "Efter juridiskt kön", "Avslutade", "Nått arbete eller studier", "Nått Level 3",
      "Antal", "varav arbete", "varav studier", "Andel", "Antal", "Andel",
    ]);
    // Women first, then men, then everyone.
    const rows = within(sexTable).getAllByRole("row").slice(2);
    expect(rows.map((r) => within(r).getByRole("rowheader").textContent)).toEqual(["Kvinnor", "Män", "Alla"]);
    expect(rowCells(rows[1]!)).toEqual(["46", "17", "10", "7", "37 %", "24", "52,2 %"]);
    expect(rowCells(rows[2]!)).toEqual(["79", "33", "23", "10", "41,8 %", "43", "54,4 %"]);

    const overview = screen.getByRole("heading", { name: "Översikt" }).closest("section")!;
    expect(within(overview).getByText("Unika personer").nextSibling).toHaveTextContent("102");
    expect(within(overview).getByText("Inskrivningar").nextSibling).toHaveTextContent("104");
    expect(within(overview).getByText("Fortsätter i ordinarie verksamhet").nextSibling).toHaveTextContent("23");
    expect(within(overview).getByText("Avslutade").nextSibling).toHaveTextContent("79");

    // Every grouping has its chart (with a text alternative naming the targets) and its table.
    for (const [grouping, name] of [
      ["legal_sex", "Efter juridiskt kön"],
      ["municipality", "Efter kommun"],
      ["referrer_type", "Efter remittent"],
      ["time_bucket", "Efter tid i insatsen"],
    ] as const) {
      const section = document.querySelector<HTMLElement>(`section[data-grouping="${grouping}"]`)!;
      expect(within(section).getByRole("heading", { level: 2 })).toHaveTextContent(name);
      expect(within(section).getByRole("img")).toHaveAccessibleName(/Målet för arbete eller studier är 50\s%\. Målet för Level 3 är 25\s%\./);
      expect(within(section).getByRole("table")).toBeInTheDocument();
    }
    // Time buckets in time order, referrers named from the code list.
    const time = within(document.querySelector<HTMLElement>('section[data-grouping="time_bucket"]')!).getByRole("table");
    expect(within(time).getAllByRole("rowheader").map((h) => h.textContent)).toEqual(["Under 12 månader", "18 månader eller mer", "Alla"]);
    expect(within(document.querySelector<HTMLElement>('section[data-grouping="referrer_type"]')!).getByRole("rowheader", { name: "Arbetsförmedlingen" })).toBeInTheDocument();

    // Targets with fulfilment and status in words.
    const targets = screen.getByRole("table", { name: "Programmets mål, utfall och måluppfyllelse" });
    const goalRow = within(targets).getByRole("row", { name: /når arbete eller studier/ });
    expect(rowCells(goalRow)).toEqual(["50 %", "41,8 %", "83,5 %", "Inte nått"]);
    expect(rowCells(within(targets).getByRole("row", { name: /Level 3/ }))).toEqual(["25 %", "54,4 %", "217,7 %", "Nått"]);

    // One request per grouping, with the default programme and no period.
    const stats = calls.filter((c) => c.path === "/api/v1/stats/outcomes");
    expect(stats.map((c) => new URLSearchParams(c.search).get("group_by")).sort()).toEqual(["legal_sex", "municipality", "referrer_type", "time_bucket"]);
    expect(stats.every((c) => new URLSearchParams(c.search).get("programme") === "level_up")).toBe(true);
    expect(stats.every((c) => !c.search.includes("exit_"))).toBe(true);

    // Self-assessment net effects.
    const self = screen.getByRole("table", { name: "Förändring i självskattningen per fråga" });
    expect(rowCells(within(self).getByRole("row", { name: /Självkänsla/ }))).toEqual(["96", "59,4 %", "24 %", "16,7 %", "+42,7 %", "4 → 4,5"]);
  });

  it("names municipalities and marks suppressed cells '< 5' or 'dold' (never zero), explained and named under the chart", async () => {
    api();
    show();
    const table = await screen.findByRole("table", { name: "Utfall efter kommun" }, { timeout: 5000 });
    // Municipalities by the response's names, in its (name) order, never by number.
    expect(within(table).getAllByRole("rowheader").map((h) => h.textContent)).toEqual(["Essunga", "Götene", "Alla"]);
    expect(screen.queryByText(/Kommun nr/)).not.toBeInTheDocument();

    const gotene = within(table).getByRole("row", { name: /Götene/ });
    const cells = within(gotene).getAllByRole("cell");
    expect(cells[0]).toHaveTextContent(/^9$/);
    expect(cells[0]).not.toHaveClass("suppressed");
    // Small: "< 5" on screen, in words for a screen reader.
    expect(seen(cells[1]!)).toBe("< 5");
    expect(cells[1]).toHaveClass("suppressed");
    expect(cells[1]).toHaveAccessibleName("färre än 5 personer");
    expect(seen(cells[4]!)).toBe("< 5");
    // Complementary: "dold".
    expect(seen(cells[5]!)).toBe("dold");
    expect(cells[5]).toHaveClass("suppressed");
    expect(seen(cells[6]!)).toBe("dold");
    // A real zero stays a zero.
    const essunga = within(table).getByRole("row", { name: /Essunga/ });
    expect(rowCells(essunga)).toEqual(["6", "0", "0", "0", "0 %", "< 5", "< 5"]);

    // The table explains both marks, tied to it.
    expect(table).toHaveAccessibleDescription(
      /^”< 5” betyder att siffran bygger på färre än 5 personer och därför inte visas\. ”dold” betyder att siffran inte är liten men ändå döljs, så att en liten siffra inte kan räknas fram genom att dra av från en summa\./,
    );

    // The chart draws no bar for them and names the groups in words.
    const section = screen.getByRole("heading", { name: "Efter kommun" }).closest("section")!;
    const note = within(section).getByText(/Ingen stapel där andelen inte visas/);
    expect(note).toHaveTextContent("(”< 5” eller ”dold”, se förklaringen vid tabellen): Essunga: Nått Level 3; Götene: Nått arbete eller studier, Nått Level 3.");
    expect(within(section).getByRole("img")).toHaveAccessibleDescription(/Götene/);

    // Composition, the self-assessment (medians too) and the headline follow the same rule.
    const composition = screen.getByRole("table", { name: /Remittenternas andel/ });
    expect(rowCells(within(composition).getByRole("row", { name: /Närhälsan/ }))).toEqual(["dold", "< 5"]);
    expect(composition).toHaveAccessibleDescription(/”< 5” betyder/);
    const self = screen.getByRole("table", { name: "Förändring i självskattningen per fråga" });
    expect(rowCells(within(self).getByRole("row", { name: /Kost/ }))).toEqual(["< 5", "< 5", "dold", "< 5", "< 5", "< 5"]);
    expect(self).toHaveAccessibleDescription(/”dold” betyder/);
  });

  it("filters on one municipality: the names to choose from, and every request carries municipality_id", async () => {
    const GOTENE_TOTAL = { ...TOTAL, exited: n(9), persons: n(11), continuing: comp };
    const calls = api(ME_ANALYST, {
      "GET /api/v1/stats/outcomes": (request) => {
        const query = new URL(request.url).searchParams;
        const body = BY[query.get("group_by") ?? "legal_sex"] as object;
        return { body: query.getAll("municipality_id").join() === "4" ? { ...body, total: GOTENE_TOTAL } : body };
      },
    });
    const user = userEvent.setup();
    show();
    await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    const overview = screen.getByRole("heading", { name: "Översikt" }).closest("section")!;
    expect(within(overview).getByText("Avslutade").nextSibling).toHaveTextContent(/^79$/);
    expect(calls.some((c) => c.search.includes("municipality_id"))).toBe(false);

    const select = screen.getByRole("combobox", { name: "Kommun" });
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["Alla kommuner", "Essunga", "Götene"]);
    await user.selectOptions(select, "Götene");
    await user.click(screen.getByRole("button", { name: "Visa" }));

    await waitFor(() =>
      expect(calls.filter((c) => c.path === "/api/v1/stats/outcomes" && c.search.includes("municipality_id")).length).toBe(4),
    );
    const filtered = calls.filter((c) => c.path === "/api/v1/stats/outcomes" && c.search.includes("municipality_id"));
    expect(filtered.every((c) => new URLSearchParams(c.search).getAll("municipality_id").join() === "4")).toBe(true);
    const self = calls.filter((c) => c.path === "/api/v1/stats/self-assessment").at(-1)!;
    expect(new URLSearchParams(self.search).getAll("municipality_id")).toEqual(["4"]);

    // The figures are the filtered response's; the filter is said in words.
    expect(await screen.findByText(/Visar Level Up, avslutade under hela tiden\. Kommun: Götene\./)).toBeInTheDocument();
    await waitFor(() => expect(within(overview).getByText("Avslutade").nextSibling).toHaveTextContent(/^9$/));
    expect(seen(within(overview).getByText("Fortsätter i ordinarie verksamhet").nextSibling as HTMLElement)).toBe("dold");
    expect(screen.getByRole("combobox", { name: "Kommun" })).toHaveValue("4");
  });

  it("a lead mentor's one municipality is named, not offered as a choice, and not sent", async () => {
    const ME_LEAD = { ...ME_ANALYST, id: 3, role: "lead_mentor", municipality_id: 4 };
    const calls = api(ME_LEAD, {
      "GET /api/v1/stats/outcomes": (request) => {
        const body = BY[new URL(request.url).searchParams.get("group_by") ?? "legal_sex"] as object;
        return { body: { ...body, suppressed_below: null, municipalities: [{ id: 4, name: "Götene" }] } };
      },
    });
    show();
    await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    const filters = screen.getByRole("form", { name: "Urval" });
    await waitFor(() => expect(within(filters).getByText("Götene")).toBeInTheDocument());
    expect(within(filters).getByText("Kommun")).toBeInTheDocument();
    expect(within(filters).queryByRole("combobox", { name: "Kommun" })).not.toBeInTheDocument();
    expect(calls.some((c) => c.search.includes("municipality_id"))).toBe(false);
  });

  it("a municipality id in the address that is not a number is shown at the field and not requested", async () => {
    const calls = api();
    show("/statistik?municipality_id=skara");
    const select = await screen.findByRole("combobox", { name: "Kommun" });
    expect(select).toHaveAttribute("aria-invalid", "true");
    expect(select).toHaveAccessibleDescription("Kommunen i adressen finns inte. Välj en kommun i listan.");
    expect(calls.some((c) => c.path.startsWith("/api/v1/stats"))).toBe(false);
  });

  it("explains an end date before the start date at the field and asks nothing of the API", async () => {
    const calls = api();
    show();
    await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    const before = calls.length;
    fireEvent.change(screen.getByLabelText("Avslutade från och med", { exact: false }), { target: { value: "2025-06-01" } });
    fireEvent.change(screen.getByLabelText("Avslutade till och med"), { target: { value: "2025-01-31" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Visa" }));

    const to = screen.getByLabelText("Avslutade till och med");
    expect(to).toHaveAttribute("aria-invalid", "true");
    expect(to).toHaveAccessibleDescription("Slutdatumet ligger före startdatumet. Välj ett slutdatum som är samma dag eller senare.");
    expect(screen.getByText("Formuläret har ett fel")).toBeInTheDocument();
    expect(calls.slice(before).some((c) => c.path.startsWith("/api/v1/stats"))).toBe(false);
  });

  it("a bad period in the address is shown at the field and not requested", async () => {
    const calls = api();
    show("/statistik?exit_from=2025-06-01&exit_to=2025-01-01");
    const to = await screen.findByLabelText("Avslutade till och med");
    expect(to).toHaveAttribute("aria-invalid", "true");
    expect(to).toHaveValue("2025-01-01");
    await screen.findByRole("heading", { name: "Urval" });
    expect(calls.some((c) => c.path.startsWith("/api/v1/stats"))).toBe(false);
  });

  it("applies programme, period and referrer and asks again with them", async () => {
    const calls = api();
    const user = userEvent.setup();
    show();
    await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    await user.selectOptions(screen.getByLabelText("Program"), "level_upgrade");
    fireEvent.change(screen.getByLabelText("Avslutade från och med", { exact: false }), { target: { value: "2025-01-01" } });
    fireEvent.change(screen.getByLabelText("Avslutade till och med"), { target: { value: "2025-12-31" } });
    await user.selectOptions(screen.getByLabelText("Remittent"), "af");
    await user.click(screen.getByRole("button", { name: "Visa" }));

    await waitFor(() =>
      expect(
        calls.filter((c) => c.path === "/api/v1/stats/outcomes" && c.search.includes("level_upgrade")).length,
      ).toBe(4),
    );
    const sent = new URLSearchParams(calls.filter((c) => c.path === "/api/v1/stats/outcomes").at(-1)!.search);
    expect(sent.get("programme")).toBe("level_upgrade");
    expect(sent.get("exit_from")).toBe("2025-01-01");
    expect(sent.get("exit_to")).toBe("2025-12-31");
    expect(sent.get("referrer_type")).toBe("af");
    const self = calls.filter((c) => c.path === "/api/v1/stats/self-assessment").at(-1)!;
    expect(new URLSearchParams(self.search).get("exit_to")).toBe("2025-12-31");
    expect(screen.getByText(/Visar Level Upgrade, avslutade 2025-01-01–2025-12-31\. Remittent: Arbetsförmedlingen\./)).toBeInTheDocument();
  });

  it("someone without stats:read sees 'Inte behörig' and nothing is asked", async () => {
    const calls = api(ME_MENTOR);
    show();
    expect(await screen.findByRole("heading", { name: "Inte behörig" })).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith("/api/v1/stats"))).toBe(false);
  });

  it("a 403 from the API says 'Inte behörig'", async () => {
    api(ME_ANALYST, {
      "GET /api/v1/stats/outcomes": { status: 403, body: { error: "Forbidden", detail: "Nej." } },
    });
    show();
    expect((await screen.findAllByText("Inte behörig")).length).toBeGreaterThan(0);
  });

  it("downloads the workbook with the client (bearer token) and saves it through a blob URL", async () => {
    const calls = api(ME_ANALYST, {
      "GET /api/v1/stats/outcomes.xlsx": {
        body: "xlsx-bytes",
        headers: { "Content-Disposition": 'attachment; filename="levelup-utfall-level_up.xlsx"' },
      },
    });
    const createObjectURL = vi.fn(() => "blob:levelup/1");
    const revokeObjectURL = vi.fn();
    const original = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL };
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const user = userEvent.setup();
    show("/statistik?exit_from=2025-01-01&municipality_id=4");
    await screen.findByRole("table", { name: "Utfall efter juridiskt kön" }, { timeout: 5000 });
    await user.selectOptions(screen.getByLabelText("Dela upp utfallet"), "time_bucket");
    await user.click(screen.getByRole("button", { name: "Ladda ned Excel-fil" }));

    expect(await screen.findByText("Filen levelup-utfall-level_up.xlsx är nedladdad.")).toBeInTheDocument();
    const xlsx = calls.find((c) => c.path === "/api/v1/stats/outcomes.xlsx")!;
    const query = new URLSearchParams(xlsx.search);
    expect(query.get("group_by")).toBe("time_bucket");
    expect(query.get("exit_from")).toBe("2025-01-01");
    expect(query.getAll("municipality_id")).toEqual(["4"]);
    expect(xlsx.headers.get("authorization")).toBe("Bearer test-access");
    expect(createObjectURL).toHaveBeenCalledTimes(1);
    expect(click).toHaveBeenCalledTimes(1);
    click.mockRestore();
    Object.assign(URL, original);
  });
});
