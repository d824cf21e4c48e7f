// The mentor screens' own time arithmetic (dates in general: lib/dates).

/** "09:30" plus `minutes`, as "hh:mm" (sessions do not cross midnight). */
export function addMinutes(time: string, minutes: number): string {
  const [hours, mins] = time.split(":").map(Number) as [number, number];
  const total = (hours * 60 + mins + minutes) % (24 * 60);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}
