import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ME_MENTOR, mockApi, renderScreen } from "../../test/render";
import { todayIso } from "../../lib/dates";
import CodeLists from "./CodeLists";
import { codeListVersionBody, describeChanges, draftsOf } from "./codeListDraft";

// Typing with user-event in jsdom is slow on a busy machine.
vi.setConfig({ testTimeout: 20_000 });

const ME_ADMIN = {
  kind: "user",
  id: 27,
  display_name: "Test Admin",
  role: "admin",
  permissions: ["code_list:read", "programme:read", "code_list:publish", "user:admin"],
  municipality_id: null,
  organisation_id: 1,
};

const entry = (code: string, label_sv: string, sort_order: number, extra: Record<string, unknown> = {}) => ({
  code,
  label_sv,
  label_en: `${label_sv} (en)`,
  sort_order,
  valid_from: null,
  valid_to: null,
  outcome_group: null,
  continues_in_regular_operations: false,
  excluded_from_statistics: false,
  ...extra,
});

const LABEL = "Standarduppsättning Level Up";
const ACTIVITY = {
  name: "activity_type",
  version: 2,
  label: LABEL,
  entries: [entry("motivational_talk", "Motiverande samtal", 10), entry("health_activity", "Hälsoaktivitet", 20), entry("praktik", "Praktik", 30)],
};
const EXIT_REASON = {
  name: "exit_reason",
  version: 1,
  label: LABEL,
  entries: [
    entry("completed", "Insatsen genomförd enligt plan", 10),
    entry("regular_operations", "Fortsätter i ordinarie verksamhet", 50, { continues_in_regular_operations: true }),
    entry("registered_in_error", "Felregistrering", 70, { excluded_from_statistics: true }),
  ],
};
const EXIT_STATUS = {
  name: "exit_status",
  version: 1,
  label: LABEL,
  entries: [entry("studies", "Studier", 30, { outcome_group: "studies" })],
};

function api(extra: Parameters<typeof mockApi>[0] = {}, me: unknown = ME_ADMIN) {
  return mockApi({
    "GET /api/v1/me": { body: me },
    "GET /api/v1/code-lists": { body: [ACTIVITY, EXIT_REASON, EXIT_STATUS] },
    "GET /api/v1/code-lists/activity_type": (request) =>
      new URL(request.url).searchParams.get("version") === "1"
        ? { body: { ...ACTIVITY, version: 1, label: "Första versionen", entries: ACTIVITY.entries.slice(0, 1) } }
        : { body: ACTIVITY },
    "GET /api/v1/code-lists/exit_reason": { body: EXIT_REASON },
    "GET /api/v1/code-lists/exit_status": { body: EXIT_STATUS },
    ...extra,
  });
}

