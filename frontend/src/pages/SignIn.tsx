import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { safeNext, useSession } from "../auth/session";
import { Field } from "../components/Field";
import { Page } from "../components/Page";

export function SignIn() {
  const { t } = useTranslation("auth");
  const { me, signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (me) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t("missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(username.trim(), password);
      if (result.ok) {
        navigate(next, { replace: true });
        return;
      }
      setError(result.status === 429 ? t("throttled") : result.status === 401 ? t("wrong") : t("failed"));
    } catch {
      setError(t("network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <Page title={t("title")}>
        {params.get("utgangen") && (
          <p className="notice notice--info" role="status">
            {t("expired")}
          </p>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate className="form signin__form">
          <Field label={t("username")} required>
            <input
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </Field>
          <Field label={t("password")} required error={error}>
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("signingIn") : t("submit")}
          </button>
        </form>
      </Page>
    </div>
  );
}
