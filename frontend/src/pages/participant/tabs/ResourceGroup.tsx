import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { Field } from "../../../components/Field";
import { formatDate, isIsoDate, todayIso } from "../../../lib/dates";
import { FormErrorSummary, invalidateTasks, NS, Saved, type SummaryItem, useLang } from "./shared";

type Member = Schemas["ResourceGroupMemberRead"];

/** The people around the participant: current members, removed ones as history, add and remove. */
export function ResourceGroup({ participantId }: { participantId: number }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const removeButtons = useRef<Record<number, HTMLButtonElement | null>>({});
  const queryKey = ["participant", participantId, "resource-group"];
  const group = useQuery({
    queryKey,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/participants/{participant_id}/resource-group", {
          params: { path: { participant_id: participantId } },
        }),
      ),
  });
  const remove = useMutation({
    mutationFn: async (member: Member) => {
      const result = await api.DELETE("/api/v1/participants/{participant_id}/resource-group/{member_id}", {
        params: { path: { participant_id: participantId, member_id: member.id } },
      });
      unwrap(result);
      return member;
    },
    onSuccess: async (member) => {
      setConfirming(null);
      setSaved(t("resourceGroup.removed", { name: member.name }));
      await Promise.all([queryClient.invalidateQueries({ queryKey }), invalidateTasks(queryClient)]);
    },
  });
  const mayWrite = can("plan:write");

  useEffect(() => {
    if (confirming !== null) confirmButton.current?.focus();
  }, [confirming]);

  const current = group.data?.items.filter((m) => !m.removed_on) ?? [];
  const former = group.data?.items.filter((m) => m.removed_on) ?? [];

  return (
    <section aria-labelledby="journey-resource-heading">
      <h3 id="journey-resource-heading">{t("resourceGroup.heading")}</h3>
      <p className="muted">{t("resourceGroup.intro")}</p>
      {saved && <Saved>{saved}</Saved>}
      {remove.isError && <ErrorNotice error={remove.error} onRetry={() => void group.refetch()} />}
      {group.isPending ? (
        <Loading />
      ) : group.isError ? (
        <ErrorNotice error={group.error} onRetry={() => void group.refetch()} />
      ) : (
        <>
          {current.length === 0 ? (
            <p>{t("resourceGroup.empty")}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t("resourceGroup.currentCaption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("resourceGroup.name")}</th>
                    <th scope="col">{t("resourceGroup.role")}</th>
                    <th scope="col">{t("resourceGroup.organisation")}</th>
                    <th scope="col">{t("resourceGroup.contact")}</th>
                    <th scope="col">{t("resourceGroup.addedOn")}</th>
                    {mayWrite && (
                      <th scope="col">
                        <span className="visually-hidden">{t("actions")}</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {current.map((m) => (
                    <tr key={m.id}>
                      <th scope="row">{m.name}</th>
                      <td>{m.role}</td>
                      <td>{m.organisation}</td>
                      <td>
                        {[m.phone, m.email].filter(Boolean).join(", ") || <span className="muted">{t("resourceGroup.noContact")}</span>}
                      </td>
                      <td>{formatDate(m.added_on, lang)}</td>
                      {mayWrite && (
                        <td>
                          {confirming === m.id ? (
                            <span className="journey-confirm" role="group" aria-label={t("resourceGroup.confirm", { name: m.name })}>
                              <span>{t("resourceGroup.confirm", { name: m.name })}</span>{" "}
                              <button
                                ref={confirmButton}
                                type="button"
                                className="button button--danger"
                                disabled={remove.isPending}
                                onClick={() => remove.mutate(m)}
                              >
                                {t("resourceGroup.confirmYes")}
                              </button>{" "}
                              <button
                                type="button"
                                className="button button--secondary"
                                onClick={() => {
                                  setConfirming(null);
                                  requestAnimationFrame(() => removeButtons.current[m.id]?.focus());
                                }}
                              >
                                {t("common:cancel")}
                              </button>
                            </span>
                          ) : (
                            <button
                              ref={(element) => {
                                removeButtons.current[m.id] = element;
                              }}
                              type="button"
                              className="button button--secondary"
                              aria-label={`${t("resourceGroup.remove")}: ${m.name}`}
                              onClick={() => {
                                setSaved(null);
                                remove.reset();
                                setConfirming(m.id);
                              }}
                            >
                              {t("resourceGroup.remove")}
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
          {former.length > 0 && (
            <>
              <h4>{t("resourceGroup.formerHeading")}</h4>
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">{t("resourceGroup.formerCaption")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("resourceGroup.name")}</th>
                      <th scope="col">{t("resourceGroup.role")}</th>
                      <th scope="col">{t("resourceGroup.organisation")}</th>
                      <th scope="col">{t("resourceGroup.period")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {former.map((m) => (
                      <tr key={m.id}>
                        <th scope="row">{m.name}</th>
                        <td>{m.role}</td>
                        <td>{m.organisation}</td>
                        <td>
                          {t("resourceGroup.periodValue", {
                            from: formatDate(m.added_on, lang),
                            to: formatDate(m.removed_on, lang),
                          })}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
      {mayWrite && (
        <MemberForm
          participantId={participantId}
          onSaved={async (member) => {
            setSaved(t("resourceGroup.added", { name: member.name }));
            await Promise.all([queryClient.invalidateQueries({ queryKey }), invalidateTasks(queryClient)]);
          }}
        />
      )}
    </section>
  );
}

type FormState = { role: string; organisation: string; name: string; phone: string; email: string; added_on: string };

function MemberForm({ participantId, onSaved }: { participantId: number; onSaved: (member: Member) => Promise<void> }) {
  const { t } = useTranslation(NS);
  const formId = useId();
  const empty = (): FormState => ({ role: "", organisation: "", name: "", phone: "", email: "", added_on: todayIso() });
  const [form, setForm] = useState<FormState>(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof FormState>(key: K, value: string) => setForm((prev) => ({ ...prev, [key]: value }));
  const keys = ["role", "organisation", "name", "phone", "email", "added_on"] as const;
  const ids = Object.fromEntries(keys.map((k) => [k, `${formId}-${k}`])) as Record<string, string>;
  const labels: Record<string, string> = {
    role: t("resourceGroup.role"),
    organisation: t("resourceGroup.organisation"),
    name: t("resourceGroup.name"),
    phone: t("resourceGroup.phone"),
    email: t("resourceGroup.email"),
    added_on: t("resourceGroup.addedOn"),
  };

  const add = useMutation({
    mutationFn: async (body: Schemas["ResourceGroupMemberCreate"]) =>
      unwrap(
        await api.POST("/api/v1/participants/{participant_id}/resource-group", {
          params: { path: { participant_id: participantId } },
          body,
        }),
      ),
    onSuccess: async (member) => {
      setForm(empty());
      setErrors({});
      await onSaved(member);
    },
    onError: (error) => setErrors(serverFields(error)),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    add.reset();
    const found: Record<string, string> = {};
    const required = { role: 100, organisation: 200, name: 100 } as const;
    for (const [key, max] of Object.entries(required)) {
      const value = form[key as keyof FormState].trim();
      if (!value) found[key] = t("errors.required");
      else if (value.length > max) found[key] = t("errors.tooLong", { max });
    }
    if (form.phone && !/^[0-9+()\- ]*$/.test(form.phone)) found.phone = t("resourceGroup.errors.phone");
    if (form.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email.trim())) found.email = t("resourceGroup.errors.email");
    if (form.added_on && !isIsoDate(form.added_on)) found.added_on = t("errors.dateInvalid");
    else if (form.added_on > todayIso()) found.added_on = t("errors.dateFuture");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    add.mutate({
      role: form.role.trim(),
      organisation: form.organisation.trim(),
      name: form.name.trim(),
      phone: form.phone.trim() || null,
      email: form.email.trim() || null,
      added_on: form.added_on || null,
    });
  }

  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => ({
    fieldId: ids[key] ?? ids.role!,
    label: labels[key] ?? key,
    message,
  }));

  return (
    <div className="card journey-gap">
      <h4 id={`${formId}-title`}>{t("resourceGroup.addHeading")}</h4>
      <form className="form" noValidate onSubmit={submit} aria-labelledby={`${formId}-title`}>
        <FormErrorSummary items={summary} error={add.error ?? undefined} />
        <div className="form-row">
          <Field label={labels.role} required error={errors.role} hint={t("resourceGroup.roleHint")}>
            <input id={ids.role} maxLength={100} value={form.role} onChange={(e) => set("role", e.target.value)} />
          </Field>
          <Field label={labels.organisation} required error={errors.organisation} hint={t("resourceGroup.organisationHint")}>
            <input id={ids.organisation} maxLength={200} value={form.organisation} onChange={(e) => set("organisation", e.target.value)} />
          </Field>
        </div>
        <Field label={labels.name} required error={errors.name}>
          <input id={ids.name} maxLength={100} autoComplete="off" value={form.name} onChange={(e) => set("name", e.target.value)} />
        </Field>
        <div className="form-row">
          <Field label={labels.phone} error={errors.phone}>
            <input id={ids.phone} type="tel" maxLength={40} autoComplete="off" value={form.phone} onChange={(e) => set("phone", e.target.value)} />
          </Field>
          <Field label={labels.email} error={errors.email}>
            <input id={ids.email} type="email" maxLength={254} autoComplete="off" value={form.email} onChange={(e) => set("email", e.target.value)} />
          </Field>
          <Field label={labels.added_on} error={errors.added_on} hint={t("resourceGroup.addedOnHint")}>
            <input id={ids.added_on} type="date" max={todayIso()} value={form.added_on} onChange={(e) => set("added_on", e.target.value)} />
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={add.isPending}>
            {add.isPending ? t("common:saving") : t("resourceGroup.add")}
          </button>
        </div>
      </form>
    </div>
  );
}
