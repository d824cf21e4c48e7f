// The API names a field "body.username" or "query.purpose" when the request could not be
// parsed (FastAPI validation), and plain "username" when a rule of its own refused it. Screens
// key their field errors by the plain name, so both arrive at the same field; any renaming onto
// a screen's own controls stays with the screen.
import { isApiError } from "./client";

/** "body.entries.2.code" → "entries.2.code"; "query.purpose" → "purpose". */
export function plainFieldName(key: string): string {
  return key.replace(/^(body|query|path|header)\./, "");
}

/** The server's per-field problems keyed by plain field name (the first message for a name wins). */
export function serverFields(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(error.fields)) {
    fields[plainFieldName(key)] ??= message;
  }
  return fields;
}

/**
 * True when the request failed FastAPI's parsing: its field texts are English and technical, so
 * screens show their own words (a rule of the service gives a short Swedish text to show as is).
 */
export function isValidationError(error: unknown): boolean {
  return isApiError(error) && error.code === "ValidationError";
}
