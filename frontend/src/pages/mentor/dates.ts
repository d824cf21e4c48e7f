/** The locale dates are shown in: Swedish or British English. */
export function dateLocale(language: string): string {
  return language === "sv" ? "sv-SE" : "en-GB";
}

/** An ISO yyyy-mm-dd date from the API, shown in the interface language (no time-zone shift). */
export function formatDate(iso: string, language: string, options?: Intl.DateTimeFormatOptions): string {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return new Date(year, month - 1, day).toLocaleDateString(dateLocale(language), options);
}

/** "09:30" plus `minutes`, as "hh:mm" (sessions do not cross midnight). */
export function addMinutes(time: string, minutes: number): string {
  const [hours, mins] = time.split(":").map(Number) as [number, number];
  const total = (hours * 60 + mins + minutes) % (24 * 60);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}
