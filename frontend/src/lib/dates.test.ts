import { describe, expect, it } from "vitest";
import { dateLocale, formatDate, formatDateTime, isIsoDate, todayIso } from "./dates";

describe("dateLocale", () => {
  it.each([
    ["sv", "sv-SE"],
    ["en", "en-GB"],
  ])("%s → %s", (language, locale) => {
    expect(dateLocale(language)).toBe(locale);
  });
});

describe("todayIso", () => {
  it.each([
    [new Date(2026, 0, 5, 0, 0), 0, "2026-01-05"],
    [new Date(2026, 11, 31, 23, 59), 0, "2026-12-31"],
    [new Date(2026, 11, 31, 12, 0), 1, "2027-01-01"],
    [new Date(2024, 2, 1, 12, 0), -1, "2024-02-29"],
  ])("%s plus %i days is %s (local calendar day)", (now, days, expected) => {
    expect(todayIso(now, days)).toBe(expected);
  });
});

describe("isIsoDate", () => {
  it.each([
    ["2026-03-09", true],
    ["2024-02-29", true],
    ["2025-02-29", false],
    ["2026-13-01", false],
    ["2026-3-9", false],
    ["09/03/2026", false],
    ["", false],
    ["2026-03-09T10:00:00Z", false],
  ])("%j → %s", (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });
});

describe("formatDate", () => {
  it.each([
    ["2026-03-09", "sv", undefined, "2026-03-09"],
    ["2026-03-09", "en", undefined, "09/03/2026"],
    ["2026-03-09T23:30:00Z", "sv", undefined, "2026-03-09"],
    ["2026-03-09", "sv", { day: "numeric", month: "long" } as const, "9 mars"],
    ["2026-03-09", "en", { weekday: "long" } as const, "Monday"],
    [null, "sv", undefined, ""],
    [undefined, "en", undefined, ""],
    ["", "sv", undefined, ""],
    ["not a date", "sv", undefined, "not a date"],
  ])("%j in %s (%j) → %j", (iso, language, options, expected) => {
    expect(formatDate(iso, language, options)).toBe(expected);
  });
});

describe("formatDateTime", () => {
  it.each([
    [null, "sv", ""],
    ["", "en", ""],
    ["garbage", "sv", "garbage"],
  ])("%j in %s → %j", (iso, language, expected) => {
    expect(formatDateTime(iso, language)).toBe(expected);
  });

  it("shows the date and the time in the interface language", () => {
    const local = new Date(2026, 2, 9, 14, 5);
    expect(formatDateTime(local.toISOString(), "sv")).toBe("2026-03-09 14:05");
    expect(formatDateTime(local.toISOString(), "en")).toBe("09/03/2026, 14:05");
  });
});
