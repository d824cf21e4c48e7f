import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { Field } from "../../../components/Field";
import { dateLocale, formatDate, isIsoDate, todayIso } from "../../../lib/dates";
import type { ParticipantTabsProps } from "./ParticipantTabs";
import {
  codeLabel,
  FormErrorSummary,
  invalidateTasks,
  type Lang,
  NoEnrolment,
  NS,
  Saved,
  type SummaryItem,
  useCodeList,
  useLang,
  validEntries,
} from "./shared";

export function ActivitiesTab({ enrolment }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  if (!enrolment) return <NoEnrolment what={t("tabs.activities").toLowerCase()} />;
  return <Activities enrolment={enrolment} />;
}

/** Minutes as "1 h 30 min" / "45 min". */
export function formatMinutes(minutes: number, t: (key: string, options?: Record<string, unknown>) => string): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return t("activity.minutes", { m });
  if (m === 0) return t("activity.hours", { h });
  return t("activity.hoursMinutes", { h, m });
}

/**
 * The weeks to show: the last 12 up to today (or up to the exit), never before the referral.
 */
export function hoursRange(enrolment: Schemas["EnrolmentRead"], today = todayIso()): { from: string; to: string } {
  const to = enrolment.ended_on && enrolment.ended_on < today ? enrolment.ended_on : today;
  const start = new Date(`${to}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - 7 * 11);
  const twelveWeeks = start.toISOString().slice(0, 10);
  const from = enrolment.referred_on > twelveWeeks ? enrolment.referred_on : twelveWeeks;
  return { from: from > to ? to : from, to };
}

function Activities({ enrolment }: { enrolment: Schemas["EnrolmentRead"] }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const enrolmentId = enrolment.id;
  const types = useCodeList("activity_type");
  const activities = useQuery({
    queryKey: ["enrolment", enrolmentId, "activities"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/activities", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });
  const range = hoursRange(enrolment);
  const hours = useQuery({
    queryKey: ["enrolment", enrolmentId, "activity-hours", range],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/activity-hours", {
          params: { path: { enrolment_id: enrolmentId }, query: range },
        }),
      ),
  });
  const ended = enrolment.state === "exited" || enrolment.state === "declined";

  return (
    <div className="journey-stack">
      {can("activity:record") &&
        (ended ? (
          <p className="notice notice--info">{t("activity.ended")}</p>
        ) : (
          <ActivityForm enrolment={enrolment} types={types.data} lang={lang} />
        ))}

      <section aria-labelledby="journey-activities-heading">
        <h3 id="journey-activities-heading">{t("activity.logHeading")}</h3>
        {activities.isPending ? (
          <Loading />
        ) : activities.isError ? (
          <ErrorNotice error={activities.error} onRetry={() => void activities.refetch()} />
        ) : activities.data.items.length === 0 ? (
          <p className="muted">{t("activity.noneYet")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("activity.logCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("activity.date")}</th>
                  <th scope="col">{t("activity.type")}</th>
                  <th scope="col" className="num">{t("activity.duration")}</th>
                  <th scope="col">{t("activity.provider")}</th>
                  <th scope="col">{t("activity.note")}</th>
                </tr>
              </thead>
              <tbody>
                {activities.data.items.map((a) => (
                  <tr key={a.id}>
                    <td>{formatDate(a.occurred_on, lang)}</td>
                    <th scope="row">{codeLabel(types.data, a.activity_type, lang)}</th>
                    <td className="num">{formatMinutes(a.duration_minutes, t)}</td>
                    <td>{a.provider ?? ""}</td>
                    <td>{a.note ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="journey-hours-heading">
        <h3 id="journey-hours-heading">{t("activity.hoursHeading")}</h3>
        {hours.isPending ? (
          <Loading />
        ) : hours.isError ? (
          <ErrorNotice error={hours.error} onRetry={() => void hours.refetch()} />
        ) : (
          <WeekHours data={hours.data} lang={lang} />
        )}
      </section>
    </div>
  );
}

function WeekHours({ data, lang }: { data: Schemas["ActivityHoursRead"]; lang: Lang }) {
  const { t } = useTranslation(NS);
  const goal = data.half_time_hours_per_week ?? 20;
  const met = data.weeks.filter((w) => w.meets_half_time).length;
  const number = (value: number) => value.toLocaleString(dateLocale(lang), { maximumFractionDigits: 1 });
  return (
    <>
      <p>{t("activity.hoursIntro", { goal, met, count: data.weeks.length })}</p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t("activity.hoursCaption", { goal })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("activity.week")}</th>
              <th scope="col" className="num">{t("activity.hoursColumn")}</th>
              <th scope="col">{t("activity.goalColumn", { goal })}</th>
            </tr>
          </thead>
          <tbody>
            {data.weeks.map((w) => (
              <tr key={w.week_start}>
                <th scope="row">
                  {t("activity.weekLabel", { week: w.iso_week, year: w.iso_year, date: formatDate(w.week_start, lang) })}
                </th>
                <td className="num">{number(w.hours)}</td>
                <td>
                  <span className="journey-hours">
                    <span className="journey-hours__bar" aria-hidden="true">
                      <span style={{ width: `${Math.min(100, (w.hours / goal) * 100)}%` }} />
                    </span>
                    {w.meets_half_time ? (
                      <span className="badge badge--ok">{t("activity.metGoal")}</span>
                    ) : (
                      <span>{t("activity.belowGoal", { missing: number(Math.max(0, goal - w.hours)) })}</span>
                    )}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

type FormState = { activity_type: string; occurred_on: string; duration: string; provider: string; note: string };

function ActivityForm({
  enrolment,
  types,
  lang,
}: {
  enrolment: Schemas["EnrolmentRead"];
  types: Schemas["CodeListRead"] | undefined;
  lang: Lang;
}) {
  const { t } = useTranslation(NS);
  const queryClient = useQueryClient();
  const formId = useId();
  const empty = (): FormState => ({ activity_type: "", occurred_on: todayIso(), duration: "", provider: "", note: "" });
  const [form, setForm] = useState<FormState>(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((prev) => ({ ...prev, [key]: value }));
  const ids: Record<string, string> = {
    activity_type: `${formId}-type`,
    occurred_on: `${formId}-date`,
    duration_minutes: `${formId}-duration`,
    provider: `${formId}-provider`,
    note: `${formId}-note`,
  };
  const labels: Record<string, string> = {
    activity_type: t("activity.type"),
    occurred_on: t("activity.date"),
    duration_minutes: t("activity.durationMinutes"),
    provider: t("activity.provider"),
    note: t("activity.note"),
  };

  const record = useMutation({
    mutationFn: async (body: Schemas["ActivityCreate"]) =>
      unwrap(
        await api.POST("/api/v1/enrolments/{enrolment_id}/activities", {
          params: { path: { enrolment_id: enrolment.id } },
          body,
        }),
      ),
    onSuccess: async (activity) => {
      setSaved(t("activity.saved", { type: codeLabel(types, activity.activity_type, lang), date: formatDate(activity.occurred_on, lang) }));
      setForm(empty());
      setErrors({});
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolment.id, "activities"] }),
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolment.id, "activity-hours"] }),
        invalidateTasks(queryClient),
      ]);
    },
    onError: (error) => setErrors(serverFields(error)),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    record.reset();
    const found: Record<string, string> = {};
    if (!form.activity_type) found.activity_type = t("activity.errors.type");
    if (!form.occurred_on) found.occurred_on = t("errors.dateRequired");
    else if (!isIsoDate(form.occurred_on)) found.occurred_on = t("errors.dateInvalid");
    else if (form.occurred_on > todayIso()) found.occurred_on = t("errors.dateFuture");
    else if (form.occurred_on < enrolment.referred_on) {
      found.occurred_on = t("activity.errors.beforeReferral", { date: formatDate(enrolment.referred_on, lang) });
    }
    const minutes = Number(form.duration);
    if (!/^\d+$/.test(form.duration.trim()) || minutes < 1 || minutes > 720) found.duration_minutes = t("activity.errors.duration");
    if (form.provider.length > 200) found.provider = t("errors.tooLong", { max: 200 });
    if (form.note.length > 1000) found.note = t("errors.tooLong", { max: 1000 });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    record.mutate({
      activity_type: form.activity_type,
      occurred_on: form.occurred_on,
      duration_minutes: minutes,
      provider: form.provider.trim() || null,
      note: form.note.trim() || null,
    });
  }

  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => ({
    fieldId: ids[key] ?? ids.activity_type!,
    label: labels[key] ?? key,
    message,
  }));
  const options = validEntries(types, form.occurred_on && isIsoDate(form.occurred_on) ? form.occurred_on : todayIso());

  return (
    <section aria-labelledby={`${formId}-title`} className="card">
      <h3 id={`${formId}-title`}>{t("activity.formHeading")}</h3>
      <form className="form" noValidate onSubmit={submit}>
        {saved && <Saved>{saved}</Saved>}
        <FormErrorSummary items={summary} error={record.error ?? undefined} />
        <div className="form-row">
          <Field label={labels.activity_type} required error={errors.activity_type}>
            <select id={ids.activity_type} value={form.activity_type} onChange={(e) => set("activity_type", e.target.value)}>
              <option value="">{t("choose")}</option>
              {options.map((entry) => (
                <option key={entry.code} value={entry.code}>
                  {lang === "en" ? entry.label_en : entry.label_sv}
                </option>
              ))}
            </select>
          </Field>
          <Field label={labels.occurred_on} required error={errors.occurred_on} hint={t("hints.date")}>
            <input
              id={ids.occurred_on}
              type="date"
              value={form.occurred_on}
              min={enrolment.referred_on}
              max={todayIso()}
              onChange={(e) => set("occurred_on", e.target.value)}
            />
          </Field>
          <Field label={labels.duration_minutes} required error={errors.duration_minutes} hint={t("activity.durationHint")}>
            <input
              id={ids.duration_minutes}
              type="number"
              inputMode="numeric"
              min={1}
              max={720}
              value={form.duration}
              onChange={(e) => set("duration", e.target.value)}
            />
          </Field>
        </div>
        <Field label={labels.provider} error={errors.provider} hint={t("activity.providerHint")}>
          <input id={ids.provider} maxLength={200} value={form.provider} onChange={(e) => set("provider", e.target.value)} />
        </Field>
        <Field label={labels.note} error={errors.note} hint={t("activity.noteHint")}>
          <textarea id={ids.note} rows={3} maxLength={1000} value={form.note} onChange={(e) => set("note", e.target.value)} />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={record.isPending}>
            {record.isPending ? t("common:saving") : t("activity.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
