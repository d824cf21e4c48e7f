// The API names a field "body.username" or "query.purpose" when the request could not be
// parsed (FastAPI validation), and plain "username" when a rule of its own refused it. Screens
// key their field errors by the plain name, so both arrive at the same field.
import { isApiError } from "../../api/client";

/** "body.entries.2.code" → "entries.2.code"; "query.purpose" → "purpose". */
export function plainFieldName(key: string): string {
  return key.replace(/^(body|query|path|header)\./, "");
}

/**
 * The server's per-field problems keyed by plain field name. `validation` tells whether the
 * request failed FastAPI's parsing (English technical text: screens show their own words) or
 * a rule of the service (a short Swedish text that can be shown as is).
 */
export function serverFieldErrors(error: unknown): { fields: Record<string, string>; validation: boolean } {
  if (!isApiError(error)) return { fields: {}, validation: false };
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(error.fields)) {
    fields[plainFieldName(key)] = message;
  }
  return { fields, validation: error.code === "ValidationError" };
}

/** "finns redan" → "Finns redan." (the service's field texts are short phrases). */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
