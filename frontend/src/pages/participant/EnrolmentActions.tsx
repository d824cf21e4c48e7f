import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ifMatch, isApiError, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { errorText, ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { formatDate, todayIso } from "../../lib/dates";
import {
  ACTION_ORDER,
  type ActionKind,
  availableActions,
  earliestEffectiveDate,
  effectiveDateError,
  EMPTY_OUTCOME,
  type Enrolment,
  isConflict,
  nextStep,
  outcomeBody,
  type OutcomeValues,
  type Programme,
  serverFieldErrors,
  validateOutcome,
} from "./actions";
import { ModalDialog } from "./ModalDialog";
import { OutcomeFields } from "./OutcomeFields";

type Props = {
  participantId: number;
  enrolment: Enrolment;
  programme: Programme | null;
};

/** Invalidate everything an enrolment change shows up in. */
export async function refreshAfterChange(
  queryClient: ReturnType<typeof useQueryClient>,
  participantId: number,
  enrolmentId: number,
): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ["participant", participantId] }),
    queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId] }),
    queryClient.invalidateQueries({ queryKey: ["caseload"] }),
    queryClient.invalidateQueries({ queryKey: ["tasks"] }),
  ]);
}

/**
 * The transitions the enrolment's state allows, each a button that opens a dialog with its form.
 * A refusal is explained in the dialog; a conflict offers to read the enrolment in again.
 */
export function EnrolmentActions({ participantId, enrolment, programme }: Props) {
  const { t, i18n } = useTranslation("participant");
  const { can } = useSession();
  const queryClient = useQueryClient();
  // The enrolment as it was when the dialog opened: its version goes in If-Match even if the
  // page reads a newer one meanwhile, so a change made by someone else is never overwritten.
  const [open, setOpen] = useState<{ action: ActionKind; snapshot: Enrolment } | null>(null);
  const [message, setMessage] = useState("");
  const buttons = useRef<Partial<Record<ActionKind, HTMLButtonElement | null>>>({});
  const statusRef = useRef<HTMLParagraphElement>(null);
  const focusAfter = useRef<{ to: "trigger" | "status"; action: ActionKind } | null>(null);

  // After the dialog has gone: focus back on its button, or on the message when the button
  // went away with the state it belonged to.
  useEffect(() => {
    const pending = focusAfter.current;
    if (!pending || open) return;
    focusAfter.current = null;
    const button = buttons.current[pending.action];
    if (pending.to === "trigger" && button?.isConnected) button.focus();
    else statusRef.current?.focus();
  });

  if (!can("enrolment:transition")) return null;
  const actions = availableActions(enrolment, programme);
  const next = nextStep(enrolment, programme);

  function label(action: ActionKind): string {
    if (action === "advance" && next) return t("actions.advance.buttonTo", { step: next.number });
    if (action === "stepBack" && enrolment.step) return t("actions.stepBack.buttonTo", { step: enrolment.step - 1 });
    return t(`actions.${action}.button`);
  }

  function dialogTitle(action: ActionKind, snapshot: Enrolment): string {
    if (action === "advance") {
      const target = nextStep(snapshot, programme);
      return target ? t("actions.advance.titleTo", { step: target.number }) : t("actions.advance.title");
    }
    if (action === "stepBack" && snapshot.step) return t("actions.stepBack.titleTo", { step: snapshot.step - 1 });
    return t(`actions.${action}.title`);
  }

  function close(action: ActionKind) {
    focusAfter.current = { to: "trigger", action };
    setOpen(null);
  }

  async function done(action: ActionKind, updated: Enrolment, effectiveOn: string) {
    queryClient.setQueryData(["enrolment", updated.id], updated);
    setMessage(t(`actions.${action}.done`, { date: formatDate(effectiveOn, i18n.language), step: updated.step ?? "" }));
    focusAfter.current = { to: "status", action };
    setOpen(null);
    await refreshAfterChange(queryClient, participantId, enrolment.id);
  }

  async function reload(action: ActionKind) {
    await refreshAfterChange(queryClient, participantId, enrolment.id);
    setMessage(t("conflict.reloaded"));
    focusAfter.current = { to: "status", action };
    setOpen(null);
  }

  return (
    <section className="participant-actions" aria-labelledby="participant-actions-heading">
      <h2 id="participant-actions-heading">{t("actions.heading")}</h2>
      <p ref={statusRef} role="status" tabIndex={-1} className="participant-actions__status">
        {message}
      </p>
      {actions.length === 0 ? (
        <p className="muted">{t(`actions.none.${enrolment.state}`, { defaultValue: t("actions.none.default") })}</p>
      ) : (
        <div className="participant-actions__buttons">
          {ACTION_ORDER.filter((a) => actions.includes(a)).map((action) => (
            <button
              key={action}
              ref={(el) => {
                buttons.current[action] = el;
              }}
              type="button"
              className={action === "advance" || action === "start" || action === "intake" || action === "resume" ? "button" : "button button--secondary"}
              aria-haspopup="dialog"
              onClick={() => {
                setMessage("");
                setOpen({ action, snapshot: enrolment });
              }}
            >
              {label(action)}
            </button>
          ))}
        </div>
      )}
      {open && (
        <ModalDialog title={dialogTitle(open.action, open.snapshot)} onClose={() => close(open.action)}>
          <ActionForm
            action={open.action}
            enrolment={open.snapshot}
            programme={programme}
            onCancel={() => close(open.action)}
            onDone={(updated, on) => done(open.action, updated, on)}
            onReload={() => reload(open.action)}
          />
        </ModalDialog>
      )}
    </section>
  );
}

