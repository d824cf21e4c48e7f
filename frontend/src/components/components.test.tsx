import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { ErrorNotice } from "./ErrorNotice";
import { Field } from "./Field";
import { Staircase } from "./Staircase";

describe("Field", () => {
  it("ties the label, hint and error to the control", () => {
    render(
      <Field label="Datum" hint="ÅÅÅÅ-MM-DD" error="Datumet ligger i framtiden." required>
        <input />
      </Field>,
    );
    const input = screen.getByLabelText(/Datum/);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAttribute("aria-required", "true");
    expect(input).toHaveAccessibleDescription("ÅÅÅÅ-MM-DD Datumet ligger i framtiden.");
    expect(screen.getByRole("alert")).toHaveTextContent("Datumet ligger i framtiden.");
  });

  it("is not marked invalid without an error", () => {
    render(
      <Field label="Namn">
        <input />
      </Field>,
    );
    expect(screen.getByLabelText("Namn")).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("Staircase", () => {
  it("names the current level in text for screen readers", () => {
    render(<Staircase step={2} stepCount={4} size="small" />);
    expect(screen.getByRole("img", { name: "Trappan: level 2 av 4" })).toBeInTheDocument();
  });

  it("draws as many steps as the programme has, marking current and reached", () => {
    render(<Staircase step={2} highestStep={3} stepCount={5} stepNames={["A", "B", "C", "D", "E"]} size="large" />);
    const items = screen.getAllByRole("listitem");
    expect(items).toHaveLength(5);
    expect(items[1]).toHaveAttribute("aria-current", "step");
    expect(items[2]).toHaveTextContent("nådd");
    expect(items[4]).toHaveTextContent("inte nådd");
  });

  it("says 'not started' before the first level", () => {
    render(<Staircase step={0} stepCount={4} />);
    expect(screen.getByRole("img", { name: "Inte startad" })).toBeInTheDocument();
  });
});

describe("ErrorNotice", () => {
  it.each([
    [new ApiError(403, "Forbidden", "x"), "Inte behörig"],
    [new ApiError(404, "NotFound", "x"), "Hittades inte"],
    [new ApiError(409, "InvalidTransition", "Deltagaren är redan avslutad."), "Deltagaren är redan avslutad."],
    [new ApiError(500, "Internal", ""), "Ett oväntat fel inträffade"],
    [new TypeError("Failed to fetch"), "Servern svarar inte"],
  ])("explains %s in words", (error, text) => {
    render(<ErrorNotice error={error} />);
    expect(screen.getByRole("alert")).toHaveTextContent(text);
  });
});
