import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { Field } from "../../../components/Field";
import { formatDate, isIsoDate, todayIso } from "../../../lib/dates";
import type { ParticipantTabsProps } from "./ParticipantTabs";
import {
  codeLabel,
  FormErrorSummary,
  invalidateTasks,
  type Lang,
  NoEnrolment,
  NS,
  RadioGroup,
  Saved,
  type SummaryItem,
  useCodeList,
  useLang,
  validEntries,
} from "./shared";

type FollowUp = Schemas["FollowUpRead"];
type OutcomeGroup = Schemas["OutcomeGroup"];

const STATUS_BADGE: Record<Schemas["FollowUpStatus"], string> = {
  done: "badge badge--ok",
  not_permitted: "badge badge--error",
  upcoming: "badge",
  due: "badge badge--warn",
  overdue: "badge badge--error",
};

const OUTCOME_GROUPS: OutcomeGroup[] = ["work", "studies", "job_seeking", "other"];
const RECORDABLE: Schemas["FollowUpStatus"][] = ["upcoming", "due", "overdue"];

export function FollowUpsTab({ enrolment }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  if (!enrolment) return <NoEnrolment what={t("tabs.followUps").toLowerCase()} />;
  return <FollowUps enrolmentId={enrolment.id} />;
}

function FollowUps({ enrolmentId }: { enrolmentId: number }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const benefits = useCodeList("benefit");
  const [recording, setRecording] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  const openers = useRef<Record<string, HTMLButtonElement | null>>({});
  const followUps = useQuery({
    queryKey: ["enrolment", enrolmentId, "follow-ups"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/follow-ups", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });

  useEffect(() => {
    if (saved) savedRef.current?.focus();
  }, [saved]);

  if (followUps.isPending) return <Loading />;
  if (followUps.isError) return <ErrorNotice error={followUps.error} onRetry={() => void followUps.refetch()} />;

  const items = followUps.data.items;
  const label = (f: FollowUp) => (lang === "en" ? f.label_en : f.label_sv);
  const notPermitted = items.filter((f) => f.status === "not_permitted");
  const selected = items.find((f) => f.kind === recording && RECORDABLE.includes(f.status));
  const mayRecord = can("follow_up:record");

  return (
    <div className="journey-stack">
      <section aria-labelledby="journey-follow-ups-heading">
        <h3 id="journey-follow-ups-heading">{t("followUp.heading")}</h3>
        <p className="muted">{t("followUp.intro")}</p>
        {saved && (
          <div ref={savedRef} tabIndex={-1}>
            <Saved>{saved}</Saved>
          </div>
        )}
        {items.length === 0 ? (
          <p className="notice notice--info">{t("followUp.none")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("followUp.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("followUp.kind")}</th>
                  <th scope="col">{t("followUp.triggerOn")}</th>
                  <th scope="col">{t("followUp.dueOn")}</th>
                  <th scope="col">{t("followUp.status")}</th>
                  <th scope="col">{t("followUp.result")}</th>
                  {mayRecord && (
                    <th scope="col">
                      <span className="visually-hidden">{t("actions")}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {items.map((f) => (
                  <tr key={f.kind}>
                    <th scope="row">{label(f)}</th>
                    <td>{formatDate(f.trigger_on, lang)}</td>
                    <td>{formatDate(f.due_on, lang)}</td>
                    <td>
                      <span className={STATUS_BADGE[f.status]}>{t(`followUp.statuses.${f.status}`)}</span>
                    </td>
                    <td>{f.result ? <ResultSummary result={f.result} benefits={benefits.data} lang={lang} /> : t("followUp.noResult")}</td>
                    {mayRecord && (
                      <td>
                        {RECORDABLE.includes(f.status) && (
                          <button
                            type="button"
                            className="button button--secondary"
                            ref={(element) => {
                              openers.current[f.kind] = element;
                            }}
                            aria-expanded={recording === f.kind}
                            aria-label={`${t("followUp.record")}: ${label(f)}`}
                            onClick={() => {
                              setSaved(null);
                              setRecording(f.kind);
                            }}
                          >
                            {t("followUp.record")}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {notPermitted.map((f) => (
          <div key={f.kind} className="notice notice--warn">
            <p className="notice__title">{t("followUp.notPermittedTitle", { label: label(f) })}</p>
            <p>{t("followUp.notPermittedWhy")}</p>
          </div>
        ))}
      </section>
      {mayRecord && selected && (
        <FollowUpForm
          key={selected.kind}
          enrolmentId={enrolmentId}
          followUp={selected}
          benefits={benefits.data}
          lang={lang}
          onCancel={() => {
            const kind = selected.kind;
            setRecording(null);
            openers.current[kind]?.focus();
          }}
          onSaved={() => {
            setRecording(null);
            setSaved(t("followUp.saved", { label: label(selected) }));
          }}
          onReload={() => void followUps.refetch()}
        />
      )}
    </div>
  );
}

function ResultSummary({
  result,
  benefits,
  lang,
}: {
  result: Schemas["FollowUpResultRead"];
  benefits: Schemas["CodeListRead"] | undefined;
  lang: Lang;
}) {
  const { t } = useTranslation(NS);
  if (!result.contact_reached) {
    return (
      <>
        {t("followUp.summaryNotReached", { date: formatDate(result.contacted_on, lang), count: result.attempts })}
        {result.final_non_response && <> {t("followUp.finalNonResponse")}</>}
      </>
    );
  }
  const parts = [
    result.status_group ? t(`followUp.groups.${result.status_group}`) : "",
    result.employment_extent_percent != null ? `${result.employment_extent_percent} %` : "",
  ].filter(Boolean);
  return (
    <>
      {t("followUp.summaryReached", { date: formatDate(result.contacted_on, lang), situation: parts.join(", ") })}{" "}
      {result.self_supporting != null &&
        t(result.self_supporting ? "followUp.selfSupportingYes" : "followUp.selfSupportingNo")}
      {result.current_benefit && <> {t("followUp.benefitIs", { benefit: codeLabel(benefits, result.current_benefit, lang) })}</>}
      {result.note && (
        <>
          <br />
          <span className="muted">{result.note}</span>
        </>
      )}
    </>
  );
}

type FormState = {
  contacted_on: string;
  reached: "yes" | "no" | "";
  attempts: string;
  final_non_response: boolean;
  status_group: OutcomeGroup | "";
  employment_extent_percent: string;
  self_supporting: "yes" | "no" | "";
  current_benefit: string;
  note: string;
};

const EMPTY: FormState = {
  contacted_on: todayIso(),
  reached: "",
  attempts: "1",
  final_non_response: false,
  status_group: "",
  employment_extent_percent: "",
  self_supporting: "",
  current_benefit: "",
  note: "",
};

/** The checks the form makes before sending; the server stays authoritative. */
export function validateFollowUp(form: FormState, t: (key: string, options?: Record<string, unknown>) => string, today = todayIso()): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.contacted_on) errors.contacted_on = t("errors.dateRequired");
  else if (!isIsoDate(form.contacted_on)) errors.contacted_on = t("errors.dateInvalid");
  else if (form.contacted_on > today) errors.contacted_on = t("errors.dateFuture");
  if (!form.reached) errors.contact_reached = t("followUp.errors.reached");
  const attempts = Number(form.attempts);
  if (!/^\d+$/.test(form.attempts.trim()) || attempts < 1 || attempts > 20) errors.attempts = t("followUp.errors.attempts");
  if (form.reached === "yes") {
    if (!form.status_group) errors.status_group = t("followUp.errors.statusGroup");
    if (form.status_group === "work") {
      const extent = Number(form.employment_extent_percent);
      if (!/^\d+$/.test(form.employment_extent_percent.trim()) || extent < 1 || extent > 100) {
        errors.employment_extent_percent = t("followUp.errors.extent");
      }
    }
    if (!form.self_supporting) errors.self_supporting = t("followUp.errors.selfSupporting");
    if (form.note.length > 500) errors.note = t("errors.tooLong", { max: 500 });
  }
  return errors;
}

function FollowUpForm({
  enrolmentId,
  followUp,
  benefits,
  lang,
  onCancel,
  onSaved,
  onReload,
}: {
  enrolmentId: number;
  followUp: FollowUp;
  benefits: Schemas["CodeListRead"] | undefined;
  lang: Lang;
  onCancel: () => void;
  onSaved: () => void;
  onReload: () => void;
}) {
  const { t } = useTranslation(NS);
  const queryClient = useQueryClient();
  const formId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [form, setForm] = useState<FormState>(() => ({ ...EMPTY, contacted_on: todayIso() }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((prev) => ({ ...prev, [key]: value }));
  const ids: Record<string, string> = {
    contacted_on: `${formId}-contacted-on`,
    contact_reached: `${formId}-reached`,
    attempts: `${formId}-attempts`,
    final_non_response: `${formId}-final`,
    status_group: `${formId}-group`,
    employment_extent_percent: `${formId}-extent`,
    self_supporting: `${formId}-self-supporting`,
    current_benefit: `${formId}-benefit`,
    note: `${formId}-note`,
    kind: `${formId}-contacted-on`,
  };
  const labels: Record<string, string> = {
    contacted_on: t("followUp.contactedOn"),
    contact_reached: t("followUp.reached"),
    attempts: t("followUp.attempts"),
    final_non_response: t("followUp.finalNonResponseLabel"),
    status_group: t("followUp.statusGroup"),
    employment_extent_percent: t("followUp.extent"),
    self_supporting: t("followUp.selfSupporting"),
    current_benefit: t("followUp.benefit"),
    note: t("followUp.note"),
    kind: t("followUp.kind"),
  };

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const record = useMutation({
    mutationFn: async (body: Schemas["FollowUpCreate"]) =>
      unwrap(
        await api.POST("/api/v1/enrolments/{enrolment_id}/follow-ups", {
          params: { path: { enrolment_id: enrolmentId } },
          body,
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId, "follow-ups"] }),
        invalidateTasks(queryClient),
      ]);
      onSaved();
    },
    onError: (error) => setErrors(serverFields(error)),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    record.reset();
    const found = validateFollowUp(form, t);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const base = {
      kind: followUp.kind,
      contacted_on: form.contacted_on,
      attempts: Number(form.attempts),
    };
    const body: Schemas["FollowUpCreate"] =
      form.reached === "no"
        ? { ...base, contact_reached: false, final_non_response: form.final_non_response }
        : {
            ...base,
            contact_reached: true,
            final_non_response: false,
            status_group: form.status_group as OutcomeGroup,
            employment_extent_percent: form.status_group === "work" ? Number(form.employment_extent_percent) : null,
            self_supporting: form.self_supporting === "yes",
            current_benefit: form.current_benefit || null,
            note: form.note.trim() || null,
          };
    record.mutate(body);
  }

  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => ({
    fieldId: ids[key] ?? ids.contacted_on!,
    label: labels[key] ?? key,
    message,
  }));
  const label = lang === "en" ? followUp.label_en : followUp.label_sv;
  const benefitOptions = validEntries(benefits, form.contacted_on || todayIso());

  return (
    <section aria-labelledby={`${formId}-title`} className="card">
      <h3 id={`${formId}-title`} ref={heading} tabIndex={-1}>
        {t("followUp.formHeading", { label })}
      </h3>
      <p className="muted">{t("followUp.formIntro", { date: formatDate(followUp.trigger_on, lang) })}</p>
      <form className="form" noValidate onSubmit={submit}>
        <FormErrorSummary items={summary} error={record.error ?? undefined} onReload={onReload} />
        <Field label={labels.contacted_on} required error={errors.contacted_on} hint={t("followUp.contactedOnHint")}>
          <input
            id={ids.contacted_on}
            type="date"
            value={form.contacted_on}
            max={todayIso()}
            onChange={(e) => set("contacted_on", e.target.value)}
          />
        </Field>
        <Field label={labels.attempts} required error={errors.attempts} hint={t("followUp.attemptsHint")}>
          <input
            id={ids.attempts}
            type="number"
            inputMode="numeric"
            min={1}
            max={20}
            value={form.attempts}
            onChange={(e) => set("attempts", e.target.value)}
          />
        </Field>
        <RadioGroup
          id={ids.contact_reached!}
          legend={labels.contact_reached!}
          options={[
            { value: "yes" as const, label: t("followUp.reachedYes") },
            { value: "no" as const, label: t("followUp.reachedNo") },
          ]}
          value={form.reached}
          onChange={(value) => set("reached", value)}
          error={errors.contact_reached}
          required
        />
        {form.reached === "no" && (
          <div className="field">
            <label className="journey-choice">
              <input
                id={ids.final_non_response}
                type="checkbox"
                checked={form.final_non_response}
                onChange={(e) => set("final_non_response", e.target.checked)}
                aria-describedby={`${ids.final_non_response}-hint`}
              />{" "}
              {labels.final_non_response}
            </label>
            <p id={`${ids.final_non_response}-hint`} className="field__hint">
              {t("followUp.finalNonResponseHint")}
            </p>
            {errors.final_non_response && <p className="field__error">{errors.final_non_response}</p>}
          </div>
        )}
        {form.reached === "yes" && (
          <>
            <Field label={labels.status_group} required error={errors.status_group}>
              <select id={ids.status_group} value={form.status_group} onChange={(e) => set("status_group", e.target.value as OutcomeGroup | "")}>
                <option value="">{t("choose")}</option>
                {OUTCOME_GROUPS.map((group) => (
                  <option key={group} value={group}>
                    {t(`followUp.groups.${group}`)}
                  </option>
                ))}
              </select>
            </Field>
            {form.status_group === "work" && (
              <Field label={labels.employment_extent_percent} required error={errors.employment_extent_percent} hint={t("followUp.extentHint")}>
                <input
                  id={ids.employment_extent_percent}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={100}
                  value={form.employment_extent_percent}
                  onChange={(e) => set("employment_extent_percent", e.target.value)}
                />
              </Field>
            )}
            <RadioGroup
              id={ids.self_supporting!}
              legend={labels.self_supporting!}
              hint={t("followUp.selfSupportingHint")}
              options={[
                { value: "yes" as const, label: t("common:yes") },
                { value: "no" as const, label: t("common:no") },
              ]}
              value={form.self_supporting}
              onChange={(value) => set("self_supporting", value)}
              error={errors.self_supporting}
              required
            />
            <Field label={labels.current_benefit} error={errors.current_benefit} hint={t("followUp.benefitHint")}>
              <select id={ids.current_benefit} value={form.current_benefit} onChange={(e) => set("current_benefit", e.target.value)}>
                <option value="">{t("followUp.noBenefit")}</option>
                {benefitOptions.map((entry) => (
                  <option key={entry.code} value={entry.code}>
                    {lang === "en" ? entry.label_en : entry.label_sv}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={labels.note} error={errors.note} hint={t("followUp.noteHint")}>
              <textarea id={ids.note} rows={3} maxLength={500} value={form.note} onChange={(e) => set("note", e.target.value)} />
            </Field>
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="button" disabled={record.isPending}>
            {record.isPending ? t("common:saving") : t("followUp.submit")}
          </button>
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t("common:cancel")}
          </button>
        </div>
      </form>
    </section>
  );
}
