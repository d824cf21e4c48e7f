import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockApi, renderScreen } from "../../test/render";
import Users from "./Users";

// Typing with user-event in jsdom is slow on a busy machine.
vi.setConfig({ testTimeout: 20_000 });

export const ME_ADMIN = {
  kind: "user",
  id: 27,
  display_name: "Test Admin",
  role: "admin",
  permissions: ["code_list:read", "programme:read", "code_list:publish", "user:admin", "organisation:admin", "integration_client:admin"],
  municipality_id: null,
  organisation_id: 1,
};

const ORGANISATIONS = [
  { id: 1, kind: "association", name: "Samordningsförbundet", parent_id: null, referrer_type: null, municipality_code: null, created_at: "2015-11-01T08:00:00Z" },
  { id: 8, kind: "municipality", name: "Skara", parent_id: 1, referrer_type: null, municipality_code: "1495", created_at: "2015-11-01T08:00:00Z" },
  { id: 10, kind: "municipality", name: "Vara", parent_id: 1, referrer_type: null, municipality_code: "1470", created_at: "2015-11-01T08:00:00Z" },
  { id: 9, kind: "unit", name: "Arbetsmarknadsenheten Skara", parent_id: 8, referrer_type: null, municipality_code: null, created_at: "2015-11-01T08:00:00Z" },
  { id: 11, kind: "unit", name: "Arbetsmarknadsenheten Vara", parent_id: 10, referrer_type: null, municipality_code: null, created_at: "2015-11-01T08:00:00Z" },
  { id: 12, kind: "referrer", name: "Arbetsförmedlingen", parent_id: null, referrer_type: "af", municipality_code: null, created_at: "2015-11-01T08:00:00Z" },
];

const user = (id: number, username: string, role: string, extra: Record<string, unknown> = {}) => ({
  id,
  username,
  display_name: `Namn ${username}`,
  role,
  municipality_id: null,
  organisation_id: null,
  is_active: true,
  created_at: "2015-11-01T08:00:00Z",
  updated_at: "2015-11-01T08:00:00Z",
  version: 1,
  ...extra,
});

const USERS = [
  user(27, "admin", "admin", { organisation_id: 1 }),
  user(1, "mentor.skara1", "mentor", { municipality_id: 8, organisation_id: 9, version: 3 }),
  user(20, "referrer.af", "referrer", { organisation_id: 12, is_active: false }),
];

function api(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    "GET /api/v1/me": { body: ME_ADMIN },
    "GET /api/v1/admin/users": { body: USERS },
    "GET /api/v1/admin/organisations": { body: ORGANISATIONS },
    ...extra,
  });
}

async function openCreateForm() {
  const form = await screen.findByRole("region", { name: "Nytt konto" });
  return within(form);
}

