import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockApi, renderScreen } from "../../../test/render";
import { AssessmentChange, changeRows } from "./AssessmentChange";
import { CHANGE } from "./testData";

describe("AssessmentChange", () => {
  it("puts first, latest, difference and the change in words in a table beside the chart", async () => {
    mockApi({ "GET /api/v1/enrolments/42/assessments/change": { body: CHANGE } });
    renderScreen(<AssessmentChange enrolmentId={42} />);
    const table = await screen.findByRole("table", { name: "Första och senaste svar per fråga" });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Fråga", "Första", "Senaste", "Skillnad", "Förändring"]);

    const cells = (name: string) =>
      within(within(table).getByRole("row", { name: new RegExp(`^${name}`) }))
        .getAllByRole("cell")
        .map((c) => c.textContent);
    // Item 0: 3 -> 6; item 2 (mental health): 5 -> 3; item 5 (exercise): 4 -> 4.
    expect(cells("Redo för arbete eller studier")).toEqual(["3", "6", "+3", "Bättre"]);
    expect(cells("Psykisk hälsa")).toEqual(["5", "3", "-2", "Sämre"]);
    expect(cells("Motionsvanor")).toEqual(["4", "4", "0", "Oförändrad"]);
    expect(within(table).getAllByRole("row")).toHaveLength(11);

    expect(screen.getByText("Första: Start 2026-01-12. Senaste: Efter Level 1 2026-03-02.")).toBeVisible();
    expect(screen.getByText("Av 10 frågor är 8 bättre, 1 oförändrade och 1 sämre.")).toBeVisible();
  });

  it("says in words that a comparison needs two readings", async () => {
    mockApi({
      "GET /api/v1/enrolments/42/assessments/change": {
        body: { ...CHANGE, readings: CHANGE.readings.slice(0, 1), items: CHANGE.items.map((i) => ({ ...i, latest: i.first, difference: null, direction: null })) },
      },
    });
    renderScreen(<AssessmentChange enrolmentId={42} />);
    expect(await screen.findByText(/Jämförelsen visas när minst två självskattningar är besvarade. Hittills finns 1./)).toBeVisible();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("derives no direction for an item without a complete pair", () => {
    const rows = changeRows(
      {
        ...CHANGE,
        items: [{ key: "diet", text_sv: "Kost?", text_en: "Diet?", first: 4, latest: null, difference: null, direction: null }],
      },
      "sv",
      (_key, fallback) => fallback,
    );
    expect(rows).toEqual([{ key: "diet", label: "Kost?", first: 4, latest: null, difference: null, direction: null }]);
  });
});
