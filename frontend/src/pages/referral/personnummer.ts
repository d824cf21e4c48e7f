// Swedish personnummer and samordningsnummer, checked in the browser as the mentor types.
// Mirrors domain/personnummer.py (Personnummer.parse) rule by rule and in the same order, so
// the form and the server agree; the server stays authoritative (its 422 is mapped too).
//
// Nothing here logs or stores the number.
import { todayIso } from "../../lib/dates";

export type PersonnummerProblem = "empty" | "format" | "date" | "birth_number" | "checksum" | "future";

export type Personnummer = {
  /** 12 digits YYYYMMDDNNNC. */
  digits: string;
  /** YYYYMMDD-NNNC: what the duplicate search and the registration send. */
  formatted: string;
  /** ISO yyyy-mm-dd, with the samordningsnummer offset undone. */
  birthDate: string;
  isCoordinationNumber: boolean;
  /** Odd birth number: man; even: woman (derived, never typed). */
  legalSex: "woman" | "man";
};

export type PersonnummerResult = { ok: true; value: Personnummer } | { ok: false; problem: PersonnummerProblem };

// Samordningsnummer add 60 to the day of birth.
const COORDINATION_OFFSET = 60;
// [0-9] rather than \d, as on the server.
const TWELVE = /^([0-9]{8})-?([0-9]{4})$/;
const TEN = /^([0-9]{6})([-+]?)([0-9]{4})$/;

type Ymd = [number, number, number];

/** Check digit for the nine short digits YYMMDDNNN (the century is not part of the sum). */
export function luhnCheckDigit(nineDigits: string): number {
  if (!/^[0-9]{9}$/.test(nineDigits)) throw new Error("luhnCheckDigit needs exactly nine digits");
  let total = 0;
  for (let position = 0; position < 9; position++) {
    const product = Number(nineDigits[position]) * (position % 2 === 0 ? 2 : 1);
    total += product > 9 ? product - 9 : product;
  }
  return (10 - (total % 10)) % 10;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** The birth date of 12 digits, undoing the samordningsnummer offset; null if not a real date. */
function realDate(digits: string): Ymd | null {
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  let day = Number(digits.slice(6, 8));
  if (day > COORDINATION_OFFSET) day -= COORDINATION_OFFSET;
  else if (day === COORDINATION_OFFSET) return null; // "day 0" of a samordningsnummer
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return [year, month, day];
}

function compare(a: Ymd, b: Ymd): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function parseIso(iso: string): Ymd {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return [y, m, d];
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Full birth year of YYMMDD: the latest century not after today, 100 years back for "+". */
function inferYear(shortDate: string, hundredOrOlder: boolean, today: Ymd): number {
  const yy = Number(shortDate.slice(0, 2));
  const month = Number(shortDate.slice(2, 4));
  let day = Number(shortDate.slice(4, 6));
  if (day > COORDINATION_OFFSET) day -= COORDINATION_OFFSET;
  let year = today[0] - (today[0] % 100) + yy;
  // Compared as tuples, so an invalid date still gets a century and is then reported as a
  // bad date rather than a bad format (as on the server).
  if (compare([year, month, day], today) > 0) year -= 100;
  return hundredOrOlder ? year - 100 : year;
}

/**
 * Parse what a mentor typed. `today` (yyyy-mm-dd) decides the century of 10-digit forms and
 * what counts as the future. The first problem found is reported, in the server's order:
 * format, date, birth number 000, check digit, then a birth date in the future.
 */
export function parsePersonnummer(text: string, today: string = todayIso()): PersonnummerResult {
  const cleaned = text.trim();
  if (!cleaned) return { ok: false, problem: "empty" };
  const now = parseIso(today);
  let digits: string;
  const twelve = TWELVE.exec(cleaned);
  const ten = twelve ? null : TEN.exec(cleaned);
  if (twelve) {
    digits = `${twelve[1]}${twelve[2]}`;
  } else if (ten) {
    const [, shortDate, separator, tail] = ten as unknown as [string, string, string, string];
    const year = inferYear(shortDate, separator === "+", now);
    if (year < 1 || year > 9999) return { ok: false, problem: "date" };
    digits = `${pad(year, 4)}${shortDate.slice(2)}${tail}`;
  } else {
    return { ok: false, problem: "format" };
  }

  const birth = realDate(digits);
  if (!birth) return { ok: false, problem: "date" };
  if (digits.slice(8, 11) === "000") return { ok: false, problem: "birth_number" };
  if (luhnCheckDigit(digits.slice(2, 11)) !== Number(digits[11])) return { ok: false, problem: "checksum" };
  if (compare(birth, now) > 0) return { ok: false, problem: "future" };

  return {
    ok: true,
    value: {
      digits,
      formatted: `${digits.slice(0, 8)}-${digits.slice(8)}`,
      birthDate: `${pad(birth[0], 4)}-${pad(birth[1])}-${pad(birth[2])}`,
      isCoordinationNumber: Number(digits.slice(6, 8)) > COORDINATION_OFFSET,
      legalSex: Number(digits[10]) % 2 === 1 ? "man" : "woman",
    },
  };
}

/**
 * Whether the text can be judged while the person is still typing: a complete form (12 digits,
 * or YYMMDD-NNNN / YYMMDD+NNNN), or something that can never become a personnummer (other
 * characters, more than 12 digits). Ten digits without a separator may be the start of a
 * 12-digit number, so those (and anything shorter) are judged when the field is left.
 */
export function readyToCheck(text: string): boolean {
  const cleaned = text.trim();
  const digitCount = cleaned.replace(/[^0-9]/g, "").length;
  return digitCount >= 12 || /[^0-9+-]/.test(cleaned) || /^[0-9]{6}[-+][0-9]{4}$/.test(cleaned);
}

/** Completed years on `on` (yyyy-mm-dd); 29 February birthdays count from 1 March. */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = parseIso(birthDate);
  const [y, m, d] = parseIso(on);
  let birthday: [number, number] = [bm, bd];
  if (bm === 2 && bd === 29 && !isLeap(y)) birthday = [3, 1];
  const years = y - by;
  return m < birthday[0] || (m === birthday[0] && d < birthday[1]) ? years - 1 : years;
}
