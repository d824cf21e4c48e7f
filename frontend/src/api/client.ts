// The one API client: generated types (schema.d.ts, from ../openapi.yaml) + openapi-fetch.
// Authentication rides on a custom fetch so every call gets the bearer token and one silent
// refresh on 401; nothing else in the app touches tokens.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { authFetch } from "../auth/tokens";

export type Schemas = components["schemas"];

// Same origin as the app (the API serves it; Vite proxies in development). An absolute base,
// because Request() outside a browser (tests) cannot resolve a bare path.
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "", fetch: authFetch });

/** An answer the API gave with an error status, in the API's one error body shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;

  constructor(status: number, code: string, detail: string, fields: Record<string, string> = {}) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

type ErrorBodyLike = { error?: unknown; detail?: unknown; fields?: unknown };

export function toApiError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as ErrorBodyLike;
  const code = typeof b.error === "string" ? b.error : `HTTP${status}`;
  const detail = typeof b.detail === "string" ? b.detail : "";
  const fields: Record<string, string> = {};
  if (b.fields && typeof b.fields === "object") {
    for (const [key, value] of Object.entries(b.fields as Record<string, unknown>)) {
      fields[key] = String(value);
    }
  }
  return new ApiError(status, code, detail, fields);
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or an ApiError thrown for React Query to hold. */
export function unwrap<T>(result: Result<T>): T {
  if (result.response.ok && result.error === undefined) {
    return result.data as T;
  }
  throw toApiError(result.response.status, result.error);
}

/** The If-Match value for a resource read with `version` (the API's ETag is the quoted version). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
