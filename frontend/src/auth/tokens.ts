// Token keeping. The access token lives only in memory; the refresh token in sessionStorage,
// so a reload keeps the tab signed in but closing it signs out (shared computers at a
// municipal office). A 401 triggers one refresh (shared by concurrent calls) and one retry;
// if that fails the session is over and listeners send the user to sign-in.

const REFRESH_KEY = "levelup.refresh";
const TOKEN_PATH = "/api/v1/auth/token";

let accessToken: string | null = null;
// Set when a session ended by itself (refresh refused), so sign-in can say so.
let expiredFlag = false;
let refreshing: Promise<boolean> | null = null;
const expiredListeners = new Set<() => void>();

export type TokenPair = { access_token: string; refresh_token?: string | null };

export function storeTokens(tokens: TokenPair): void {
  accessToken = tokens.access_token;
  expiredFlag = false;
  if (tokens.refresh_token) {
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  }
}

export function clearTokens(): void {
  accessToken = null;
  sessionStorage.removeItem(REFRESH_KEY);
}

export function refreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function hasSession(): boolean {
  return accessToken !== null || refreshToken() !== null;
}

export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** Whether the last session ended because its tokens ran out (not by signing out). */
export function sessionExpired(): boolean {
  return expiredFlag;
}

function expire(): void {
  clearTokens();
  expiredFlag = true;
  for (const listener of expiredListeners) listener();
}

async function postTokenForm(form: Record<string, string>): Promise<Response> {
  return fetch(TOKEN_PATH, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
}

/** Sign in with a password; returns the raw response so the caller can show 401/429 in words. */
export async function passwordLogin(username: string, password: string): Promise<Response> {
  const response = await postTokenForm({ grant_type: "password", username, password });
  if (response.ok) {
    storeTokens((await response.clone().json()) as TokenPair);
  }
  return response;
}

async function refresh(): Promise<boolean> {
  const token = refreshToken();
  if (!token) return false;
  try {
    const response = await postTokenForm({ grant_type: "refresh_token", refresh_token: token });
    if (!response.ok) return false;
    storeTokens((await response.json()) as TokenPair);
    return true;
  } catch {
    return false;
  }
}

function refreshOnce(): Promise<boolean> {
  refreshing ??= refresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withBearer(request: Request): Request {
  const headers = new Headers(request.headers);
  if (accessToken) headers.set("Authorization", `Bearer ${accessToken}`);
  return new Request(request, { headers });
}

/** fetch for the API client: bearer token, one refresh-and-retry on 401, then session expiry. */
export async function authFetch(input: Request): Promise<Response> {
  // Keep an unread copy: a body can be sent only once, and the retry needs it again.
  const retryCopy = input.clone();
  if (!accessToken && refreshToken()) await refreshOnce();
  const response = await fetch(withBearer(input));
  if (response.status !== 401) return response;
  if (await refreshOnce()) {
    return fetch(withBearer(retryCopy));
  }
  expire();
  return response;
}

/** Revoke the refresh token on the server (best effort) and forget both tokens. */
export async function logout(): Promise<void> {
  const token = refreshToken();
  try {
    if (token) {
      await fetch("/api/v1/auth/logout", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
        },
        body: JSON.stringify({ refresh_token: token }),
      });
    }
  } finally {
    clearTokens();
  }
}
