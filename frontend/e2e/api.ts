// Direct API calls for test set-up: each test that changes data makes its own synthetic
// participant first, so tests never depend on each other or on the order they run in.
import { type APIRequestContext, expect } from "@playwright/test";
import { DEMO_PASSWORD } from "./fixtures";

export async function tokenFor(request: APIRequestContext, username: string): Promise<string> {
  const response = await request.post("/api/v1/auth/token", {
    form: { grant_type: "password", username, password: DEMO_PASSWORD },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function luhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A personnummer from Skatteverket's test series (birth numbers 988–999), never a real
 * person's. `serial` picks the birth date (from 2004-01-01 on) and the birth number.
 */
export function testPersonnummer(serial: number, sex: "woman" | "man" = "woman"): string {
  const birth = new Date(Date.UTC(2004, 0, 1) + Math.floor(serial / 6) * 86_400_000);
  const birthNumber = (sex === "man" ? 989 : 988) + 2 * (serial % 6);
  const yy = String(birth.getUTCFullYear() % 100).padStart(2, "0");
  const mm = String(birth.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(birth.getUTCDate()).padStart(2, "0");
  const short = `${yy}${mm}${dd}${birthNumber}`;
  return `${birth.getUTCFullYear()}${mm}${dd}-${birthNumber}${luhn(short)}`;
}

/**
 * Today's date (yyyy-mm-dd) in Sweden, the app's calendar (the backend's clock and the browser's
 * time zone in playwright.config.ts). Not the test runner's UTC date: between 23:00 and 00:00
 * UTC the two differ, and a reading dated "yesterday" became the first instead of the latest.
 */
export function swedishToday(): string {
  return new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm" });
}

export type Referral = { participantId: number; enrolmentId: number; personnummer: string };

/**
 * Register a new synthetic participant with a Level Up referral as `username` (a mentor or
 * lead mentor). `serial` ranges keep spec files apart (see e2e/README.md); a number the demo
 * data happens to use already (409) moves on to the next serial.
 */
export async function registerReferral(
  request: APIRequestContext,
  username: string,
  serial: number,
  name = { first: "Testa", last: `E2E-${serial}` },
): Promise<Referral> {
  const token = await tokenFor(request, username);
  const headers = { Authorization: `Bearer ${token}` };
  for (let attempt = 0; attempt < 20; attempt++) {
    const personnummer = testPersonnummer(serial + attempt * 1000);
    const created = await request.post("/api/v1/participants", {
      headers,
      data: { personnummer, first_name: name.first, last_name: name.last },
    });
    if (created.status() === 409) continue;
    expect(created.status(), await created.text()).toBe(201);
    const participant = (await created.json()) as { id: number };
    const referral = await request.post(`/api/v1/participants/${participant.id}/enrolments`, {
      headers,
      data: { programme_code: "level_up", referred_on: swedishToday() },
    });
    expect(referral.status(), await referral.text()).toBe(201);
    const enrolment = (await referral.json()) as { id: number };
    return { participantId: participant.id, enrolmentId: enrolment.id, personnummer };
  }
  throw new Error("no free test personnummer");
}

/** Run an enrolment command through the API (with the If-Match the API asks for). */
export async function command(
  request: APIRequestContext,
  username: string,
  enrolmentId: number,
  action: "intake" | "start" | "advance",
  body: Record<string, unknown> = {},
): Promise<void> {
  const token = await tokenFor(request, username);
  const headers = { Authorization: `Bearer ${token}` };
  const current = await request.get(`/api/v1/enrolments/${enrolmentId}`, { headers });
  const version = ((await current.json()) as { version: number }).version;
  const response = await request.post(`/api/v1/enrolments/${enrolmentId}/${action}`, {
    headers: { ...headers, "If-Match": `"${version}"` },
    data: { effective_on: swedishToday(), ...body },
  });
  expect(response.status(), await response.text()).toBe(200);
}
