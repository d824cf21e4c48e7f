// Test helpers: render a screen with the app's providers, and answer its API calls from a
// table instead of a server (the real server is exercised by the Playwright tests).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { SessionProvider } from "../auth/session";
import { storeTokens } from "../auth/tokens";

export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
export type Handler = Reply | ((request: Request) => Reply | Promise<Reply>);

/** Every request the fake API received, with its parsed JSON body (if any). */
export type Call = { method: string; path: string; search: string; body: unknown; headers: Headers };

export const ME_MENTOR = {
  kind: "user",
  id: 1,
  display_name: "Test Mentor",
  role: "mentor",
  permissions: [
    "participant:read", "participant:create", "participant:update", "participant:reveal_personnummer",
    "enrolment:read", "enrolment:refer", "enrolment:transition", "caseload:read", "code_list:read",
    "programme:read", "assessment:read", "assessment:record", "follow_up:read", "follow_up:record",
    "activity:read", "activity:record", "cohort:read", "cohort:manage", "plan:read", "plan:write",
    "consent:read", "consent:record", "tasks:read",
  ],
  municipality_id: 1,
  organisation_id: 1,
};

/**
 * Replace fetch with a table: keys are "METHOD /path" (query string ignored). An unknown
 * request fails the test loudly with a 599 instead of hanging. `/api/v1/me` answers
 * ME_MENTOR unless the table says otherwise.
 */
export function mockApi(table: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  const all: Record<string, Handler> = { "GET /api/v1/me": { body: ME_MENTOR }, ...table };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
      const url = new URL(request.url, "http://localhost");
      const text = request.method === "GET" ? "" : await request.clone().text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* form-encoded or plain text: keep the text */
      }
      calls.push({ method: request.method, path: url.pathname, search: url.search, body, headers: request.headers });
      const handler = all[`${request.method} ${url.pathname}`];
      if (!handler) {
        return new Response(JSON.stringify({ error: "Unmocked", detail: `${request.method} ${url.pathname}` }), {
          status: 599 as number,
        });
      }
      const reply = typeof handler === "function" ? await handler(request) : handler;
      const status = reply.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(reply.body ?? {}), {
        status,
        headers: { "Content-Type": "application/json", ...(reply.headers ?? {}) },
      });
    }),
  );
  return calls;
}

type Options = { route?: string; path?: string; signedIn?: boolean };

/** Render `ui` at `route` (matched by `path`) inside the providers, signed in by default. */
export function renderScreen(ui: ReactElement, { route = "/", path = "*", signedIn = true }: Options = {}): RenderResult {
  if (signedIn) storeTokens({ access_token: "test-access", refresh_token: "test-refresh" });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <SessionProvider>
          <Routes>
            <Route path={path} element={ui} />
            <Route path="/logga-in" element={<p>sign-in page</p>} />
          </Routes>
        </SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
