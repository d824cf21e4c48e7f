/** Today as an ISO date (yyyy-mm-dd) in the browser's own time zone. */
export function todayIso(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** True for a real calendar date written yyyy-mm-dd. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** An ISO date shown the way the reader's language writes dates. */
export function showDate(value: string, language: string): string {
  const date = new Date(`${value}T12:00:00`);
  return date.toLocaleDateString(language === "sv" ? "sv-SE" : "en-GB");
}
