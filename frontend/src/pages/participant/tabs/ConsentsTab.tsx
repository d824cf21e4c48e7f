import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { Field } from "../../../components/Field";
import { formatDate, formatDateTime, isIsoDate, todayIso } from "../../../lib/dates";
import type { ParticipantTabsProps } from "./ParticipantTabs";
import {
  FormErrorSummary,
  invalidateTasks,
  type Lang,
  NS,
  RadioGroup,
  Saved,
  type SummaryItem,
  useLang,
} from "./shared";

type Purpose = Schemas["ConsentPurpose"];
type Action = Schemas["ConsentAction"];
const PURPOSES: Purpose[] = ["referrer_information_exchange", "sus_registration", "evaluation", "follow_up_contact"];

export function ConsentsTab({ participant }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const participantId = participant.id;
  const consents = useQuery({
    queryKey: ["participant", participantId, "consents"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/participants/{participant_id}/consents", {
          params: { path: { participant_id: participantId } },
        }),
      ),
  });

  if (consents.isPending) return <Loading />;
  if (consents.isError) return <ErrorNotice error={consents.error} onRetry={() => void consents.refetch()} />;
  const { purposes, entries } = consents.data;
  const purposeLabel = (purpose: Purpose) => {
    const state = purposes.find((p) => p.purpose === purpose);
    return state ? (lang === "en" ? state.label_en : state.label_sv) : t(`consent.purposes.${purpose}.name`);
  };

  return (
    <div className="journey-stack">
      <section aria-labelledby="journey-consents-heading">
        <h3 id="journey-consents-heading">{t("consent.heading")}</h3>
        <p className="muted">{t("consent.intro")}</p>
        <ul className="journey-purposes">
          {purposes.map((p) => (
            <li key={p.purpose} className="card">
              <h4>{lang === "en" ? p.label_en : p.label_sv}</h4>
              <p>
                <span className={p.held ? "badge badge--ok" : "badge"}>{t(p.held ? "consent.held" : "consent.notHeld")}</span>{" "}
                <PurposeState state={p} lang={lang} />
              </p>
              <dl className="journey-dl">
                <dt>{t("consent.means")}</dt>
                <dd>{t(`consent.purposes.${p.purpose}.means`)}</dd>
                <dt>{t("consent.withdrawing")}</dt>
                <dd>{t(`consent.purposes.${p.purpose}.withdraw`)}</dd>
              </dl>
            </li>
          ))}
        </ul>
      </section>

      {can("consent:record") && <ConsentForm participantId={participantId} purposeLabel={purposeLabel} />}

      <section aria-labelledby="journey-ledger-heading">
        <h3 id="journey-ledger-heading">{t("consent.ledgerHeading")}</h3>
        {entries.length === 0 ? (
          <p>{t("consent.ledgerEmpty")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("consent.ledgerCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("consent.effectiveOn")}</th>
                  <th scope="col">{t("consent.purpose")}</th>
                  <th scope="col">{t("consent.action")}</th>
                  <th scope="col">{t("consent.formReference")}</th>
                  <th scope="col">{t("consent.recordedAt")}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td>{formatDate(e.effective_on, lang)}</td>
                    <th scope="row">{purposeLabel(e.purpose)}</th>
                    <td>{t(`consent.actions.${e.action}`)}</td>
                    <td>{e.form_reference ?? ""}</td>
                    <td>{formatDateTime(e.recorded_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function PurposeState({ state, lang }: { state: Schemas["ConsentPurposeState"]; lang: Lang }) {
  const { t } = useTranslation(NS);
  if (state.held && state.given_on) return <>{t("consent.heldSince", { date: formatDate(state.given_on, lang) })}</>;
  if (state.withdrawn_on) {
    return (
      <>
        {t("consent.withdrawnOn", {
          given: formatDate(state.given_on, lang),
          date: formatDate(state.withdrawn_on, lang),
        })}
      </>
    );
  }
  return <>{t("consent.neverGiven")}</>;
}

type FormState = { purpose: Purpose | ""; action: Action | ""; effective_on: string; form_reference: string };

function ConsentForm({ participantId, purposeLabel }: { participantId: number; purposeLabel: (p: Purpose) => string }) {
  const { t } = useTranslation(NS);
  const queryClient = useQueryClient();
  const formId = useId();
  const empty = (): FormState => ({ purpose: "", action: "", effective_on: todayIso(), form_reference: "" });
  const [form, setForm] = useState<FormState>(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((prev) => ({ ...prev, [key]: value }));
  const ids: Record<string, string> = {
    purpose: `${formId}-purpose`,
    action: `${formId}-action`,
    effective_on: `${formId}-date`,
    form_reference: `${formId}-form`,
  };
  const labels: Record<string, string> = {
    purpose: t("consent.purpose"),
    action: t("consent.action"),
    effective_on: t("consent.effectiveOn"),
    form_reference: t("consent.formReference"),
  };

  const record = useMutation({
    mutationFn: async (body: Schemas["ConsentEntryCreate"]) =>
      unwrap(
        await api.POST("/api/v1/participants/{participant_id}/consents", {
          params: { path: { participant_id: participantId } },
          body,
        }),
      ),
    onSuccess: async (entry) => {
      setSaved(
        t(entry.action === "given" ? "consent.savedGiven" : "consent.savedWithdrawn", {
          purpose: purposeLabel(entry.purpose),
        }),
      );
      setForm(empty());
      setErrors({});
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["participant", participantId, "consents"] }),
        // Follow-up contact after exit depends on consent: its statuses may change.
        queryClient.invalidateQueries({
          predicate: (query) => query.queryKey[0] === "enrolment" && query.queryKey[2] === "follow-ups",
        }),
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
    if (!form.purpose) found.purpose = t("consent.errors.purpose");
    if (!form.action) found.action = t("consent.errors.action");
    if (!form.effective_on) found.effective_on = t("errors.dateRequired");
    else if (!isIsoDate(form.effective_on)) found.effective_on = t("errors.dateInvalid");
    else if (form.effective_on > todayIso()) found.effective_on = t("errors.dateFuture");
    if (form.action === "given" && !form.form_reference.trim()) found.form_reference = t("consent.errors.formReference");
    if (form.form_reference.length > 120) found.form_reference = t("errors.tooLong", { max: 120 });
    setErrors(found);
    if (Object.keys(found).length > 0 || !form.purpose || !form.action) return;
    record.mutate({
      purpose: form.purpose,
      action: form.action,
      effective_on: form.effective_on,
      form_reference: form.form_reference.trim() || null,
    });
  }

  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => ({
    fieldId: ids[key] ?? ids.purpose!,
    label: labels[key] ?? key,
    message,
  }));

  return (
    <section aria-labelledby={`${formId}-title`} className="card">
      <h3 id={`${formId}-title`}>{t("consent.formHeading")}</h3>
      <p className="muted">{t("consent.formIntro")}</p>
      <form className="form" noValidate onSubmit={submit}>
        {saved && <Saved>{saved}</Saved>}
        <FormErrorSummary items={summary} error={record.error ?? undefined} />
        <Field label={labels.purpose} required error={errors.purpose}>
          <select id={ids.purpose} value={form.purpose} onChange={(e) => set("purpose", e.target.value as Purpose | "")}>
            <option value="">{t("choose")}</option>
            {PURPOSES.map((purpose) => (
              <option key={purpose} value={purpose}>
                {purposeLabel(purpose)}
              </option>
            ))}
          </select>
        </Field>
        <RadioGroup
          id={ids.action!}
          legend={labels.action!}
          options={[
            { value: "given" as const, label: t("consent.actions.given") },
            { value: "withdrawn" as const, label: t("consent.actions.withdrawn") },
          ]}
          value={form.action}
          onChange={(value) => set("action", value)}
          error={errors.action}
          required
        />
        <Field label={labels.effective_on} required error={errors.effective_on} hint={t("consent.effectiveOnHint")}>
          <input id={ids.effective_on} type="date" max={todayIso()} value={form.effective_on} onChange={(e) => set("effective_on", e.target.value)} />
        </Field>
        <Field
          label={labels.form_reference}
          required={form.action === "given"}
          error={errors.form_reference}
          hint={t("consent.formReferenceHint")}
        >
          <input id={ids.form_reference} maxLength={120} value={form.form_reference} onChange={(e) => set("form_reference", e.target.value)} />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={record.isPending}>
            {record.isPending ? t("common:saving") : t("consent.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
