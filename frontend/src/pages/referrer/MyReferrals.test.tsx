import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderScreen } from "../../test/render";
import MyReferrals from "./MyReferrals";

const ME_REFERRER = {
  kind: "user",
  id: 22,
  display_name: "Test Handläggare",
  role: "referrer",
  permissions: ["code_list:read", "programme:read", "referral_status:read"],
  municipality_id: null,
  organisation_id: 12,
};

const PROGRAMMES = [
  {
    code: "level_up",
    name_sv: "Level Up",
    name_en: "Level Up",
    min_age: 16,
    max_age: 29,
    support_period_months: 3,
    steps: [1, 2, 3, 4].map((n) => ({ number: n, code: `level_${n}`, name_sv: `Level ${n}`, name_en: `Level ${n}` })),
    goals: {},
  },
];

const referral = (id: number, first: string, extra: Record<string, unknown> = {}) => ({
  enrolment_id: id,
  participant_first_name: first,
  participant_last_name: "Testsson",
  personnummer_masked: "20040101-****",
  programme_code: "level_up",
  state: "active",
  step: 2,
  referred_on: "2026-01-15",
  started_on: "2026-02-01",
  ended_on: null,
  ...extra,
});

describe("MyReferrals", () => {
  it("shows the status and level of each referred person and explains the consent rule", async () => {
    mockApi({
      "GET /api/v1/me": { body: ME_REFERRER },
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/me/referrals": {
        body: { items: [referral(1, "Alva"), referral(2, "Bo", { state: "intake", step: null, started_on: null })], next_cursor: null },
      },
    });
    renderScreen(<MyReferrals />);
    const table = await screen.findByRole("table", { name: "2 remitterade personer" });
    const alva = within(table).getByRole("row", { name: /Alva Testsson/ });
    expect(alva).toHaveTextContent("Aktiv");
    expect(alva).toHaveTextContent("20040101-****");
    expect(within(alva).getByRole("img", { name: "Trappan: level 2 av 4" })).toBeInTheDocument();
    expect(alva).toHaveTextContent("Level 2");
    const bo = within(table).getByRole("row", { name: /Bo Testsson/ });
    expect(bo).toHaveTextContent("Trepartssamtal");
    expect(bo).toHaveTextContent("Inte startad");
    expect(screen.getByText(/Bara personer som har samtyckt till informationsutbyte/)).toBeInTheDocument();
    expect(screen.getByText(/aldrig anteckningar, orsaker eller kontaktuppgifter/)).toBeInTheDocument();
  });

  it("loads the next page with the cursor the API gave", async () => {
    const calls = mockApi({
      "GET /api/v1/me": { body: ME_REFERRER },
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/me/referrals": (request) =>
        new URL(request.url).searchParams.get("cursor") === "abc"
          ? { body: { items: [referral(3, "Cilla")], next_cursor: null } }
          : { body: { items: [referral(1, "Alva")], next_cursor: "abc" } },
    });
    const ui = userEvent.setup();
    renderScreen(<MyReferrals />);
    await ui.click(await screen.findByRole("button", { name: "Visa fler" }));
    expect(await screen.findByRole("row", { name: /Cilla Testsson/ })).toBeInTheDocument();
    expect(screen.getByRole("row", { name: /Alva Testsson/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Visa fler" })).not.toBeInTheDocument();
    const pages = calls.filter((c) => c.path === "/api/v1/me/referrals");
    expect(new URLSearchParams(pages[1]!.search).get("cursor")).toBe("abc");
  });

  it("says so when there is no one to show", async () => {
    mockApi({
      "GET /api/v1/me": { body: ME_REFERRER },
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/me/referrals": { body: { items: [], next_cursor: null } },
    });
    renderScreen(<MyReferrals />);
    expect(await screen.findByText(/Det finns inga remisser att visa/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says not permitted on 403 and keeps the user signed in", async () => {
    mockApi({
      "GET /api/v1/programmes": { body: PROGRAMMES },
      "GET /api/v1/me/referrals": { status: 403, body: { error: "Forbidden", detail: "Din roll saknar behörigheten." } },
    });
    renderScreen(<MyReferrals />);
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
    expect(screen.queryByText("sign-in page")).not.toBeInTheDocument();
  });
});