type FormProps = {
  action: ActionKind;
  enrolment: Enrolment;
  programme: Programme | null;
  onCancel: () => void;
  onDone: (updated: Enrolment, effectiveOn: string) => Promise<void> | void;
  onReload: () => Promise<void> | void;
};

type Problem =
  | { kind: "invalid"; message: string; unplaced: [string, string][] }
  | { kind: "refused"; message: string }
  | { kind: "conflict" }
  | { kind: "other"; error: unknown };

/** The controls each action's form has (server field problems for others go in the summary). */
const CONTROLS: Record<ActionKind, string[]> = {
  intake: ["effective_on"],
  start: ["effective_on"],
  advance: [
    "effective_on",
    "outcome.kind",
    "outcome.starts_on",
    "outcome.subsidised",
    "outcome.extent_percent",
    "outcome.studies_kind",
  ],
  stepBack: ["effective_on", "reason"],
  pause: ["effective_on", "reason", "note"],
  resume: ["effective_on"],
  exit: ["effective_on", "exit_reason_code", "exit_status_code"],
  decline: ["effective_on", "reason"],
};

const PAUSE_REASONS: Schemas["PauseReason"][] = ["sick_leave", "parental_leave", "other"];

export function ActionForm({ action, enrolment, programme, onCancel, onDone, onReload }: FormProps) {
  const { t, i18n } = useTranslation("participant");
  const today = todayIso();
  const earliest = earliestEffectiveDate(enrolment);
  const target = action === "advance" ? nextStep(enrolment, programme) : null;
  const needsOutcome = Boolean(target?.requires_outcome);
  const [effectiveOn, setEffectiveOn] = useState(today);
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [exitReason, setExitReason] = useState("");
  const [exitStatus, setExitStatus] = useState("");
  const [outcome, setOutcome] = useState<OutcomeValues>(EMPTY_OUTCOME);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  /** A changed answer drops its old error message (the next submit checks everything again). */
  function clearErrors(...names: string[]) {
    setErrors((current) => {
      if (!names.some((n) => n in current)) return current;
      const next = { ...current };
      for (const n of names) delete next[n];
      return next;
    });
  }
  function changeOutcome(values: OutcomeValues) {
    const changed = (Object.keys(values) as (keyof OutcomeValues)[]).filter((k) => values[k] !== outcome[k]);
    clearErrors(...changed.map((k) => `outcome.${k}`));
    setOutcome(values);
  }

  useEffect(() => {
    if (problem) summaryRef.current?.focus();
  }, [problem]);

  function validate(): Record<string, string> {
    const found: Record<string, string> = {};
    const dateError = effectiveDateError(effectiveOn, today, earliest);
    if (dateError) found.effective_on = t(dateError, { earliest: formatDate(earliest, i18n.language) });
    if ((action === "stepBack" || action === "decline") && !reason.trim()) found.reason = t("validation.reasonRequired");
    if ((action === "stepBack" || action === "decline") && reason.trim().length > 500) found.reason = t("validation.tooLong");
    if (action === "pause" && !reason) found.reason = t("validation.pauseReasonRequired");
    if (action === "pause" && note.trim().length > 500) found.note = t("validation.tooLong");
    if (action === "exit" && !exitReason) found.exit_reason_code = t("validation.exitReasonRequired");
    if (action === "exit" && !exitStatus) found.exit_status_code = t("validation.exitStatusRequired");
    if (needsOutcome) {
      for (const [name, key] of Object.entries(validateOutcome(outcome, enrolment.started_on))) {
        found[name] = t(key, { earliest: formatDate(enrolment.started_on, i18n.language) });
      }
    }
    return found;
  }

  async function send(): Promise<Enrolment> {
    const params = {
      path: { enrolment_id: enrolment.id },
      header: { "if-match": ifMatch(enrolment.version) },
    };
    const effective_on = effectiveOn;
    switch (action) {
      case "intake":
        return unwrap(await api.POST("/api/v1/enrolments/{enrolment_id}/intake", { params, body: { effective_on } }));
      case "start":
        return unwrap(await api.POST("/api/v1/enrolments/{enrolment_id}/start", { params, body: { effective_on } }));
      case "advance":
        return unwrap(
          await api.POST("/api/v1/enrolments/{enrolment_id}/advance", {
            params,
            body: needsOutcome ? { effective_on, outcome: outcomeBody(outcome) } : { effective_on },
          }),
        );
      case "stepBack":
        return unwrap(
          await api.POST("/api/v1/enrolments/{enrolment_id}/step-back", {
            params,
            body: { effective_on, reason: reason.trim() },
          }),
        );
      case "pause":
        return unwrap(
          await api.POST("/api/v1/enrolments/{enrolment_id}/pause", {
            params,
            body: { effective_on, reason: reason as Schemas["PauseReason"], note: note.trim() || null },
          }),
        );
      case "resume":
        return unwrap(await api.POST("/api/v1/enrolments/{enrolment_id}/resume", { params, body: { effective_on } }));
      case "exit":
        return unwrap(
          await api.POST("/api/v1/enrolments/{enrolment_id}/exit", {
            params,
            body: { effective_on, exit_reason_code: exitReason, exit_status_code: exitStatus },
          }),
        );
      case "decline":
        return unwrap(
          await api.POST("/api/v1/enrolments/{enrolment_id}/decline", {
            params,
            body: { effective_on, reason: reason.trim() },
          }),
        );
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setProblem({ kind: "invalid", message: "", unplaced: [] });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const updated = await send();
      setBusy(false);
      await onDone(updated, effectiveOn);
      return;
    } catch (error) {
      if (isConflict(error)) {
        setProblem({ kind: "conflict" });
      } else if (isApiError(error, 409)) {
        setProblem({ kind: "refused", message: error.message });
      } else if (isApiError(error, 422)) {
        const fromServer = serverFieldErrors(error);
        const placed: Record<string, string> = {};
        const unplaced: [string, string][] = [];
        for (const [name, text] of Object.entries(fromServer)) {
          if (CONTROLS[action].includes(name)) placed[name] = text;
          else unplaced.push([name, text]);
        }
        setErrors(placed);
        setProblem({ kind: "invalid", message: error.message, unplaced });
      } else {
        setProblem({ kind: "other", error });
      }
    }
    setBusy(false);
  }

  async function reload() {
    setBusy(true);
    try {
      await onReload();
    } finally {
      setBusy(false);
    }
  }

  const errorCount = Object.keys(errors).length;
  const hasReason = action === "stepBack" || action === "decline";

  return (
    <form className="form participant-form" noValidate onSubmit={(e) => void submit(e)}>
      <p className="muted">{t(`actions.${action}.help`, { step: target?.number ?? "" })}</p>
      {problem && !(problem.kind === "invalid" && !problem.message && problem.unplaced.length === 0 && errorCount === 0) && (
        <div ref={summaryRef} tabIndex={-1} className="notice notice--error participant-form__summary" role="alert">
          {problem.kind === "conflict" && (
            <>
              <p className="notice__title">{t("conflict.title")}</p>
              <p>{t("conflict.body")}</p>
              <button type="button" className="button" onClick={() => void reload()} disabled={busy}>
                {t("common:reload")}
              </button>
            </>
          )}
          {problem.kind === "refused" && (
            <>
              <p className="notice__title">{t("refused.title")}</p>
              <p>{problem.message || t("refused.body")}</p>
            </>
          )}
          {problem.kind === "invalid" && (
            <>
              <p className="notice__title">{t("common:errors.formSummary", { count: errorCount + problem.unplaced.length })}</p>
              {problem.message && <p>{problem.message}</p>}
              <ul>
                {Object.entries(errors).map(([name, text]) => (
                  <li key={name}>
                    {t(`fields.${name}`, { defaultValue: name })}: {text}
                  </li>
                ))}
                {problem.unplaced.map(([name, text]) => (
                  <li key={name}>
                    {t(`fields.${name}`, { defaultValue: name })}: {text}
                  </li>
                ))}
              </ul>
            </>
          )}
          {problem.kind === "other" && <OtherProblem error={problem.error} />}
        </div>
      )}

      <Field
        label={t("fields.effective_on")}
        hint={t("form.effectiveOnHint", { earliest: formatDate(earliest, i18n.language) })}
        error={errors.effective_on}
        required
      >
        <input
          type="date"
          name="effective_on"
          value={effectiveOn}
          min={earliest}
          max={today}
          onChange={(e) => {
            setEffectiveOn(e.target.value);
            clearErrors("effective_on");
          }}
        />
      </Field>

      {hasReason && (
        <Field label={t(`fields.reason_${action}`)} hint={t("form.reasonHint")} error={errors.reason} required>
          <textarea
            name="reason"
            rows={3}
            maxLength={500}
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
              clearErrors("reason");
            }}
          />
        </Field>
      )}

      {action === "pause" && (
        <>
          <Field label={t("fields.pause_reason")} error={errors.reason} required>
            <select
              name="reason"
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                clearErrors("reason");
              }}
            >
              <option value="">{t("form.choose")}</option>
              {PAUSE_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`pauseReasons.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("fields.note")} hint={t("form.noteHint")} error={errors.note}>
            <textarea
              name="note"
              rows={3}
              maxLength={500}
              value={note}
              onChange={(e) => {
                setNote(e.target.value);
                clearErrors("note");
              }}
            />
          </Field>
        </>
      )}

      {action === "exit" && (
        <ExitFields
          on={effectiveOn}
          exitReason={exitReason}
          exitStatus={exitStatus}
          onReason={(code) => {
            setExitReason(code);
            clearErrors("exit_reason_code");
          }}
          onStatus={(code) => {
            setExitStatus(code);
            clearErrors("exit_status_code");
          }}
          errors={errors}
        />
      )}

      {needsOutcome && (
        <OutcomeFields values={outcome} onChange={changeOutcome} errors={errors} startedOn={enrolment.started_on} />
      )}

      <div className="form-actions">
        <button type="submit" className="button" disabled={busy || problem?.kind === "conflict"}>
          {busy ? t("common:saving") : t(`actions.${action}.submit`)}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t("common:cancel")}
        </button>
      </div>
    </form>
  );
}

function OtherProblem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const { title, body } = errorText(error, t);
  return (
    <>
      <p className="notice__title">{title}</p>
      <p>{body}</p>
    </>
  );
}

export function useCodeList(name: Schemas["CodeListName"], enabled = true) {
  return useQuery({
    queryKey: ["code-list", name],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/code-lists/{list_name}", { params: { path: { list_name: name } } })),
    staleTime: 10 * 60_000,
    enabled,
  });
}

function validOn(entry: Schemas["CodeEntryRead"], on: string): boolean {
  if (entry.valid_from && on < entry.valid_from) return false;
  return !entry.valid_to || on <= entry.valid_to;
}

type ExitProps = {
  on: string;
  exitReason: string;
  exitStatus: string;
  onReason: (code: string) => void;
  onStatus: (code: string) => void;
  errors: Record<string, string>;
};

function ExitFields({ on, exitReason, exitStatus, onReason, onStatus, errors }: ExitProps) {
  const { t, i18n } = useTranslation("participant");
  const reasons = useCodeList("exit_reason");
  const statuses = useCodeList("exit_status");
  if (reasons.isPending || statuses.isPending) return <Loading />;
  if (reasons.isError) return <ErrorNotice error={reasons.error} onRetry={() => void reasons.refetch()} />;
  if (statuses.isError) return <ErrorNotice error={statuses.error} onRetry={() => void statuses.refetch()} />;
  const label = (e: Schemas["CodeEntryRead"]) => (i18n.language === "en" ? e.label_en : e.label_sv);
  const date = on || todayIso();
  const reasonEntries = reasons.data.entries.filter((e) => validOn(e, date));
  const statusEntries = statuses.data.entries.filter((e) => validOn(e, date));
  const meaning = (entry: Schemas["CodeEntryRead"] | undefined) => {
    if (!entry) return undefined;
    if (entry.excluded_from_statistics) return t("form.codeExcluded");
    if (entry.continues_in_regular_operations) return t("form.codeContinues");
    return undefined;
  };
  const chosenReason = reasonEntries.find((e) => e.code === exitReason);
  const chosenStatus = statusEntries.find((e) => e.code === exitStatus);
  return (
    <>
      <Field label={t("fields.exit_reason_code")} hint={meaning(chosenReason)} error={errors.exit_reason_code} required>
        <select name="exit_reason_code" value={exitReason} onChange={(e) => onReason(e.target.value)}>
          <option value="">{t("form.choose")}</option>
          {reasonEntries.map((e) => (
            <option key={e.code} value={e.code}>
              {label(e)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label={t("fields.exit_status_code")}
        hint={meaning(chosenStatus) ?? (chosenStatus?.outcome_group ? t(`outcomeGroups.${chosenStatus.outcome_group}`) : undefined)}
        error={errors.exit_status_code}
        required
      >
        <select name="exit_status_code" value={exitStatus} onChange={(e) => onStatus(e.target.value)}>
          <option value="">{t("form.choose")}</option>
          {statusEntries.map((e) => (
            <option key={e.code} value={e.code}>
              {label(e)}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
