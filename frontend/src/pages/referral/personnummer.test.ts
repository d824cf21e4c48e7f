import { describe, expect, test } from "vitest";
import { ageOn, luhnCheckDigit, parsePersonnummer, readyToCheck } from "./personnummer";

// All numbers are from Skatteverket's test series (birth numbers 988–999) or obviously wrong.
// Expected results agree with domain/personnummer.py (Personnummer.parse) for the same today.
const TODAY = "2026-11-23";

describe("parsePersonnummer: valid forms", () => {
  test.each([
    // text, 12 digits, birth date, samordningsnummer, legal sex
    ["19990101-9985", "199901019985", "1999-01-01", false, "woman"],
    ["199901019985", "199901019985", "1999-01-01", false, "woman"],
    ["990101-9985", "199901019985", "1999-01-01", false, "woman"],
    ["9901019985", "199901019985", "1999-01-01", false, "woman"],
    [" 19990101-9985 ", "199901019985", "1999-01-01", false, "woman"],
    ["19990101-9993", "199901019993", "1999-01-01", false, "man"],
    // "+" marks someone 100 or older: the century goes back once more.
    ["990101+9985", "189901019985", "1899-01-01", false, "woman"],
    // Samordningsnummer: day + 60.
    ["19990161-9982", "199901619982", "1999-01-01", true, "woman"],
    ["990161-9982", "199901619982", "1999-01-01", true, "woman"],
    ["19990191-9986", "199901919986", "1999-01-31", true, "woman"],
    // 29 February in a leap year.
    ["20000229-9980", "200002299980", "2000-02-29", false, "woman"],
    ["120229-9986", "201202299986", "2012-02-29", false, "woman"],
    // 10 digits: the latest century that is not in the future; today itself is not future.
    ["261124-9984", "192611249984", "1926-11-24", false, "woman"],
    ["261123-9985", "202611239985", "2026-11-23", false, "woman"],
  ] as const)("%s", (text, digits, birthDate, coordination, sex) => {
    const result = parsePersonnummer(text, TODAY);
    expect(result).toEqual({
      ok: true,
      value: {
        digits,
        formatted: `${digits.slice(0, 8)}-${digits.slice(8)}`,
        birthDate,
        isCoordinationNumber: coordination,
        legalSex: sex,
      },
    });
  });
});

describe("parsePersonnummer: invalid forms, with the server's first problem", () => {
  test.each([
    ["", "empty"],
    ["   ", "empty"],
    ["abc", "format"],
    ["1999-0101-9985", "format"],
    ["19990101+9985", "format"], // "+" only in the 10-digit form
    ["1999010199850", "format"], // 13 digits
    ["199901019", "format"], // too short
    ["99-0101-9985", "format"],
    ["١٩٩٩٠١٠١-٩٩٨٥", "format"], // other scripts' digits are not digits here
    ["19990160-9980", "date"], // samordningsnummer "day 0"
    ["19990231-9985", "date"],
    ["19991301-9981", "date"],
    ["19990100-9985", "date"],
    ["19000229-9989", "date"], // 1900 was not a leap year
    ["000229+9980", "date"], // … and "+" puts this one in 1900
    ["19990101-0000", "birth_number"],
    ["19990101-0001", "birth_number"], // 000 is reported before the check digit
    ["19990101-9984", "checksum"],
    ["990101-9980", "checksum"],
    ["19990161-9985", "checksum"], // the offset day is part of the sum
    ["20261124-9984", "future"],
  ] as const)("%s → %s", (text, problem) => {
    expect(parsePersonnummer(text, TODAY)).toEqual({ ok: false, problem });
  });

  test("what is future depends on today", () => {
    expect(parsePersonnummer("20261124-9984", "2026-11-24").ok).toBe(true);
    expect(parsePersonnummer("20261124-9984", "2026-11-23")).toEqual({ ok: false, problem: "future" });
  });
});

describe("luhnCheckDigit", () => {
  test.each([
    ["990101998", 5],
    ["990161998", 2],
    ["000229998", 0],
    ["990101000", 0],
    ["811218987", 6],
  ] as const)("%s → %i", (nine, digit) => {
    expect(luhnCheckDigit(nine)).toBe(digit);
  });

  test("needs nine digits", () => {
    expect(() => luhnCheckDigit("99010199")).toThrow();
    expect(() => luhnCheckDigit("99010199x")).toThrow();
  });
});

describe("readyToCheck: judged while typing only when complete or hopeless", () => {
  test.each([
    ["1999", false],
    ["19990101-99", false],
    ["9901019985", false], // could still become 12 digits
    ["990101-9985", true],
    ["990101+9985", true],
    ["199901019985", true],
    ["19990101-9985", true],
    ["1999x", true],
    ["1999010199851", true],
  ] as const)("%s → %s", (text, ready) => {
    expect(readyToCheck(text)).toBe(ready);
  });
});

describe("ageOn", () => {
  test.each([
    ["2004-01-17", "2026-01-16", 21],
    ["2004-01-17", "2026-01-17", 22],
    ["2000-02-29", "2023-02-28", 22],
    ["2000-02-29", "2023-03-01", 23],
    ["2000-02-29", "2024-02-29", 24],
  ] as const)("born %s, on %s → %i", (born, on, age) => {
    expect(ageOn(born, on)).toBe(age);
  });
});
