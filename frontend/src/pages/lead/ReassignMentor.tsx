import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, ifMatch, isApiError, type Schemas, unwrap } from "../../api/client";
import { serverFields } from "../../api/fieldErrors";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { formatDate, isIsoDate, todayIso } from "../../lib/dates";

type MentorLoad = Schemas["MentorLoadRead"];
type ListItem = Schemas["ParticipantListItem"];
type Criteria = { name: string | null; mentor_id: number | null };

const OPEN_STATES = new Set(["referred", "intake", "active", "paused"]);
const PAGE_SIZE = 25;

function fullName(p: { first_name: string; last_name: string }): string {
  return `${p.first_name} ${p.last_name}`;
}

/**
 * Reassigning a participant: find them (the name travels in a POST body, never in the URL),
 * see their current mentor, pick another active mentor of the municipality and a date.
 */
export function ReassignMentor({ mentors }: { mentors: MentorLoad[] }) {
  const { t } = useTranslation("lead");
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [mentorFilter, setMentorFilter] = useState("");
  const [criteria, setCriteria] = useState<Criteria | null>(null);
  const [selected, setSelected] = useState<ListItem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const mentorName = useMentorName(mentors);

  const results = useInfiniteQuery({
    queryKey: ["lead", "participant-search", criteria],
    enabled: criteria !== null,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.POST("/api/v1/participants/search", {
          body: { ...criteria, cursor: pageParam, limit: PAGE_SIZE },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    setSelected(null);
    setCriteria({ name: name.trim() || null, mentor_id: mentorFilter ? Number(mentorFilter) : null });
  };

  const finished = (message: string) => {
    setSelected(null);
    setDone(message);
    void queryClient.invalidateQueries({ queryKey: ["lead"] });
  };

  const items = results.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="lead-reassign-heading" className="card">
      <h2 id="lead-reassign-heading">{t("reassign.heading")}</h2>
      <p className="muted">{t("reassign.intro")}</p>

      {done && (
        <div ref={doneRef} tabIndex={-1} className="notice notice--ok" role="status">
          <p>{done}</p>
        </div>
      )}

      <form className="form" noValidate onSubmit={search} role="search" aria-label={t("reassign.searchLabel")}>
        <div className="form-row">
          <Field label={t("reassign.name")} hint={t("reassign.nameHint")}>
            <input type="text" value={name} maxLength={100} autoComplete="off" onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label={t("reassign.currentMentorFilter")}>
            <select value={mentorFilter} onChange={(e) => setMentorFilter(e.target.value)}>
              <option value="">{t("reassign.allMentors")}</option>
              {mentors.map((m) => (
                <option key={m.mentor_id} value={m.mentor_id}>
                  {m.display_name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="button">
            {t("reassign.search")}
          </button>
        </div>
      </form>

      {criteria && results.isPending && <Loading />}
      {results.isError && <ErrorNotice error={results.error} onRetry={() => void results.refetch()} />}
      {results.isSuccess && items.length === 0 && <p>{t("reassign.noResults")}</p>}
      {items.length > 0 && (
        <>
          <div className="table-wrap" role="region" aria-labelledby="lead-results-caption" tabIndex={0}>
            <table className="lead-results">
              <caption id="lead-results-caption">{t("reassign.resultsCaption", { count: items.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("reassign.col.name")}</th>
                  <th scope="col">{t("reassign.col.personnummer")}</th>
                  <th scope="col">{t("reassign.col.state")}</th>
                  <th scope="col">{t("reassign.col.mentor")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("reassign.col.action")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => {
                  const enrolment = p.current_enrolment;
                  const open = enrolment !== null && OPEN_STATES.has(enrolment.state);
                  return (
                    <tr key={p.id} aria-current={selected?.id === p.id ? "true" : undefined}>
                      <th scope="row">
                        <Link to={`/deltagare/${p.id}`}>{fullName(p)}</Link>
                      </th>
                      <td>{p.personnummer_masked}</td>
                      <td>
                        {enrolment ? (
                          <>
                            {t(`common:states.${enrolment.state}`)}
                            {enrolment.step ? `, ${t("common:staircase.stepN", { step: enrolment.step })}` : ""}
                          </>
                        ) : (
                          t("reassign.noEnrolment")
                        )}
                      </td>
                      <td>{enrolment ? mentorName(enrolment.mentor_id) : "–"}</td>
                      <td>
                        {open ? (
                          <button
                            type="button"
                            className="button button--secondary"
                            onClick={() => {
                              setDone(null);
                              setSelected(p);
                            }}
                          >
                            {t("reassign.choose")}{" "}
                            <span className="visually-hidden">{fullName(p)}</span>
                          </button>
                        ) : (
                          <span className="muted">{t("reassign.notOpen")}</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {results.hasNextPage && (
            <p>
              <button
                type="button"
                className="button button--secondary"
                disabled={results.isFetchingNextPage}
                onClick={() => void results.fetchNextPage()}
              >
                {t("reassign.more")}
              </button>
            </p>
          )}
        </>
      )}

      {selected?.current_enrolment && (
        <ReassignForm
          key={selected.id}
          participant={selected}
          enrolmentId={selected.current_enrolment.id}
          mentors={mentors}
          onDone={finished}
          onCancel={() => setSelected(null)}
        />
      )}
    </section>
  );
}

function useMentorName(mentors: MentorLoad[]) {
  const { t } = useTranslation("lead");
  return (id: number | null | undefined) => {
    if (id === null || id === undefined) return t("reassign.noMentor");
    return mentors.find((m) => m.mentor_id === id)?.display_name ?? t("reassign.otherMentor", { id });
  };
}

type FormProps = {
  participant: ListItem;
  enrolmentId: number;
  mentors: MentorLoad[];
  onDone: (message: string) => void;
  onCancel: () => void;
};

type Errors = Partial<Record<"mentor_id" | "assigned_on" | "reason", string>>;

function ReassignForm({ participant, enrolmentId, mentors, onDone, onCancel }: FormProps) {
  const { t, i18n } = useTranslation("lead");
  const queryClient = useQueryClient();
  const headingId = useId();
  const mentorName = useMentorName(mentors);
  const [mentorId, setMentorId] = useState("");
  const [assignedOn, setAssignedOn] = useState(todayIso());
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [conflict, setConflict] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const name = fullName(participant);

  const enrolment = useQuery({
    queryKey: ["enrolment", enrolmentId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/enrolments/{enrolment_id}", { params: { path: { enrolment_id: enrolmentId } } })),
  });

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const assign = useMutation({
    mutationFn: async (vars: { version: number; body: Schemas["MentorAssignmentCreate"] }) =>
      unwrap(
        await api.POST("/api/v1/enrolments/{enrolment_id}/mentor", {
          params: { path: { enrolment_id: enrolmentId }, header: { "if-match": ifMatch(vars.version) } },
          body: vars.body,
        }),
      ),
    onSuccess: (updated, vars) => {
      queryClient.setQueryData(["enrolment", enrolmentId], updated);
      void queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId] });
      void queryClient.invalidateQueries({ queryKey: ["participant", participant.id] });
      onDone(
        t("reassign.done", {
          name,
          mentor: mentorName(vars.body.mentor_id),
          date: formatDate(vars.body.assigned_on ?? todayIso(), i18n.language),
        }),
      );
    },
    onError: (error) => {
      if (isApiError(error, 412) || isApiError(error, 409) || isApiError(error, 428)) {
        setConflict(error);
        return;
      }
      if (isApiError(error, 422) && Object.keys(error.fields).length > 0) {
        const known: Errors = {};
        for (const [field, message] of Object.entries(serverFields(error))) {
          if (field === "mentor_id" || field === "assigned_on" || field === "reason") known[field] = message;
        }
        if (Object.keys(known).length > 0) {
          setErrors(known);
          setFailure(error.message ? error : null);
          return;
        }
      }
      setFailure(error);
    },
  });

  const current = enrolment.data;
  const choices = mentors.filter((m) => m.is_active && m.mentor_id !== current?.mentor_id);

  const validate = (): Errors => {
    const found: Errors = {};
    if (!mentorId) found.mentor_id = t("reassign.errors.mentorRequired");
    if (!assignedOn) found.assigned_on = t("reassign.errors.dateRequired");
    else if (!isIsoDate(assignedOn)) found.assigned_on = t("reassign.errors.dateInvalid");
    else if (assignedOn > todayIso()) found.assigned_on = t("reassign.errors.dateFuture");
    if (reason.length > 500) found.reason = t("reassign.errors.reasonTooLong");
    return found;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!current) return;
    setFailure(null);
    setConflict(null);
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    assign.mutate({
      version: current.version,
      body: { mentor_id: Number(mentorId), assigned_on: assignedOn, reason: reason.trim() || null },
    });
  };

  const reload = async () => {
    await enrolment.refetch();
    setConflict(null);
    setMentorId("");
  };

  const errorCount = Object.values(errors).filter(Boolean).length;

  return (
    <section aria-labelledby={headingId} className="lead-reassign">
      <h3 id={headingId} ref={heading} tabIndex={-1}>
        {t("reassign.formHeading", { name })}
      </h3>
      {enrolment.isPending && <Loading />}
      {enrolment.isError && <ErrorNotice error={enrolment.error} onRetry={() => void enrolment.refetch()} />}
      {current && (
        <>
          <dl className="lead-facts">
            <div>
              <dt>{t("reassign.personnummer")}</dt>
              <dd>{participant.personnummer_masked}</dd>
            </div>
            <div>
              <dt>{t("reassign.currentMentor")}</dt>
              <dd data-testid="current-mentor">{mentorName(current.mentor_id)}</dd>
            </div>
            <div>
              <dt>{t("reassign.state")}</dt>
              <dd>
                {t(`common:states.${current.state}`)}
                {current.step ? `, ${t("common:staircase.stepN", { step: current.step })}` : ""}
              </dd>
            </div>
          </dl>

          {conflict !== null && (
            <div className="notice notice--warn" role="alert">
              <p className="notice__title">{t("reassign.conflictTitle")}</p>
              <p>{t("reassign.conflict")}</p>
              <button type="button" className="button" onClick={() => void reload()}>
                {t("common:reload")}
              </button>
            </div>
          )}
          {failure !== null && <ErrorNotice error={failure} />}
          {errorCount > 0 && (
            <div className="notice notice--error" role="alert">
              <p className="notice__title">{t("common:errors.formSummary", { count: errorCount })}</p>
              <ul>
                {Object.values(errors)
                  .filter(Boolean)
                  .map((message) => (
                    <li key={message}>{message}</li>
                  ))}
              </ul>
            </div>
          )}

          <form className="form" noValidate onSubmit={submit}>
            <Field label={t("reassign.newMentor")} error={errors.mentor_id} required>
              <select value={mentorId} onChange={(e) => setMentorId(e.target.value)}>
                <option value="">{t("reassign.pickMentor")}</option>
                {choices.map((m) => (
                  <option key={m.mentor_id} value={m.mentor_id}>
                    {t("reassign.mentorOption", { name: m.display_name, count: m.open_enrolments })}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t("reassign.assignedOn")} hint={t("reassign.assignedOnHint")} error={errors.assigned_on} required>
              <input type="date" value={assignedOn} max={todayIso()} onChange={(e) => setAssignedOn(e.target.value)} />
            </Field>
            <Field label={t("reassign.reason")} hint={t("reassign.reasonHint")} error={errors.reason}>
              <textarea rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
            </Field>
            <div className="form-actions">
              <button type="submit" className="button" disabled={assign.isPending || conflict !== null}>
                {assign.isPending ? t("common:saving") : t("reassign.submit")}
              </button>
              <button type="button" className="button button--secondary" onClick={onCancel}>
                {t("common:cancel")}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
