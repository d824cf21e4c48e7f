import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, type Schemas, unwrap } from "../api/client";
import { hasSession, logout, onSessionExpired, passwordLogin } from "./tokens";

export type Me = Schemas["MeRead"];
export type Permission = Schemas["Permission"];

type SignInResult = { ok: true } | { ok: false; status: number; detail: string };

type Session = {
  me: Me | null;
  loading: boolean;
  signIn: (username: string, password: string) => Promise<SignInResult>;
  signOut: () => Promise<void>;
  can: (permission: Permission) => boolean;
};

const SessionContext = createContext<Session | null>(null);

export const SIGN_IN_PATH = "/logga-in";

/** Where to come back to after signing in: only a path inside the app, never another origin. */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith(SIGN_IN_PATH)) {
    return "/";
  }
  return value;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [signedIn, setSignedIn] = useState(hasSession);

  const meQuery = useQuery({
    queryKey: ["me"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me")),
    enabled: signedIn,
    staleTime: 5 * 60_000,
  });

  // The screens behind sign-in then redirect (RequireSession), with the way back and a note
  // that the session ran out. Navigating from here as well would race that redirect.
  useEffect(
    () =>
      onSessionExpired(() => {
        setSignedIn(false);
        queryClient.clear();
      }),
    [queryClient],
  );

  const signIn = useCallback(
    async (username: string, password: string): Promise<SignInResult> => {
      const response = await passwordLogin(username, password);
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { detail?: string };
        return { ok: false, status: response.status, detail: body.detail ?? "" };
      }
      queryClient.clear();
      setSignedIn(true);
      return { ok: true };
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await logout();
    setSignedIn(false);
    queryClient.clear();
    navigate(SIGN_IN_PATH, { replace: true });
  }, [navigate, queryClient]);

  const me = signedIn ? (meQuery.data ?? null) : null;
  const value = useMemo<Session>(
    () => ({
      me,
      loading: signedIn && meQuery.isPending,
      signIn,
      signOut,
      can: (permission) => me?.permissions.includes(permission) ?? false,
    }),
    [me, signedIn, meQuery.isPending, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
