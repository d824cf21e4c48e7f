// Dates, one way for every screen: the API takes and gives business dates as ISO yyyy-mm-dd,
// "today" is the user's own calendar day, and dates are shown the way the interface language
// writes them (Swedish sv-SE, English en-GB).

/** The locale dates (and numbers) are shown in: British English for "en", otherwise Swedish. */
export function dateLocale(language: string): "sv-SE" | "en-GB" {
  return language === "en" ? "en-GB" : "sv-SE";
}

/** The local calendar date of `now` (plus `days`) as yyyy-mm-dd, in the browser's time zone. */
export function todayIso(now: Date = new Date(), days = 0): string {
  const date = days === 0 ? now : new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** True for a real calendar date written yyyy-mm-dd. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * An ISO date (yyyy-mm-dd; of a timestamp, its first ten characters) shown in the interface
 * language, with no time-zone shift; "" for nothing, the text itself when it is no date.
 */
export function formatDate(
  iso: string | null | undefined,
  language: string,
  options?: Intl.DateTimeFormatOptions,
): string {
  if (!iso) return "";
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(dateLocale(language), { ...options, timeZone: "UTC" });
}

/** A timestamp shown as a short date and time in the interface language (the browser's zone). */
export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(dateLocale(language), { dateStyle: "short", timeStyle: "short" });
}
