import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useParams } from "react-router";
import { describe, expect, test } from "vitest";
import { type Call, type Handler, ME_MENTOR, mockApi, renderScreen } from "../../test/render";
import NewReferral from "./NewReferral";

// Test-series numbers only (birth numbers 988–999).
const VALID = "19990101-9985";

const PROGRAMMES = [
  {
    code: "level_up",
    name_sv: "Level Up",
    name_en: "Level Up",
    min_age: 16,
    max_age: 29,
    support_period_months: 3,
    steps: [],
    goals: {},
  },
  {
    code: "level_upgrade",
    name_sv: "Level Upgrade",
    name_en: "Level Upgrade",
    min_age: 18,
    max_age: 64,
    support_period_months: 3,
    steps: [],
    goals: {},
  },
];

const codeList = (name: string, entries: Array<[string, string]>) => ({
  name,
  version: 1,
  label: "test",
  entries: entries.map(([code, label], i) => ({
    code,
    label_sv: label,
    label_en: `${label} (en)`,
    sort_order: i,
    valid_from: null,
    valid_to: null,
    outcome_group: null,
    continues_in_regular_operations: false,
    excluded_from_statistics: false,
  })),
});

const CREATED = {
  id: 7,
  municipality_id: 1,
  personnummer_masked: "19990101-****",
  is_coordination_number: false,
  legal_sex: "woman",
  birth_date: "1999-01-01",
  age: 27,
  first_name: "Testa",
  last_name: "Remiss",
  phone: null,
  email: null,
  address: null,
  gender: null,
  education_level: null,
  protected_identity: false,
  created_at: "2026-11-23T08:00:00Z",
  updated_at: "2026-11-23T08:00:00Z",
  version: 1,
  enrolments: [],
};

const EXISTING = {
  id: 42,
  first_name: "Anna",
  last_name: "Andersson",
  personnummer_masked: "19990101-****",
  legal_sex: "woman",
  birth_year: 1999,
  current_enrolment: {
    id: 5,
    programme_code: "level_up",
    state: "active",
    step: 2,
    referred_on: "2026-01-01",
    started_on: "2026-02-01",
    ended_on: null,
    mentor_id: 1,
  },
};

function api(overrides: Record<string, Handler> = {}): Call[] {
  return mockApi({
    "GET /api/v1/programmes": { body: PROGRAMMES },
    "GET /api/v1/code-lists/education_level": {
      body: codeList("education_level", [["gymnasial", "Gymnasial utbildning"]]),
    },
    "GET /api/v1/code-lists/benefit": { body: codeList("benefit", [["sjukpenning", "Sjukpenning"]]) },
    "GET /api/v1/referrer-organisations": {
      body: { items: [{ id: 12, name: "Arbetsförmedlingen", referrer_type: "af" }] },
    },
    "POST /api/v1/participants/search": { body: { items: [], next_cursor: null } },
    "POST /api/v1/participants": { status: 201, body: CREATED },
    "POST /api/v1/participants/7/enrolments": { status: 201, body: { id: 99 } },
    ...overrides,
  });
}

function ParticipantProbe() {
  const { participantId } = useParams();
  return <p>participant page {participantId}</p>;
}

function renderForm() {
  return renderScreen(
    <Routes>
      <Route path="/deltagare/ny" element={<NewReferral />} />
      <Route path="/deltagare/:participantId" element={<ParticipantProbe />} />
    </Routes>,
    { route: "/deltagare/ny", path: "*" },
  );
}

const personGroup = () => within(screen.getByRole("group", { name: "Personen" }));

const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === "POST" && c.path === path);

async function fillPerson(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText(/Personnummer eller samordningsnummer/), VALID);
  await user.type(screen.getByLabelText(/^Förnamn/), "Testa");
  await user.type(screen.getByLabelText(/^Efternamn/), "Remiss");
}

