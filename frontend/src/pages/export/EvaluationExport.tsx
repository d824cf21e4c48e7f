// The evaluator's export: a purpose (written to the access log), an optional `since` cursor for
// an incremental pull, then the NDJSON stream read with progress and a cancel button, saved
// as a file through a blob URL (a plain link could not carry the bearer token), and the
// trailer's summary. The last cursor is kept in memory only, per signed-in user.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, isApiError, toApiError } from "../../api/client";
import { isValidationError, serverFields } from "../../api/fieldErrors";
import { useSession } from "../../auth/session";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { Page } from "../../components/Page";
import { dateLocale } from "../../lib/dates";
import "./export.css";
import { exportFileName, readExport, type Trailer } from "./readExport";

// The `next_since` of the user's last complete export in this tab (never stored anywhere).
const lastCursor = new Map<number, string>();

/** For tests: forget the cursors of earlier exports. */
export function forgetExportCursors(): void {
  lastCursor.clear();
}

type Phase =
  | { kind: "idle" }
  | { kind: "running"; rows: number }
  | { kind: "done"; rows: number; withdrawals: number; trailer: Trailer; fileName: string; url: string }
  | { kind: "cancelled"; rows: number }
  | { kind: "truncated"; rows: number }
  | { kind: "failed"; error: unknown };

type FieldErrors = { purpose?: string; since?: string };

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const PROGRESS_INTERVAL_MS = 250;

