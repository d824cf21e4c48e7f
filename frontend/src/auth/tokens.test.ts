import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, toApiError, unwrap } from "../api/client";
import { safeNext } from "./session";
import {
  authFetch,
  clearTokens,
  hasSession,
  onSessionExpired,
  passwordLogin,
  refreshToken,
  sessionExpired,
  storeTokens,
} from "./tokens";

type Seen = { url: string; method: string; auth: string | null; body: string };

/** A fake server: `answer` decides each reply; every request is recorded. */
function fakeServer(answer: (seen: Seen) => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
      const entry = {
        url: new URL(request.url).pathname,
        method: request.method,
        auth: request.headers.get("Authorization"),
        body: request.method === "GET" ? "" : await request.text(),
      };
      seen.push(entry);
      return answer(entry);
    }),
  );
  return seen;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

afterEach(() => {
  clearTokens();
  vi.unstubAllGlobals();
});

describe("authFetch", () => {
  it("sends the bearer token", async () => {
    storeTokens({ access_token: "A1", refresh_token: "R1" });
    const seen = fakeServer(() => json(200, {}));
    await authFetch(new Request("http://localhost/api/v1/me"));
    expect(seen[0]?.auth).toBe("Bearer A1");
  });

  it("refreshes once on 401 and retries the request with its body", async () => {
    storeTokens({ access_token: "old", refresh_token: "R1" });
    const seen = fakeServer((s) => {
      if (s.url === "/api/v1/auth/token") return json(200, { access_token: "new", refresh_token: "R2" });
      return s.auth === "Bearer new" ? json(201, { ok: true }) : json(401, { error: "Unauthorized" });
    });
    const response = await authFetch(
      new Request("http://localhost/api/v1/participants", { method: "POST", body: JSON.stringify({ a: 1 }) }),
    );
    expect(response.status).toBe(201);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /api/v1/participants",
      "POST /api/v1/auth/token",
      "POST /api/v1/participants",
    ]);
    expect(seen[1]?.body).toBe("grant_type=refresh_token&refresh_token=R1");
    expect(seen[2]?.body).toBe(JSON.stringify({ a: 1 }));
    expect(refreshToken()).toBe("R2"); // rotated
  });

  it("shares one refresh between concurrent 401s (a reused refresh token would revoke the family)", async () => {
    storeTokens({ access_token: "old", refresh_token: "R1" });
    const seen = fakeServer(async (s) => {
      if (s.url === "/api/v1/auth/token") {
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: "new", refresh_token: "R2" });
      }
      return s.auth === "Bearer new" ? json(200, {}) : json(401, {});
    });
    const results = await Promise.all([1, 2, 3].map(() => authFetch(new Request("http://localhost/api/v1/me"))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(seen.filter((s) => s.url === "/api/v1/auth/token")).toHaveLength(1);
  });

  it("ends the session when the refresh is refused, and tells the listeners", async () => {
    storeTokens({ access_token: "old", refresh_token: "R1" });
    fakeServer((s) => (s.url === "/api/v1/auth/token" ? json(401, {}) : json(401, {})));
    const expired = vi.fn();
    const stop = onSessionExpired(expired);
    const response = await authFetch(new Request("http://localhost/api/v1/me"));
    stop();
    expect(response.status).toBe(401);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(hasSession()).toBe(false);
    // Sign-in can then say the session ran out; a new sign-in clears that.
    expect(sessionExpired()).toBe(true);
    storeTokens({ access_token: "A2", refresh_token: "R2" });
    expect(sessionExpired()).toBe(false);
  });

  it("does not end the session on 403 (not permitted is not signed out)", async () => {
    storeTokens({ access_token: "A1", refresh_token: "R1" });
    const seen = fakeServer(() => json(403, { error: "Forbidden", detail: "Saknar behörighet" }));
    const expired = vi.fn();
    const stop = onSessionExpired(expired);
    const response = await authFetch(new Request("http://localhost/api/v1/stats/outcomes"));
    stop();
    expect(response.status).toBe(403);
    expect(expired).not.toHaveBeenCalled();
    expect(seen).toHaveLength(1);
    expect(hasSession()).toBe(true);
  });

  it("keeps the access token in memory only and the refresh token in sessionStorage", async () => {
    fakeServer(() => json(200, { access_token: "A9", refresh_token: "R9", token_type: "bearer" }));
    await passwordLogin("mentor", "pw");
    expect(sessionStorage.getItem("levelup.refresh")).toBe("R9");
    expect(JSON.stringify({ ...localStorage })).not.toContain("A9");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("A9");
  });
});

describe("API errors", () => {
  it("unwrap throws the API's error body as an ApiError", async () => {
    storeTokens({ access_token: "A1" });
    fakeServer(() => json(422, { error: "InvalidInput", detail: "Fel datum.", fields: { effective_on: "i framtiden" } }));
    const result = await api.GET("/api/v1/me");
    expect(() => unwrap(result)).toThrowError(ApiError);
    try {
      unwrap(result);
    } catch (error) {
      expect(error).toMatchObject({ status: 422, code: "InvalidInput", message: "Fel datum.", fields: { effective_on: "i framtiden" } });
    }
  });

  it("an error without the API's body shape still becomes an ApiError with the status", () => {
    expect(toApiError(502, "Bad gateway")).toMatchObject({ status: 502, code: "HTTP502", message: "" });
  });
});

describe("safeNext", () => {
  it.each([
    ["/deltagare/12", "/deltagare/12"],
    ["/start?x=1", "/start?x=1"],
    [null, "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/", "/"],
    ["/logga-in?next=/x", "/"],
  ])("%s -> %s", (value, expected) => {
    expect(safeNext(value)).toBe(expected);
  });
});
