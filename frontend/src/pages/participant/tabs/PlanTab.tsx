import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ifMatch, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { Field } from "../../../components/Field";
import { formatDate, formatDateTime, isIsoDate } from "../../../lib/dates";
import type { ParticipantTabsProps } from "./ParticipantTabs";
import { ResourceGroup } from "./ResourceGroup";
import {
  FormErrorSummary,
  invalidateTasks,
  isConflict,
  type Lang,
  NoEnrolment,
  NS,
  Saved,
  type SummaryItem,
  useLang,
} from "./shared";

type GoalStatus = Schemas["GoalStatus"];
const GOAL_STATUSES: GoalStatus[] = ["not_started", "in_progress", "achieved", "dropped"];
const MAX_GOALS = 30;

const GOAL_BADGE: Record<GoalStatus, string> = {
  not_started: "badge",
  in_progress: "badge badge--warn",
  achieved: "badge badge--ok",
  dropped: "badge",
};

export function PlanTab({ participant, enrolment }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  return (
    <div className="journey-stack">
      {enrolment ? <Plan enrolment={enrolment} /> : <NoEnrolment what={t("plan.heading").toLowerCase()} />}
      <ResourceGroup participantId={participant.id} />
    </div>
  );
}

function Plan({ enrolment }: { enrolment: Schemas["EnrolmentRead"] }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const enrolmentId = enrolment.id;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const plan = useQuery({
    queryKey: ["enrolment", enrolmentId, "plan"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/plan", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });
  const ended = enrolment.state === "exited" || enrolment.state === "declined";
  const mayWrite = can("plan:write") && !ended;

  if (plan.isPending) return <Loading />;
  if (plan.isError) return <ErrorNotice error={plan.error} onRetry={() => void plan.refetch()} />;
  const data = plan.data;

  return (
    <>
      <section aria-labelledby="journey-plan-heading">
        <h3 id="journey-plan-heading">{t("plan.heading")}</h3>
        {saved && <Saved>{saved}</Saved>}
        {data.revision === 0 ? (
          <p className="muted">{t("plan.noPlan")}</p>
        ) : (
          <p className="muted">
            {t("plan.revisionInfo", { revision: data.revision, date: formatDateTime(data.saved_at, lang) })}
          </p>
        )}
        {editing ? (
          <PlanEditor
            enrolmentId={enrolmentId}
            plan={data}
            onDone={(message) => {
              setEditing(false);
              if (message) setSaved(message);
              requestAnimationFrame(() => editButton.current?.focus());
            }}
            onReload={() => void plan.refetch()}
          />
        ) : (
          <>
            {data.goals.length > 0 && <GoalTable goals={data.goals} lang={lang} caption={t("plan.goalsCaption")} />}
            {data.note && (
              <>
                <h4>{t("plan.note")}</h4>
                <p className="journey-pre">{data.note}</p>
              </>
            )}
            {mayWrite && (
              <p>
                <button
                  ref={editButton}
                  type="button"
                  className="button"
                  onClick={() => {
                    setSaved(null);
                    setEditing(true);
                  }}
                >
                  {data.revision === 0 ? t("plan.create") : t("plan.edit")}
                </button>
              </p>
            )}
            {can("plan:write") && ended && <p className="notice notice--info">{t("plan.ended")}</p>}
          </>
        )}
      </section>
      {data.revision > 0 && <PlanRevisions enrolmentId={enrolmentId} lang={lang} latest={data.revision} />}
    </>
  );
}

function GoalTable({ goals, lang, caption }: { goals: Schemas["GoalRead"][]; lang: Lang; caption: string }) {
  const { t } = useTranslation(NS);
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("plan.goal")}</th>
            <th scope="col">{t("plan.area")}</th>
            <th scope="col">{t("plan.status")}</th>
            <th scope="col">{t("plan.targetOn")}</th>
          </tr>
        </thead>
        <tbody>
          {goals.map((goal, index) => (
            <tr key={index}>
              <th scope="row">{goal.text}</th>
              <td>{goal.area ?? ""}</td>
              <td>
                <span className={GOAL_BADGE[goal.status]}>{t(`plan.statuses.${goal.status}`)}</span>
              </td>
              <td>{goal.target_on ? formatDate(goal.target_on, lang) : t("plan.noTarget")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type GoalDraft = { text: string; area: string; status: GoalStatus; target_on: string };

function PlanEditor({
  enrolmentId,
  plan,
  onDone,
  onReload,
}: {
  enrolmentId: number;
  plan: Schemas["PlanRead"];
  onDone: (message: string | null) => void;
  onReload: () => void;
}) {
  const { t } = useTranslation(NS);
  const queryClient = useQueryClient();
  const formId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // The revision this edit is based on: sent as If-Match, so a save never overwrites someone else's.
  const [baseRevision, setBaseRevision] = useState(plan.revision);
  const fromPlan = (p: Schemas["PlanRead"]): GoalDraft[] =>
    p.goals.map((g) => ({ text: g.text, area: g.area ?? "", status: g.status, target_on: g.target_on ?? "" }));
  const [goals, setGoals] = useState<GoalDraft[]>(() => (plan.goals.length > 0 ? fromPlan(plan) : [{ text: "", area: "", status: "not_started", target_on: "" }]));
  const [note, setNote] = useState(plan.note ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const focusGoal = useRef<number | null>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (focusGoal.current !== null) {
      document.getElementById(`${formId}-goal-${focusGoal.current}-text`)?.focus();
      focusGoal.current = null;
    }
  });

  const save = useMutation({
    mutationFn: async (body: Schemas["PlanSave"]) =>
      unwrap(
        await api.PUT("/api/v1/enrolments/{enrolment_id}/plan", {
          params: { path: { enrolment_id: enrolmentId }, header: { "if-match": ifMatch(baseRevision) } },
          body,
        }),
      ),
    onSuccess: async (saved) => {
      queryClient.setQueryData(["enrolment", enrolmentId, "plan"], saved);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId, "plan-revisions"] }),
        invalidateTasks(queryClient),
      ]);
      onDone(t("plan.saved", { revision: saved.revision }));
    },
    onError: (error) => setErrors(serverFields(error)),
  });

  const update = (index: number, patch: Partial<GoalDraft>) =>
    setGoals((prev) => prev.map((g, i) => (i === index ? { ...g, ...patch } : g)));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.reset();
    const found: Record<string, string> = {};
    goals.forEach((goal, i) => {
      if (!goal.text.trim()) found[`goals.${i}.text`] = t("plan.errors.text");
      else if (goal.text.length > 500) found[`goals.${i}.text`] = t("errors.tooLong", { max: 500 });
      if (goal.area.length > 100) found[`goals.${i}.area`] = t("errors.tooLong", { max: 100 });
      if (goal.target_on && !isIsoDate(goal.target_on)) found[`goals.${i}.target_on`] = t("errors.dateInvalid");
    });
    if (goals.length > MAX_GOALS) found.goals = t("plan.errors.tooMany", { max: MAX_GOALS });
    if (note.length > 2000) found.note = t("errors.tooLong", { max: 2000 });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate({
      goals: goals.map((g) => ({
        text: g.text.trim(),
        area: g.area.trim() || null,
        status: g.status,
        target_on: g.target_on || null,
      })),
      note: note.trim() || null,
    });
  }

  async function reload() {
    const fresh = await queryClient.fetchQuery({
      queryKey: ["enrolment", enrolmentId, "plan"],
      queryFn: async () =>
        unwrap(
          await api.GET("/api/v1/enrolments/{enrolment_id}/plan", {
            params: { path: { enrolment_id: enrolmentId } },
          }),
        ),
    });
    setBaseRevision(fresh.revision);
    setGoals(fromPlan(fresh));
    setNote(fresh.note ?? "");
    setErrors({});
    save.reset();
    onReload();
    heading.current?.focus();
  }

  const fieldLabel = (key: string): { id: string; label: string } => {
    const match = /^goals\.(\d+)\.(\w+)$/.exec(key);
    if (match) {
      const [, index, field] = match as unknown as [string, string, string];
      const names: Record<string, string> = {
        text: t("plan.goal"),
        area: t("plan.area"),
        status: t("plan.status"),
        target_on: t("plan.targetOn"),
      };
      return {
        id: `${formId}-goal-${index}-${field === "target_on" ? "target" : field}`,
        label: `${t("plan.goalN", { n: Number(index) + 1 })}, ${names[field] ?? field}`,
      };
    }
    if (key === "note") return { id: `${formId}-note`, label: t("plan.note") };
    return { id: `${formId}-add`, label: t("plan.goalsLegend") };
  };
  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => {
    const { id, label } = fieldLabel(key);
    return { fieldId: id, label, message };
  });
  const conflict = save.isError && isConflict(save.error);

  return (
    <div className="card">
      <h4 id={`${formId}-title`} ref={heading} tabIndex={-1}>
        {plan.revision === 0 ? t("plan.createHeading") : t("plan.editHeading")}
      </h4>
      <form className="form journey-plan-form" noValidate onSubmit={submit} aria-labelledby={`${formId}-title`}>
        <FormErrorSummary items={summary} error={save.error ?? undefined} onReload={() => void reload()} />
        {conflict && <p className="notice notice--warn">{t("plan.conflictKeep")}</p>}
        {goals.map((goal, i) => (
          <fieldset key={i} className="journey-goal">
            <legend>{t("plan.goalN", { n: i + 1 })}</legend>
            <Field label={t("plan.goal")} required error={errors[`goals.${i}.text`]}>
              <textarea
                id={`${formId}-goal-${i}-text`}
                rows={2}
                maxLength={500}
                value={goal.text}
                onChange={(e) => update(i, { text: e.target.value })}
              />
            </Field>
            <div className="form-row">
              <Field label={t("plan.area")} hint={t("plan.areaHint")} error={errors[`goals.${i}.area`]}>
                <input id={`${formId}-goal-${i}-area`} maxLength={100} value={goal.area} onChange={(e) => update(i, { area: e.target.value })} />
              </Field>
              <Field label={t("plan.status")} error={errors[`goals.${i}.status`]}>
                <select
                  id={`${formId}-goal-${i}-status`}
                  value={goal.status}
                  onChange={(e) => update(i, { status: e.target.value as GoalStatus })}
                >
                  {GOAL_STATUSES.map((status) => (
                    <option key={status} value={status}>
                      {t(`plan.statuses.${status}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={t("plan.targetOn")} hint={t("plan.targetHint")} error={errors[`goals.${i}.target_on`]}>
                <input id={`${formId}-goal-${i}-target`} type="date" value={goal.target_on} onChange={(e) => update(i, { target_on: e.target.value })} />
              </Field>
            </div>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setGoals((prev) => prev.filter((_, j) => j !== i));
                document.getElementById(`${formId}-add`)?.focus();
              }}
            >
              {t("plan.removeGoal", { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        <p>
          <button
            id={`${formId}-add`}
            type="button"
            className="button button--secondary"
            disabled={goals.length >= MAX_GOALS}
            onClick={() => {
              focusGoal.current = goals.length;
              setGoals((prev) => [...prev, { text: "", area: "", status: "not_started", target_on: "" }]);
            }}
          >
            {t("plan.addGoal")}
          </button>
        </p>
        <Field label={t("plan.note")} hint={t("plan.noteHint")} error={errors.note}>
          <textarea id={`${formId}-note`} rows={4} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
        </Field>
        <p className="muted">{t("plan.revisionsKept")}</p>
        <div className="form-actions">
          <button type="submit" className="button" disabled={save.isPending || conflict}>
            {save.isPending ? t("common:saving") : t("plan.save")}
          </button>
          <button type="button" className="button button--secondary" onClick={() => onDone(null)}>
            {t("common:cancel")}
          </button>
        </div>
      </form>
    </div>
  );
}

function PlanRevisions({ enrolmentId, lang, latest }: { enrolmentId: number; lang: Lang; latest: number }) {
  const { t } = useTranslation(NS);
  const revisions = useQuery({
    queryKey: ["enrolment", enrolmentId, "plan-revisions", latest],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/plan/revisions", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });
  return (
    <section aria-labelledby="journey-revisions-heading">
      <h3 id="journey-revisions-heading">{t("plan.revisionsHeading")}</h3>
      {revisions.isPending ? (
        <Loading />
      ) : revisions.isError ? (
        <ErrorNotice error={revisions.error} onRetry={() => void revisions.refetch()} />
      ) : (
        <ul className="journey-revisions">
          {revisions.data.items.map((r) => (
            <li key={r.revision}>
              <details>
                <summary>
                  {t("plan.revisionSummary", {
                    revision: r.revision,
                    date: formatDateTime(r.saved_at, lang),
                    count: r.goals.length,
                  })}
                  {r.revision === latest && <> ({t("plan.current")})</>}
                </summary>
                {r.goals.length > 0 ? (
                  <GoalTable goals={r.goals} lang={lang} caption={t("plan.revisionCaption", { revision: r.revision })} />
                ) : (
                  <p className="muted">{t("plan.noGoals")}</p>
                )}
                {r.note && <p className="journey-pre">{r.note}</p>}
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
