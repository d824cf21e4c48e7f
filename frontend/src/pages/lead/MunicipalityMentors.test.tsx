import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderScreen } from "../../test/render";
import { todayIso } from "../../lib/dates";
import MunicipalityMentors from "./MunicipalityMentors";

const ME_LEAD = {
  kind: "user",
  id: 17,
  display_name: "Lead Person",
  role: "lead_mentor",
  permissions: [
    "municipality_mentors:read", "enrolment:assign_mentor", "enrolment:read", "participant:read",
    "programme:read", "stats:read",
  ],
  municipality_id: 8,
  organisation_id: 9,
};

const ME_READ_ONLY = { ...ME_LEAD, role: "unit_manager", permissions: ["municipality_mentors:read", "participant:read"] };

const MENTORS = [
  { mentor_id: 15, display_name: "Emil Hagström", role: "mentor", is_active: true, open_enrolments: 8, by_step: { "0": 2, "1": 2, "2": 2, "3": 2 } },
  { mentor_id: 16, display_name: "Maria Ståhl", role: "mentor", is_active: true, open_enrolments: 7, by_step: { "0": 3, "1": 1, "3": 2, "4": 1 } },
  { mentor_id: 19, display_name: "Olle Gammal", role: "mentor", is_active: false, open_enrolments: 0, by_step: {} },
];

const PROGRAMMES = [{ code: "level_up", name_sv: "Level Up", name_en: "Level Up", steps: [1, 2, 3, 4].map((n) => ({ number: n })) }];

const PARTICIPANT = {
  id: 500,
  first_name: "Testa",
  last_name: "Person",
  personnummer_masked: "20040101-****",
  legal_sex: "woman",
  birth_year: 2004,
  current_enrolment: {
    id: 900, programme_code: "level_up", state: "active", step: 2, referred_on: "2026-01-02",
    started_on: "2026-01-10", ended_on: null, mentor_id: 15,
  },
};

const EXITED = {
  ...PARTICIPANT,
  id: 501,
  last_name: "Avslutad",
  current_enrolment: { ...PARTICIPANT.current_enrolment, id: 901, state: "exited", ended_on: "2026-03-01" },
};

const ENROLMENT = { ...PARTICIPANT.current_enrolment, participant_id: 500, version: 7, history: [], mentor_history: [] };

function api(extra: Record<string, Parameters<typeof mockApi>[0][string]> = {}, me: object = ME_LEAD) {
  return mockApi({
    "GET /api/v1/me": { body: me },
    "GET /api/v1/me/municipality/mentors": { body: MENTORS },
    "GET /api/v1/programmes": { body: PROGRAMMES },
    "POST /api/v1/participants/search": { body: { items: [PARTICIPANT, EXITED], next_cursor: null } },
    "GET /api/v1/enrolments/900": { body: ENROLMENT },
    ...extra,
  });
}

function show() {
  return renderScreen(<MunicipalityMentors />, { route: "/mentorer", path: "/mentorer" });
}

async function chooseParticipant() {
  const user = userEvent.setup();
  await screen.findByRole("heading", { name: "Byt mentor för en deltagare" });
  await user.type(screen.getByLabelText("Namn", { exact: false }), "Pers");
  await user.click(screen.getByRole("button", { name: "Sök" }));
  await user.click(await screen.findByRole("button", { name: "Välj Testa Person" }));
  await screen.findByRole("heading", { name: "Byt mentor för Testa Person" });
  await waitFor(() => expect(screen.getByTestId("current-mentor")).toHaveTextContent("Emil Hagström"));
  return user;
}