// userEvent types key by key: a form this size takes a few seconds in jsdom.
describe("NewReferral", { timeout: 30_000 }, () => {
  test("the personnummer is checked as it is typed, and the message is tied to the field", async () => {
    const calls = api();
    const user = userEvent.setup();
    renderForm();
    const field = await screen.findByLabelText(/Personnummer eller samordningsnummer/);

    await user.type(field, "19990101-99");
    expect(field).not.toHaveAttribute("aria-invalid");

    await user.type(field, "84"); // 19990101-9984: wrong check digit
    const message = "Kontrollsiffran stämmer inte – kontrollera att personnumret är rätt inskrivet.";
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(posts(calls, "/api/v1/participants/search")).toHaveLength(0);

    await user.clear(field);
    await user.type(field, "19990160-9980");
    expect(await screen.findByText("Datumdelen är inte ett giltigt datum.")).toBeInTheDocument();

    await user.clear(field);
    await user.type(field, VALID);
    await waitFor(() => expect(field).not.toHaveAttribute("aria-invalid"));
    expect(field).toHaveAccessibleDescription(expect.stringContaining("Giltigt personnummer: född 1 januari 1999."));
    // The valid number was looked up once, and nobody has it.
    expect(await screen.findByText("Personen finns inte bland de deltagare du har tillgång till.")).toBeInTheDocument();
    expect(posts(calls, "/api/v1/participants/search").map((c) => c.body)).toEqual([{ personnummer: VALID, limit: 5 }]);
  });

  test("a short number is judged when the field is left", async () => {
    api();
    const user = userEvent.setup();
    renderForm();
    const field = await screen.findByLabelText(/Personnummer eller samordningsnummer/);
    await user.type(field, "199901");
    expect(field).not.toHaveAttribute("aria-invalid");
    await user.tab();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription(
      expect.stringContaining("Personnumret ska ha 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN."),
    );
  });

  test("an existing person is found before saving (number in the body, not the URL) and can be opened or referred", async () => {
    const calls = api({
      "POST /api/v1/participants/search": { body: { items: [EXISTING], next_cursor: null } },
      "POST /api/v1/participants/42/enrolments": { status: 201, body: { id: 100 } },
    });
    const user = userEvent.setup();
    renderForm();
    await user.type(await screen.findByLabelText(/Personnummer eller samordningsnummer/), VALID);

    expect(await screen.findByText("Personen finns redan")).toBeInTheDocument();
    expect(screen.getByText(/Anna Andersson \(19990101-\*\*\*\*\) är redan registrerad/)).toBeInTheDocument();
    expect(screen.getByText("Hen har redan en pågående inskrivning (Aktiv).")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Öppna Anna Andersson" })).toHaveAttribute("href", "/deltagare/42");
    const searches = posts(calls, "/api/v1/participants/search");
    expect(searches).toHaveLength(1);
    expect(searches[0]!.body).toEqual({ personnummer: VALID, limit: 5 });
    expect(searches[0]!.search).toBe("");

    // Saving now would create the person twice: refused, with the reason on the field.
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));
    const field = screen.getByLabelText(/Personnummer eller samordningsnummer/);
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription(expect.stringContaining("Personen finns redan."));
    expect(posts(calls, "/api/v1/participants")).toHaveLength(0);

    // A new referral for the existing person: only the referral is sent.
    await user.click(screen.getByRole("button", { name: "Registrera en ny remiss för Anna Andersson" }));
    expect(screen.getByText("Remissen registreras för Anna Andersson (19990101-****).")).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Förnamn/)).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    await user.click(screen.getByRole("button", { name: "Spara remissen" }));

    expect(await screen.findByText("participant page 42")).toBeInTheDocument();
    expect(posts(calls, "/api/v1/participants")).toHaveLength(0);
    const referrals = posts(calls, "/api/v1/participants/42/enrolments");
    expect(referrals).toHaveLength(1);
    expect(referrals[0]!.body).toMatchObject({ programme_code: "level_upgrade" });
  });

  test("having picked an existing person, the mentor can go back to registering another one", async () => {
    api({ "POST /api/v1/participants/search": { body: { items: [EXISTING], next_cursor: null } } });
    const user = userEvent.setup();
    renderForm();
    await user.type(await screen.findByLabelText(/Personnummer eller samordningsnummer/), VALID);
    await user.click(await screen.findByRole("button", { name: "Registrera en ny remiss för Anna Andersson" }));
    await user.click(screen.getByRole("button", { name: "Registrera en annan person i stället" }));
    const field = screen.getByLabelText(/Personnummer eller samordningsnummer/);
    expect(field).toHaveValue("");
    expect(field).toHaveFocus();
    expect(screen.getByRole("button", { name: "Registrera remissen" })).toBeInTheDocument();
  });

  test("an empty form is not sent: a summary and messages on the required fields", async () => {
    const calls = api();
    const user = userEvent.setup();
    renderForm();
    await screen.findByLabelText(/^Program/);
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));

    const summary = await screen.findByText("Formuläret har 4 fel");
    const alert = summary.closest("[role=alert]") as HTMLElement;
    expect(within(alert).getByRole("link", { name: /Förnamn: Fyll i förnamn\./ })).toBeInTheDocument();
    expect(screen.getByLabelText(/Personnummer eller samordningsnummer/)).toHaveAccessibleDescription(
      expect.stringContaining("Fyll i personnummer eller samordningsnummer."),
    );
    expect(screen.getByLabelText(/^Efternamn/)).toHaveAccessibleDescription("Fyll i efternamn.");
    expect(screen.getByLabelText(/^Program/)).toHaveAccessibleDescription("Välj program.");
    expect(alert).toHaveFocus();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  test("the programme's age range is checked against the referral date", async () => {
    api();
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    fireEvent.change(screen.getByLabelText(/^Remissdatum/), { target: { value: "2030-01-01" } });
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_up");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));
    expect(screen.getByLabelText(/^Remissdatum/)).toHaveAccessibleDescription(
      expect.stringContaining("Remissdatumet kan inte ligga i framtiden."),
    );
    fireEvent.change(screen.getByLabelText(/^Remissdatum/), { target: { value: "2016-01-01" } });
    expect(screen.getByLabelText(/^Program/)).toHaveAccessibleDescription("Personen är 17 år på remissdatumet.");
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    expect(screen.getByLabelText(/^Program/)).toHaveAccessibleDescription(
      "Personen är 17 år på remissdatumet. Level Upgrade är för personer 18–64 år; personen är 17 år på remissdatumet.",
    );
  });

  test("saving registers the person, then the referral, and opens the participant", async () => {
    const calls = api();
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    await user.type(personGroup().getByLabelText("E-post"), "testa@example.org");
    await user.selectOptions(screen.getByLabelText(/^Högsta utbildning/), "gymnasial");
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    fireEvent.change(screen.getByLabelText(/^Remissdatum/), { target: { value: "2026-01-15" } });
    await user.selectOptions(await screen.findByLabelText(/^Remittent/), "12");
    const contact = screen.getByRole("group", { name: "Handläggare hos remittenten" });
    await user.type(within(contact).getByLabelText("Namn"), "Hanna Handläggare");
    await user.selectOptions(screen.getByLabelText(/^Ersättning vid start/), "sjukpenning");
    await user.type(screen.getByLabelText(/^Månader med offentlig försörjning/), "14");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));

    expect(await screen.findByText("participant page 7")).toBeInTheDocument();
    const created = posts(calls, "/api/v1/participants");
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toEqual({
      personnummer: VALID,
      first_name: "Testa",
      last_name: "Remiss",
      phone: null,
      email: "testa@example.org",
      address: null,
      gender: null,
      education_level: "gymnasial",
      protected_identity: false,
    });
    const referrals = posts(calls, "/api/v1/participants/7/enrolments");
    expect(referrals).toHaveLength(1);
    expect(referrals[0]!.body).toEqual({
      programme_code: "level_upgrade",
      referred_on: "2026-01-15",
      referrer_organisation_id: 12,
      referrer_contact_name: "Hanna Handläggare",
      referrer_contact_phone: null,
      referrer_contact_email: null,
      benefit_at_start: "sjukpenning",
      months_on_support_before_start: 14,
    });
    // The person was created before the referral was sent.
    expect(calls.indexOf(created[0]!)).toBeLessThan(calls.indexOf(referrals[0]!));
  });

  test("the server's 422 fields land on the form's fields", async () => {
    api({
      "POST /api/v1/participants": {
        status: 422,
        body: {
          error: "ValidationError",
          detail: "Uppgifterna kunde inte tolkas; se fälten.",
          fields: { "body.email": "String should match pattern", "body.first_name": "String too long" },
        },
      },
    });
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    await user.type(personGroup().getByLabelText("E-post"), "a@b.se");
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));

    const email = personGroup().getByLabelText("E-post");
    await waitFor(() => expect(email).toHaveAttribute("aria-invalid", "true"));
    expect(email).toHaveAccessibleDescription("Kontrollera uppgiften.");
    expect(screen.getByLabelText(/^Förnamn/)).toHaveAccessibleDescription("Kontrollera uppgiften.");
    expect(screen.getByText("Formuläret har 2 fel")).toBeInTheDocument();
    // Correcting a field takes its server message away.
    await user.type(email, "x");
    expect(email).not.toHaveAttribute("aria-invalid");
  });

  test("a number the server finds in the municipality (409) is explained on the field", async () => {
    api({
      "POST /api/v1/participants": {
        status: 409,
        body: { error: "Conflict", detail: "Personen finns redan registrerad i kommunen.", fields: { personnummer: "finns redan" } },
      },
    });
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));
    const field = screen.getByLabelText(/Personnummer eller samordningsnummer/);
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(
        expect.stringContaining("Personen finns redan registrerad i kommunen men ingår inte i dina deltagare."),
      ),
    );
  });

  test("when the referral fails after the person was created, a retry sends only the referral", async () => {
    let referralAttempts = 0;
    const calls = api({
      "POST /api/v1/participants/7/enrolments": () => {
        referralAttempts += 1;
        return referralAttempts === 1
          ? {
              status: 422,
              body: {
                error: "NotEligible",
                detail: "Remissdatumet ligger före personens födelsedatum.",
                fields: { referred_on: "före födelsedatum" },
              },
            }
          : { status: 201, body: { id: 99 } };
      },
    });
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));

    expect(await screen.findByText("Personen är registrerad, men inte remissen")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Öppna Testa Remiss utan remiss" })).toHaveAttribute("href", "/deltagare/7");
    const date = screen.getByLabelText(/^Remissdatum/);
    expect(date).toHaveAccessibleDescription(expect.stringContaining("Remissdatumet ligger före personens födelsedatum."));
    expect(screen.queryByLabelText(/^Förnamn/)).not.toBeInTheDocument();
    expect(screen.getByText("Formuläret har ett fel").closest("[role=alert]")).toHaveFocus();

    fireEvent.change(date, { target: { value: "2026-02-01" } });
    await user.click(screen.getByRole("button", { name: "Spara remissen" }));
    expect(await screen.findByText("participant page 7")).toBeInTheDocument();
    expect(posts(calls, "/api/v1/participants")).toHaveLength(1);
    expect(posts(calls, "/api/v1/participants/7/enrolments")).toHaveLength(2);
    expect(posts(calls, "/api/v1/participants/7/enrolments")[1]!.body).toMatchObject({ referred_on: "2026-02-01" });
  });

  test("a referral refused for another reason says so and keeps the person", async () => {
    const calls = api({
      "POST /api/v1/participants/7/enrolments": {
        status: 403,
        body: { error: "Forbidden", detail: "Saknar behörighet." },
      },
    });
    const user = userEvent.setup();
    renderForm();
    await fillPerson(user);
    await user.selectOptions(screen.getByLabelText(/^Program/), "level_upgrade");
    await user.click(screen.getByRole("button", { name: "Registrera remissen" }));
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
    expect(screen.getByText("Personen är registrerad, men inte remissen")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Spara remissen" })).toBeInTheDocument();
    expect(posts(calls, "/api/v1/participants")).toHaveLength(1);
  });

  test("without permission to register, the form is not offered", async () => {
    mockApi({
      "GET /api/v1/me": { body: { ...ME_MENTOR, permissions: ["participant:read", "caseload:read"] } },
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/code-lists/education_level": { body: codeList("education_level", []) },
      "GET /api/v1/code-lists/benefit": { body: codeList("benefit", []) },
    });
    renderForm();
    expect(await screen.findByText("Du har inte behörighet att registrera remisser.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Registrera remissen" })).not.toBeInTheDocument();
  });
});