function saveFile(url: string, fileName: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export default function EvaluationExport() {
  const { t, i18n } = useTranslation("exports");
  const { me } = useSession();
  const locale = dateLocale(i18n.language);
  const [purpose, setPurpose] = useState("");
  const [since, setSince] = useState("");
  const [sinceTouched, setSinceTouched] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const controller = useRef<AbortController | null>(null);
  const submitButton = useRef<HTMLButtonElement>(null);
  const fileUrl = useRef<string | null>(null);

  const remembered = me ? lastCursor.get(me.id) : undefined;
  useEffect(() => {
    if (remembered && !sinceTouched) setSince(remembered);
  }, [remembered, sinceTouched]);

  // Leaving the screen stops a running export and frees the file kept for "save again".
  useEffect(
    () => () => {
      controller.current?.abort();
      if (fileUrl.current) URL.revokeObjectURL(fileUrl.current);
    },
    [],
  );

  function validate(): FieldErrors {
    const found: FieldErrors = {};
    const text = purpose.trim();
    if (!text) found.purpose = t("purpose.missing");
    else if (text.length < 5 || text.length > 200) found.purpose = t("purpose.length");
    else if (CONTROL_CHARACTERS.test(text)) found.purpose = t("purpose.characters");
    const cursor = since.trim();
    if (cursor && (cursor.length > 64 || !ISO_WITH_ZONE.test(cursor))) found.since = t("since.invalid");
    return found;
  }

  function serverErrors(error: unknown): FieldErrors | null {
    if (!isApiError(error, 422)) return null;
    const fields = serverFields(error);
    const validation = isValidationError(error);
    const found: FieldErrors = {};
    if (fields.purpose !== undefined) found.purpose = t("purpose.length");
    if (fields.since !== undefined) found.since = validation ? t("since.invalid") : error.message || t("since.invalid");
    return Object.keys(found).length > 0 ? found : null;
  }

  async function run(event: FormEvent) {
    event.preventDefault();
    if (phase.kind === "running") return;
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setPhase({ kind: "idle" });
      return;
    }
    if (fileUrl.current) {
      URL.revokeObjectURL(fileUrl.current);
      fileUrl.current = null;
    }
    const abort = new AbortController();
    controller.current = abort;
    setPhase({ kind: "running", rows: 0 });
    try {
      const cursor = since.trim();
      const { data, error, response } = await api.GET("/api/v1/exports/evaluation", {
        params: { query: { purpose: purpose.trim(), ...(cursor ? { since: cursor } : {}) } },
        parseAs: "stream",
        signal: abort.signal,
      });
      if (error !== undefined || !response.ok || !data) {
        const failure = toApiError(response.status, error);
        const mapped = serverErrors(failure);
        if (mapped) {
          setErrors(mapped);
          setPhase({ kind: "idle" });
        } else {
          setPhase({ kind: "failed", error: failure });
        }
        return;
      }
      let shownAt = 0;
      const result = await readExport(
        data,
        (rows) => {
          const now = Date.now();
          if (now - shownAt >= PROGRESS_INTERVAL_MS) {
            shownAt = now;
            setPhase({ kind: "running", rows });
          }
        },
        abort.signal,
      );
      if (result.kind === "cancelled") {
        setPhase({ kind: "cancelled", rows: result.rows });
        return;
      }
      if (result.kind === "truncated") {
        setPhase({ kind: "truncated", rows: result.rows });
        return;
      }
      const fileName = exportFileName();
      const url = URL.createObjectURL(new Blob(result.chunks as BlobPart[], { type: "application/x-ndjson" }));
      fileUrl.current = url;
      saveFile(url, fileName);
      if (me) lastCursor.set(me.id, result.trailer.next_since);
      setSince(result.trailer.next_since);
      setSinceTouched(false);
      setPhase({ kind: "done", rows: result.rows, withdrawals: result.withdrawals, trailer: result.trailer, fileName, url });
    } catch (error) {
      if (abort.signal.aborted) setPhase({ kind: "cancelled", rows: 0 });
      else setPhase({ kind: "failed", error });
    } finally {
      controller.current = null;
      // The cancel button is gone: keep the keyboard user's place on the form.
      if (document.activeElement === document.body || document.activeElement === null) {
        submitButton.current?.focus();
      }
    }
  }

  function cancel() {
    controller.current?.abort();
  }

  const errorCount = Object.values(errors).filter(Boolean).length;
  const running = phase.kind === "running";

  return (
    <Page title={t("title")}>
      <p>{t("intro")}</p>

      <section className="card" aria-labelledby="export-contents">
        <h2 id="export-contents">{t("contents.title")}</h2>
        <div className="grid-2">
          <div>
            <h3>{t("contents.hasTitle")}</h3>
            <ul>
              {(t("contents.has", { returnObjects: true }) as string[]).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
          <div>
            <h3>{t("contents.neverTitle")}</h3>
            <ul>
              {(t("contents.never", { returnObjects: true }) as string[]).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
        </div>
        <p>{t("contents.pseudonym")}</p>
        <p>{t("contents.consent")}</p>
        <p className="muted">{t("contents.format")}</p>
      </section>

      <section className="card" aria-labelledby="export-request">
        <h2 id="export-request">{t("form.title")}</h2>
        {errorCount > 0 && (
          <div className="notice notice--error" role="alert">
            <p className="notice__title">{t("common:errors.formSummary", { count: errorCount })}</p>
            <ul>
              {errors.purpose && (
                <li>
                  <a href="#export-purpose">{t("purpose.label")}</a>: {errors.purpose}
                </li>
              )}
              {errors.since && (
                <li>
                  <a href="#export-since">{t("since.label")}</a>: {errors.since}
                </li>
              )}
            </ul>
          </div>
        )}
        <form className="form" noValidate onSubmit={(e) => void run(e)}>
          <Field label={t("purpose.label")} hint={t("purpose.hint")} error={errors.purpose} required>
            <input
              id="export-purpose"
              name="purpose"
              value={purpose}
              maxLength={200}
              autoComplete="off"
              disabled={running}
              onChange={(e) => setPurpose(e.target.value)}
            />
          </Field>
          <Field
            label={t("since.label")}
            hint={remembered && since === remembered ? t("since.hintRemembered") : t("since.hint")}
            error={errors.since}
          >
            <input
              id="export-since"
              name="since"
              value={since}
              maxLength={64}
              autoComplete="off"
              spellCheck={false}
              disabled={running}
              onChange={(e) => {
                setSince(e.target.value);
                setSinceTouched(true);
              }}
            />
          </Field>
          <div className="form-actions">
            <button ref={submitButton} type="submit" className="button" disabled={running}>
              {t("form.submit")}
            </button>
            {running && (
              <button type="button" className="button button--secondary" onClick={cancel}>
                {t("form.cancel")}
              </button>
            )}
          </div>
        </form>

        <div role="status" aria-live="polite" className="export-status">
          {phase.kind === "running" && <p>{t("progress.running", { count: phase.rows })}</p>}
          {phase.kind === "cancelled" && (
            <p className="notice notice--warn">{t("progress.cancelled", { count: phase.rows })}</p>
          )}
          {phase.kind === "done" && (
            <div className="notice notice--ok">
              <p className="notice__title">{t("done.title")}</p>
              <dl className="export-summary">
                <dt>{t("done.rows")}</dt>
                <dd>{phase.trailer.rows.toLocaleString(locale)}</dd>
                <dt>{t("done.withdrawals")}</dt>
                <dd>{phase.trailer.withdrawals.toLocaleString(locale)}</dd>
                <dt>{t("done.file")}</dt>
                <dd>{phase.fileName}</dd>
                <dt>{t("done.cursor")}</dt>
                <dd>
                  <code>{phase.trailer.next_since}</code>{" "}
                  <span className="muted">
                    ({new Date(phase.trailer.next_since).toLocaleString(locale)})
                  </span>
                </dd>
              </dl>
              {phase.trailer.withdrawals > 0 && <p>{t("done.withdrawalsHint", { count: phase.trailer.withdrawals })}</p>}
              {(phase.trailer.rows !== phase.rows || phase.trailer.withdrawals !== phase.withdrawals) && (
                <p>{t("done.mismatch", { counted: phase.rows + phase.withdrawals, told: phase.trailer.rows + phase.trailer.withdrawals })}</p>
              )}
              <p>{t("done.cursorHint")}</p>
            </div>
          )}
        </div>
        {phase.kind === "done" && (
          <p>
            <a href={phase.url} download={phase.fileName}>
              {t("done.saveAgain", { file: phase.fileName })}
            </a>
          </p>
        )}
        {phase.kind === "truncated" && (
          <div className="notice notice--error" role="alert">
            <p className="notice__title">{t("truncated.title")}</p>
            <p>{t("truncated.body", { count: phase.rows })}</p>
          </div>
        )}
        {phase.kind === "failed" && <FailedExport error={phase.error} />}
      </section>
    </Page>
  );
}

function FailedExport({ error }: { error: unknown }) {
  const { t } = useTranslation("exports");
  if (isApiError(error, 403)) {
    return (
      <div className="notice notice--error" role="alert">
        <p className="notice__title">{t("common:errors.notPermittedTitle")}</p>
        <p>{t("forbidden")}</p>
      </div>
    );
  }
  return <ErrorNotice error={error} />;
}