describe("Users", () => {
  it("lists the accounts with role, organisation and status, and filters by role", async () => {
    api();
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const table = await screen.findByRole("table", { name: "Personalens konton" });
    const row = within(table).getByRole("row", { name: /mentor\.skara1/ });
    expect(row).toHaveTextContent("Mentor");
    expect(row).toHaveTextContent("Skara, Arbetsmarknadsenheten Skara");
    expect(row).toHaveTextContent("Aktivt");
    expect(within(table).getByRole("row", { name: /referrer\.af/ })).toHaveTextContent("Inaktiverat");
    await ui.selectOptions(screen.getByLabelText("Visa roll"), "referrer");
    expect(within(table).queryByRole("row", { name: /mentor\.skara1/ })).not.toBeInTheDocument();
    expect(screen.getByText("1 konto visas.")).toBeInTheDocument();
  });

  it("says not permitted on 403, without signing out", async () => {
    mockApi({ "GET /api/v1/admin/users": { status: 403, body: { error: "Forbidden", detail: "Inte administratör." } } });
    renderScreen(<Users />);
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Nytt konto" })).not.toBeInTheDocument();
    expect(screen.queryByText("sign-in page")).not.toBeInTheDocument();
  });

  it("checks the new account before sending, with each error on its field", async () => {
    const calls = api();
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const form = await openCreateForm();
    await ui.type(form.getByLabelText(/^Användarnamn/), "Anna Svensson");
    await ui.selectOptions(form.getByLabelText(/^Roll/), "mentor");
    await ui.type(form.getByLabelText(/^Första lösenord/), "kort");
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));

    expect(form.getByLabelText(/^Användarnamn/)).toHaveAccessibleDescription(expect.stringContaining("ska vara 3–100 tecken"));
    expect(form.getByLabelText(/^Namn/)).toHaveAccessibleDescription(expect.stringContaining("Skriv personens namn."));
    expect(form.getByLabelText(/^Kommun/)).toHaveAccessibleDescription(expect.stringContaining("Välj den kommun kontot hör till."));
    expect(form.getByLabelText(/^Första lösenord/)).toHaveAccessibleDescription(expect.stringContaining("minst 12 tecken"));
    expect(form.getByText("Formuläret har 4 fel")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("creates a mentor with municipality and unit, and lists the new account", async () => {
    const created = user(40, "mentor.skara9", "mentor", { municipality_id: 8, organisation_id: 9 });
    let list = USERS;
    const calls = api({
      "GET /api/v1/admin/users": () => ({ body: list }),
      "POST /api/v1/admin/users": () => {
        list = [...USERS, created];
        return { status: 201, body: created };
      },
    });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const form = await openCreateForm();
    await ui.type(form.getByLabelText(/^Användarnamn/), "mentor.skara9");
    await ui.type(form.getByLabelText(/^Namn/), "Nio Mentor");
    await ui.selectOptions(form.getByLabelText(/^Roll/), "mentor");
    await ui.selectOptions(form.getByLabelText(/^Kommun/), "8");
    // Only the chosen municipality's units are offered.
    expect(within(form.getByLabelText(/^Enhet/)).queryByRole("option", { name: "Arbetsmarknadsenheten Vara" })).not.toBeInTheDocument();
    await ui.selectOptions(form.getByLabelText(/^Enhet/), "9");
    await ui.type(form.getByLabelText(/^Första lösenord/), "ett-langt-losenord");
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));

    expect(await screen.findByText("Kontot mentor.skara9 har skapats.")).toBeInTheDocument();
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toEqual({
      username: "mentor.skara9",
      display_name: "Nio Mentor",
      role: "mentor",
      password: "ett-langt-losenord",
      municipality_id: 8,
      organisation_id: 9,
    });
    expect(await screen.findByRole("row", { name: /mentor\.skara9/ })).toBeInTheDocument();
    expect(form.getByLabelText(/^Användarnamn/)).toHaveValue("");
  });

  it("sends a referrer's organisation and no municipality", async () => {
    const calls = api({ "POST /api/v1/admin/users": { status: 201, body: user(41, "handlaggare.af", "referrer", { organisation_id: 12 }) } });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const form = await openCreateForm();
    await ui.type(form.getByLabelText(/^Användarnamn/), "handlaggare.af");
    await ui.type(form.getByLabelText(/^Namn/), "Handläggare AF");
    await ui.selectOptions(form.getByLabelText(/^Roll/), "referrer");
    expect(form.queryByLabelText(/^Kommun/)).not.toBeInTheDocument();
    await ui.selectOptions(form.getByLabelText(/^Organisation/), "12");
    await ui.type(form.getByLabelText(/^Första lösenord/), "ett-langt-losenord");
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));
    await screen.findByText("Kontot handlaggare.af har skapats.");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      username: "handlaggare.af",
      display_name: "Handläggare AF",
      role: "referrer",
      password: "ett-langt-losenord",
      organisation_id: 12,
    });
  });

  it("ties a taken username (409) to the username field", async () => {
    api({
      "POST /api/v1/admin/users": {
        status: 409,
        body: { error: "Conflict", detail: "Användarnamnet är upptaget. Välj ett annat.", fields: { username: "finns redan" } },
      },
    });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const form = await openCreateForm();
    await ui.type(form.getByLabelText(/^Användarnamn/), "mentor.skara1");
    await ui.type(form.getByLabelText(/^Namn/), "Dubblett");
    await ui.selectOptions(form.getByLabelText(/^Roll/), "admin");
    await ui.type(form.getByLabelText(/^Första lösenord/), "ett-langt-losenord");
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));
    const username = form.getByLabelText(/^Användarnamn/);
    await waitFor(() => expect(username).toHaveAttribute("aria-invalid", "true"));
    expect(username).toHaveAccessibleDescription(expect.stringContaining("Användarnamnet är upptaget. Välj ett annat."));
    expect(form.getByRole("link", { name: "Användarnamn" })).toHaveAttribute("href", "#user-username");
    expect(username).toHaveValue("mentor.skara1");
  });

  it("ties the server's 422 fields to the fields: its own words for a rule, the screen's for parsing", async () => {
    let reply = {
      status: 422,
      body: { error: "InvalidInput", detail: "Organisationen 12 är av typen referrer; här krävs association.", fields: { organisation_id: "måste vara association" } },
    };
    api({ "POST /api/v1/admin/users": () => reply });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    const form = await openCreateForm();
    await ui.type(form.getByLabelText(/^Användarnamn/), "analys.ny");
    await ui.type(form.getByLabelText(/^Namn/), "Ny Analytiker");
    await ui.selectOptions(form.getByLabelText(/^Roll/), "association_analyst");
    // The only association is chosen for the analyst.
    expect(form.getByLabelText(/^Organisation/)).toHaveValue("1");
    await ui.type(form.getByLabelText(/^Första lösenord/), "ett-langt-losenord");
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));
    await waitFor(() =>
      expect(form.getByLabelText(/^Organisation/)).toHaveAccessibleDescription(expect.stringContaining("Måste vara association.")),
    );

    reply = {
      status: 422,
      body: { error: "ValidationError", detail: "Uppgifterna kunde inte tolkas; se fälten.", fields: { "body.password": "String should have at least 12 characters" } } as never,
    };
    await ui.click(form.getByRole("button", { name: "Skapa konto" }));
    await waitFor(() =>
      expect(form.getByLabelText(/^Första lösenord/)).toHaveAccessibleDescription(expect.stringContaining("Lösenordet ska vara minst 12 tecken.")),
    );
  });

  it("disables an account with If-Match and shows the new status", async () => {
    let list = USERS;
    const calls = api({
      "GET /api/v1/admin/users": () => ({ body: list }),
      "PATCH /api/v1/admin/users/1": () => {
        const updated = { ...USERS[1]!, is_active: false, version: 4 };
        list = USERS.map((u) => (u.id === 1 ? updated : u));
        return { body: updated };
      },
    });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    await ui.click(await screen.findByRole("button", { name: "Ändra mentor.skara1" }));
    const panel = screen.getByRole("region", { name: "Ändra konto mentor.skara1" });
    expect(within(panel).getByRole("heading", { name: "Ändra konto mentor.skara1" })).toHaveFocus();
    await ui.click(within(panel).getByLabelText("Kontot är aktivt och kan logga in"));
    await ui.click(within(panel).getByRole("button", { name: "Spara" }));

    expect(await screen.findByText("Ändringarna för mentor.skara1 är sparade.")).toBeInTheDocument();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.headers.get("If-Match")).toBe('"3"');
    expect(patch?.body).toEqual({ is_active: false });
    await waitFor(() => expect(screen.getByRole("row", { name: /mentor\.skara1/ })).toHaveTextContent("Inaktiverat"));
    expect(screen.queryByRole("region", { name: "Ändra konto mentor.skara1" })).not.toBeInTheDocument();
  });

  it("on 412 shows that someone else changed the account and overwrites nothing", async () => {
    let version = 3;
    const calls = api({
      "GET /api/v1/admin/users": () => ({ body: USERS.map((u) => (u.id === 1 ? { ...u, version, display_name: version > 3 ? "Ändrad av annan" : u.display_name } : u)) }),
      "PATCH /api/v1/admin/users/1": { status: 412, body: { error: "PreconditionFailed", detail: "Kontot har ändrats." } },
    });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    await ui.click(await screen.findByRole("button", { name: "Ändra mentor.skara1" }));
    const nameField = screen.getByLabelText(/^Namn/, { selector: "#edit-display-name" });
    await ui.clear(nameField);
    await ui.type(nameField, "Mitt nya namn");
    await ui.click(screen.getByRole("button", { name: "Spara" }));

    expect(await screen.findByText("Kontot har ändrats av någon annan")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Spara" })).toBeDisabled();
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(1);
    version = 4;
    await ui.click(screen.getByRole("button", { name: "Läs in på nytt" }));
    await waitFor(() => expect(screen.getByLabelText(/^Namn/, { selector: "#edit-display-name" })).toHaveValue("Ändrad av annan"));
    expect(screen.queryByText("Kontot har ändrats av någon annan")).not.toBeInTheDocument();
  });

  it("shows the server's reason when the admin tries to disable their own account (409)", async () => {
    api({
      "PATCH /api/v1/admin/users/27": {
        status: 409,
        body: { error: "Conflict", detail: "Du kan inte inaktivera ditt eget konto; be en annan administratör.", fields: { is_active: "eget konto" } },
      },
    });
    const ui = userEvent.setup();
    renderScreen(<Users />);
    await ui.click(await screen.findByRole("button", { name: "Ändra admin" }));
    const active = screen.getByLabelText("Kontot är aktivt och kan logga in");
    await ui.click(active);
    await ui.click(screen.getByRole("button", { name: "Spara" }));
    await waitFor(() => expect(active).toHaveAccessibleDescription(expect.stringContaining("Du kan inte inaktivera ditt eget konto")));
  });
});