describe("MunicipalityMentors", () => {
  it("shows each mentor's caseload size and the number at every level", async () => {
    api();
    show();
    const table = await screen.findByRole("table", { name: /Mentorer, antal pågående/ });
    const header = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(header).toEqual(["Mentor", "Roll", "Pågående", "Inte startad", "Level 1", "Level 2", "Level 3", "Level 4"]);
    const maria = within(table).getByRole("row", { name: /Maria Ståhl/ });
    expect(within(maria).getAllByRole("cell").map((c) => c.textContent)).toEqual(["Mentor", "7", "3", "1", "0", "2", "1"]);
    const olle = within(table).getByRole("row", { name: /Olle Gammal/ });
    expect(olle).toHaveTextContent("Inaktiv");
    const total = within(table).getByRole("row", { name: /Totalt/ });
    expect(within(total).getAllByRole("cell").map((c) => c.textContent)).toEqual(["", "15", "5", "3", "2", "4", "1"]);
  });

  it("hides the reassign part from someone without enrolment:assign_mentor", async () => {
    api({}, ME_READ_ONLY);
    show();
    await screen.findByRole("table", { name: /Mentorer, antal pågående/ });
    expect(screen.queryByRole("heading", { name: "Byt mentor för en deltagare" })).not.toBeInTheDocument();
  });

  it("a 403 says not permitted", async () => {
    api({ "GET /api/v1/me/municipality/mentors": { status: 403, body: { error: "Forbidden", detail: "Nej." } } });
    show();
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
  });

  it("searches with the name in the POST body, never in the URL, and offers only open enrolments", async () => {
    const calls = api();
    show();
    await chooseParticipant();
    const search = calls.find((c) => c.method === "POST" && c.path === "/api/v1/participants/search");
    expect(search?.body).toEqual({ name: "Pers", mentor_id: null, cursor: null, limit: 25 });
    expect(calls.every((c) => !c.search.includes("Pers"))).toBe(true);
    const exitedRow = screen.getByRole("row", { name: /Testa Avslutad/ });
    expect(within(exitedRow).queryByRole("button")).not.toBeInTheDocument();
    expect(exitedRow).toHaveTextContent("Avslutad – går inte att byta");
  });

  it("sends If-Match with the enrolment's version and the chosen mentor, date and reason; confirms and refreshes", async () => {
    const calls = api({
      "POST /api/v1/enrolments/900/mentor": { body: { ...ENROLMENT, mentor_id: 16, version: 8 } },
    });
    show();
    const user = await chooseParticipant();
    const select = screen.getByLabelText(/Ny mentor/);
    // The current mentor and inactive mentors are not offered.
    const options = within(select).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["Välj mentor", "Maria Ståhl (7 pågående)"]);
    await user.selectOptions(select, "16");
    fireEvent.change(screen.getByLabelText(/Gäller från/), { target: { value: "2026-01-15" } });
    await user.type(screen.getByLabelText(/Anledning/), "Jämnare fördelning");
    const mentorLoadsBefore = calls.filter((c) => c.path === "/api/v1/me/municipality/mentors").length;
    await user.click(screen.getByRole("button", { name: "Byt mentor" }));

    const status = await screen.findByRole("status");
    expect(status).toHaveTextContent("Testa Person har nu Maria Ståhl som mentor från och med 2026-01-15");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/enrolments/900/mentor");
    expect(post?.headers.get("if-match")).toBe('"7"');
    expect(post?.body).toEqual({ mentor_id: 16, assigned_on: "2026-01-15", reason: "Jämnare fördelning" });
    await waitFor(() =>
      expect(calls.filter((c) => c.path === "/api/v1/me/municipality/mentors").length).toBeGreaterThan(mentorLoadsBefore),
    );
  });

  it("ties validation messages to the fields and sends nothing", async () => {
    const calls = api();
    show();
    const user = await chooseParticipant();
    fireEvent.change(screen.getByLabelText(/Gäller från/), { target: { value: "2999-01-01" } });
    await user.click(screen.getByRole("button", { name: "Byt mentor" }));
    const select = screen.getByLabelText(/Ny mentor/);
    expect(select).toHaveAttribute("aria-invalid", "true");
    expect(select).toHaveAccessibleDescription("Välj vilken mentor som ska ta över.");
    const date = screen.getByLabelText(/Gäller från/);
    expect(date).toHaveAttribute("aria-invalid", "true");
    expect(date).toHaveAccessibleDescription(/Datumet kan inte ligga i framtiden\./);
    expect(screen.getByText("Formuläret har 2 fel")).toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith("/mentor"))).toBe(false);
  });

  it("maps a 422 field error from the server onto the field", async () => {
    api({
      "POST /api/v1/enrolments/900/mentor": {
        status: 422,
        body: { error: "InvalidInput", detail: "Tilldelningsdatumet ligger i framtiden.", fields: { assigned_on: "datum i framtiden" } },
      },
    });
    show();
    const user = await chooseParticipant();
    await user.selectOptions(screen.getByLabelText(/Ny mentor/), "16");
    await user.click(screen.getByRole("button", { name: "Byt mentor" }));
    const date = screen.getByLabelText(/Gäller från/);
    await waitFor(() => expect(date).toHaveAttribute("aria-invalid", "true"));
    expect(date).toHaveAccessibleDescription(/datum i framtiden/);
  });

  it("a 412 offers to reload and never overwrites; reloading shows the new current mentor", async () => {
    let enrolmentReads = 0;
    const calls = api({
      "GET /api/v1/enrolments/900": () => {
        enrolmentReads += 1;
        return { body: enrolmentReads === 1 ? ENROLMENT : { ...ENROLMENT, mentor_id: 16, version: 9 } };
      },
      "POST /api/v1/enrolments/900/mentor": {
        status: 412,
        body: { error: "PreconditionFailed", detail: "Inskrivningen har ändrats av någon annan." },
      },
    });
    show();
    const user = await chooseParticipant();
    await user.selectOptions(screen.getByLabelText(/Ny mentor/), "16");
    await user.click(screen.getByRole("button", { name: "Byt mentor" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Inskrivningen har ändrats");
    expect(screen.getByRole("button", { name: "Byt mentor" })).toBeDisabled();
    expect(calls.filter((c) => c.method === "POST" && c.path.endsWith("/mentor"))).toHaveLength(1);

    await user.click(within(alert).getByRole("button", { name: "Läs in på nytt" }));
    await waitFor(() => expect(screen.getByTestId("current-mentor")).toHaveTextContent("Maria Ståhl"));
    expect(screen.queryByText("Inskrivningen har ändrats")).not.toBeInTheDocument();
    // Maria is the mentor now, so she is no longer offered; the one POST stays the only one.
    const options = within(screen.getByLabelText(/Ny mentor/)).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["Välj mentor", "Emil Hagström (8 pågående)"]);
    expect(calls.filter((c) => c.method === "POST" && c.path.endsWith("/mentor"))).toHaveLength(1);
  });

  it("defaults the date to today", async () => {
    api();
    show();
    await chooseParticipant();
    expect(screen.getByLabelText(/Gäller från/)).toHaveValue(todayIso());
  });
});