describe("CodeLists", () => {
  it("lists every code list with its current version and shows the statistics flags in words", async () => {
    api();
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    const all = await screen.findByRole("table", { name: "Kodlistor med aktuell version" });
    expect(within(all).getByRole("row", { name: /Aktivitetstyp/ })).toHaveTextContent("2");
    expect(screen.getByText(/En ny version ändrar inte gamla registreringar/)).toBeInTheDocument();

    await ui.click(screen.getByRole("button", { name: "Visa Avslutsorsak" }));
    const table = await screen.findByRole("table", { name: "Koder i Avslutsorsak, version 1" });
    expect(within(table).getByRole("row", { name: /regular_operations/ })).toHaveTextContent(
      "Räknas som fortsatt i ordinarie verksamhet (pågående, inte avslutad)",
    );
    expect(within(table).getByRole("row", { name: /registered_in_error/ })).toHaveTextContent("Felregistrering: räknas inte i någon statistik");
    expect(within(table).getByRole("row", { name: /completed/ })).toHaveTextContent("Räknas som ett vanligt avslut");
  });

  it("reads an older version when asked", async () => {
    const calls = api();
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await screen.findByRole("table", { name: "Koder i Aktivitetstyp, version 2" });
    await ui.selectOptions(screen.getByLabelText("Visa version"), "1");
    const table = await screen.findByRole("table", { name: "Koder i Aktivitetstyp, version 1" });
    expect(within(table).getAllByRole("row")).toHaveLength(2);
    expect(calls.some((c) => c.path === "/api/v1/code-lists/activity_type" && c.search === "?version=1")).toBe(true);
    expect(screen.queryByRole("button", { name: "Publicera en ny version" })).not.toBeInTheDocument();
  });

  it("offers no publishing to a user who may only read", async () => {
    api({}, ME_MENTOR);
    renderScreen(<CodeLists />);
    await screen.findByRole("table", { name: "Koder i Aktivitetstyp, version 2" });
    expect(screen.queryByRole("button", { name: "Publicera en ny version" })).not.toBeInTheDocument();
  });

  it("publishes a new version: add, relabel and retire, confirm, and see the new version number", async () => {
    const calls = api({
      "POST /api/v1/code-lists/activity_type/versions": (request) => ({ status: 201, body: { ...ACTIVITY, version: 3, label: LABEL, entries: [] as unknown[], request: request.url } }),
    });
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await ui.click(await screen.findByRole("button", { name: "Publicera en ny version" }));
    expect(screen.getByRole("heading", { name: "Ny version 3 av Aktivitetstyp" })).toHaveFocus();

    const talk = screen.getByRole("group", { name: "Kod motivational_talk" });
    const sv = within(talk).getByLabelText(/^Svensk benämning/);
    await ui.clear(sv);
    await ui.type(sv, "Motiverande samtal (MI)");
    await ui.click(within(screen.getByRole("group", { name: "Kod praktik" })).getByRole("button", { name: "Ta ur bruk praktik" }));

    await ui.click(screen.getByRole("button", { name: "Lägg till en kod" }));
    const added = screen.getByRole("group", { name: "Ny kod (rad 4)" });
    expect(within(added).getByLabelText(/^Kod/)).toHaveFocus();
    await ui.type(within(added).getByLabelText(/^Kod/), "digital_meeting");
    await ui.type(within(added).getByLabelText(/^Svensk benämning/), "Digitalt möte");
    await ui.type(within(added).getByLabelText(/^Engelsk benämning/), "Digital meeting");
    expect(within(added).getByLabelText(/^Sorteringsordning/)).toHaveValue(40);

    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));
    expect(screen.getByRole("heading", { name: "Granska version 3 av Aktivitetstyp" })).toHaveFocus();
    const review = screen.getByRole("list");
    expect(review).toHaveTextContent("Ny kod digital_meeting: ”Digitalt möte”.");
    expect(review).toHaveTextContent("Kod motivational_talk: svensk benämning ändras från ”Motiverande samtal” till ”Motiverande samtal (MI)”.");
    expect(review).toHaveTextContent("Kod praktik tas ur bruk");
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await ui.click(screen.getByRole("button", { name: "Publicera version 3" }));
    expect(await screen.findByText("Version 3 av Aktivitetstyp är publicerad. Gamla registreringar behåller sina koder.")).toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST");
    expect(post?.path).toBe("/api/v1/code-lists/activity_type/versions");
    expect(post?.body).toEqual({
      label: LABEL,
      entries: [
        { code: "motivational_talk", label_sv: "Motiverande samtal (MI)", label_en: "Motiverande samtal (en)", sort_order: 10, valid_from: null, valid_to: null, continues_in_regular_operations: false, excluded_from_statistics: false },
        { code: "health_activity", label_sv: "Hälsoaktivitet", label_en: "Hälsoaktivitet (en)", sort_order: 20, valid_from: null, valid_to: null, continues_in_regular_operations: false, excluded_from_statistics: false },
        { code: "praktik", label_sv: "Praktik", label_en: "Praktik (en)", sort_order: 30, valid_from: null, valid_to: todayIso(new Date(), -1), continues_in_regular_operations: false, excluded_from_statistics: false },
        { code: "digital_meeting", label_sv: "Digitalt möte", label_en: "Digital meeting", sort_order: 40, valid_from: null, valid_to: null, continues_in_regular_operations: false, excluded_from_statistics: false },
      ],
    });
    expect(screen.queryByRole("heading", { name: /Granska version/ })).not.toBeInTheDocument();
  });

  it("checks the entries before anything is sent, with each error on its field", async () => {
    const calls = api();
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await ui.click(await screen.findByRole("button", { name: "Publicera en ny version" }));
    await ui.click(screen.getByRole("button", { name: "Lägg till en kod" }));
    const added = screen.getByRole("group", { name: "Ny kod (rad 4)" });
    await ui.type(within(added).getByLabelText(/^Kod/), "praktik");
    await ui.clear(screen.getByLabelText(/^Beskrivning av versionen/));
    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));

    expect(within(added).getByLabelText(/^Kod/)).toHaveAccessibleDescription(expect.stringContaining("Koden finns redan i listan."));
    expect(within(added).getByLabelText(/^Svensk benämning/)).toHaveAccessibleDescription(expect.stringContaining("Skriv en benämning."));
    expect(screen.getByLabelText(/^Beskrivning av versionen/)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Formuläret har 4 fel")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "praktik, Kod" })).toHaveAttribute("href", expect.stringMatching(/^#entry-new-1-code$/));
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("asks for an outcome group on a new status at exit, and sends it", async () => {
    const calls = api({ "POST /api/v1/code-lists/exit_status/versions": { status: 201, body: { ...EXIT_STATUS, version: 2 } } });
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await ui.click(await screen.findByRole("button", { name: "Visa Status vid avslut" }));
    await ui.click(await screen.findByRole("button", { name: "Publicera en ny version" }));
    await ui.click(screen.getByRole("button", { name: "Lägg till en kod" }));
    const added = screen.getByRole("group", { name: "Ny kod (rad 2)" });
    await ui.type(within(added).getByLabelText(/^Kod/), "8");
    await ui.type(within(added).getByLabelText(/^Svensk benämning/), "Annat (8)");
    await ui.type(within(added).getByLabelText(/^Engelsk benämning/), "Other (8)");
    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));
    expect(within(added).getByLabelText(/^Utfallsgrupp/)).toHaveAccessibleDescription(expect.stringContaining("Välj en utfallsgrupp."));
    await ui.selectOptions(within(added).getByLabelText(/^Utfallsgrupp/), "other");
    await ui.click(within(added).getByLabelText(/^Fortsätter i ordinarie verksamhet/));
    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));
    await ui.click(screen.getByRole("button", { name: "Publicera version 2" }));
    await screen.findByText(/Version 2 av Status vid avslut är publicerad/);
    const sent = calls.find((c) => c.method === "POST")?.body as { entries: unknown[] };
    expect(sent.entries[1]).toEqual({
      code: "8",
      label_sv: "Annat (8)",
      label_en: "Other (8)",
      sort_order: 40,
      valid_from: null,
      valid_to: null,
      outcome_group: "other",
      continues_in_regular_operations: true,
      excluded_from_statistics: false,
    });
  });

  it("on 409 says someone else published at the same time and offers to reload", async () => {
    api({
      "POST /api/v1/code-lists/activity_type/versions": {
        status: 409,
        body: { error: "Conflict", detail: "Någon publicerade en ny version av activity_type samtidigt." },
      },
    });
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await ui.click(await screen.findByRole("button", { name: "Publicera en ny version" }));
    await ui.click(within(screen.getByRole("group", { name: "Kod praktik" })).getByRole("button", { name: "Ta ur bruk praktik" }));
    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));
    await ui.click(screen.getByRole("button", { name: "Publicera version 3" }));
    expect(await screen.findByText("Någon annan publicerade samtidigt")).toBeInTheDocument();
    await ui.click(screen.getByRole("button", { name: "Läs in på nytt" }));
    expect(await screen.findByRole("table", { name: "Koder i Aktivitetstyp, version 2" })).toBeInTheDocument();
  });

  it("takes the server's 422 on an entry back to that entry's field", async () => {
    api({
      "POST /api/v1/code-lists/activity_type/versions": {
        status: 422,
        body: { error: "ValidationError", detail: "Uppgifterna kunde inte tolkas; se fälten.", fields: { "body.entries.1.label_en": "String should have at most 200 characters" } },
      },
    });
    const ui = userEvent.setup();
    renderScreen(<CodeLists />);
    await ui.click(await screen.findByRole("button", { name: "Publicera en ny version" }));
    await ui.click(within(screen.getByRole("group", { name: "Kod praktik" })).getByRole("button", { name: "Ta ur bruk praktik" }));
    await ui.click(screen.getByRole("button", { name: "Granska ändringarna" }));
    await ui.click(screen.getByRole("button", { name: "Publicera version 3" }));
    const field = within(await screen.findByRole("group", { name: "Kod health_activity" })).getByLabelText(/^Engelsk benämning/);
    await waitFor(() => expect(field).toHaveAttribute("aria-invalid", "true"));
    expect(field).toHaveAccessibleDescription(expect.stringContaining("Servern godtog inte värdet."));
  });
});

describe("code-list draft", () => {
  it("sends outcome groups only on exit_status and the flags only as set on exit lists", () => {
    const drafts = draftsOf(EXIT_REASON as never);
    const body = codeListVersionBody("exit_reason", " Ny ", drafts);
    expect(body.label).toBe("Ny");
    expect(body.entries[1]).toEqual({
      code: "regular_operations",
      label_sv: "Fortsätter i ordinarie verksamhet",
      label_en: "Fortsätter i ordinarie verksamhet (en)",
      sort_order: 50,
      valid_from: null,
      valid_to: null,
      continues_in_regular_operations: true,
      excluded_from_statistics: false,
    });
    expect(body.entries[1]).not.toHaveProperty("outcome_group");
  });

  it("finds no change when nothing was edited", () => {
    expect(describeChanges(ACTIVITY as never, LABEL, draftsOf(ACTIVITY as never), "2026-11-23")).toEqual([]);
  });
});
