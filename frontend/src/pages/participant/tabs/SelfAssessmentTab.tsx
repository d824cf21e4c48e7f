import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { useSession } from "../../../auth/session";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { formatDate } from "../../../lib/dates";
import { AssessmentChange } from "./AssessmentChange";
import { AssessmentForm } from "./AssessmentForm";
import type { ParticipantTabsProps } from "./ParticipantTabs";
import { type Lang, NoEnrolment, NS, Saved, useLang } from "./shared";

export function useQuestionnaire() {
  return useQuery({
    queryKey: ["questionnaire", "current"],
    queryFn: async () => unwrap(await api.GET("/api/v1/questionnaires/current")),
    staleTime: 60 * 60_000,
  });
}

/** The questionnaire `version` (the current one when it is that version: no request). */
function useQuestionnaireVersion(version: number, current: Schemas["QuestionnaireRead"]) {
  const older = useQuery({
    queryKey: ["questionnaire", version],
    queryFn: async () => unwrap(await api.GET("/api/v1/questionnaires/{version}", { params: { path: { version } } })),
    staleTime: 60 * 60_000,
    enabled: version !== current.version,
  });
  return version === current.version ? { data: current, error: null, refetch: () => undefined } : older;
}

export function SelfAssessmentTab({ enrolment }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  if (!enrolment) return <NoEnrolment what={t("tabs.selfAssessment").toLowerCase()} />;
  return <SelfAssessments enrolmentId={enrolment.id} />;
}

const STATUS_BADGE: Record<Schemas["AssessmentStatus"], string> = {
  not_due: "badge",
  due: "badge badge--warn",
  overdue: "badge badge--error",
  answered: "badge badge--ok",
};

function SelfAssessments({ enrolmentId }: { enrolmentId: number }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const { can } = useSession();
  const questionnaire = useQuestionnaire();
  // Where the confirmation shows: by the correction (which closes) or by the form.
  const [saved, setSaved] = useState<{ text: string; at: "correction" | "form" } | null>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  // The submission being corrected, as it was when its form opened.
  const [correcting, setCorrecting] = useState<Schemas["AssessmentSubmissionRead"] | null>(null);
  const openers = useRef<Record<string, HTMLButtonElement | null>>({});
  useEffect(() => {
    // The submit button may be gone (the occasion is answered): focus the confirmation instead.
    if (saved) savedRef.current?.focus();
  }, [saved]);
  const assessments = useQuery({
    queryKey: ["enrolment", enrolmentId, "assessments"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/assessments", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });

  if (assessments.isPending || questionnaire.isPending) return <Loading />;
  if (assessments.isError) return <ErrorNotice error={assessments.error} onRetry={() => void assessments.refetch()} />;
  if (questionnaire.isError) return <ErrorNotice error={questionnaire.error} onRetry={() => void questionnaire.refetch()} />;

  const { occasions, submissions } = assessments.data;
  const current = submissions.filter((s) => s.superseded_by_id == null);
  const open = occasions.filter((o) => o.status === "due" || o.status === "overdue");
  const label = (o: { label_sv: string; label_en: string }) => (lang === "en" ? o.label_en : o.label_sv);
  const mayCorrect = can("assessment:record") && current.length > 0;
  const correctingOccasion = correcting && occasions.find((o) => o.occasion === correcting.occasion);
  const closeCorrection = () => {
    const occasion = correcting?.occasion;
    setCorrecting(null);
    if (occasion) requestAnimationFrame(() => openers.current[occasion]?.focus());
  };
  const confirmation = saved && (
    <div ref={savedRef} tabIndex={-1}>
      <Saved>{saved.text}</Saved>
    </div>
  );

  return (
    <div className="journey-stack">
      <section aria-labelledby="journey-occasions-heading">
        <h3 id="journey-occasions-heading">{t("assessment.occasionsHeading")}</h3>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t("assessment.occasionsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("assessment.occasion")}</th>
                <th scope="col">{t("assessment.status")}</th>
                <th scope="col">{t("assessment.dueOn")}</th>
                <th scope="col">{t("assessment.answeredOn")}</th>
                {mayCorrect && (
                  <th scope="col">
                    <span className="visually-hidden">{t("actions")}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {occasions.map((o) => {
                const submission = current.find((s) => s.id === o.submission_id) ?? current.find((s) => s.occasion === o.occasion);
                return (
                  <tr key={o.occasion}>
                    <th scope="row">{label(o)}</th>
                    <td>
                      <span className={STATUS_BADGE[o.status]}>{t(`assessment.statuses.${o.status}`)}</span>
                    </td>
                    <td>
                      {o.due_on
                        ? formatDate(o.due_on, lang)
                        : o.occasion === "follow_up"
                          ? t("assessment.noDueDate")
                          : t("assessment.notYet")}
                    </td>
                    <td>{submission ? formatDate(submission.answered_on, lang) : t("assessment.notAnswered")}</td>
                    {mayCorrect && (
                      <td>
                        {submission && submission.id === o.submission_id && (
                          <button
                            type="button"
                            className="button button--secondary"
                            ref={(element) => {
                              openers.current[o.occasion] = element;
                            }}
                            aria-expanded={correcting?.id === submission.id}
                            aria-label={t("assessment.correctOccasion", { occasion: label(o) })}
                            onClick={() => {
                              setSaved(null);
                              setCorrecting(submission);
                            }}
                          >
                            {t("assessment.correct")}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      {saved?.at === "correction" && confirmation}
      {can("assessment:record") && correcting && correctingOccasion && (
        <Correction
          key={correcting.id}
          enrolmentId={enrolmentId}
          submission={correcting}
          occasion={correctingOccasion}
          current={questionnaire.data}
          lang={lang}
          onCancel={closeCorrection}
          onReload={() => {
            // The submission was corrected meanwhile: read again and start from the newest.
            closeCorrection();
            void assessments.refetch();
          }}
          onSaved={(text) => {
            setCorrecting(null);
            setSaved({ text, at: "correction" });
          }}
        />
      )}

      {current.length > 0 && (
        <Readings
          questionnaire={questionnaire.data}
          submissions={current}
          occasions={occasions}
          lang={lang}
        />
      )}

      <AssessmentChange enrolmentId={enrolmentId} />

      {saved?.at === "form" && confirmation}
      {can("assessment:record") &&
        (open.length > 0 ? (
          <AssessmentForm
            key={open.map((o) => o.occasion).join(",")}
            enrolmentId={enrolmentId}
            questionnaire={questionnaire.data}
            occasions={open}
            lang={lang}
            onReload={() => void assessments.refetch()}
            onSaved={(text) => setSaved({ text, at: "form" })}
          />
        ) : (
          <p className="notice notice--info">{t("assessment.nothingDue")}</p>
        ))}
    </div>
  );
}

/** A correction's form, on the questionnaire version the corrected submission was answered on. */
function Correction({
  submission,
  occasion,
  current,
  ...rest
}: {
  enrolmentId: number;
  submission: Schemas["AssessmentSubmissionRead"];
  occasion: Schemas["AssessmentOccasionRead"];
  current: Schemas["QuestionnaireRead"];
  lang: Lang;
  onCancel: () => void;
  onReload: () => void;
  onSaved: (message: string) => void;
}) {
  const questionnaire = useQuestionnaireVersion(submission.questionnaire_version, current);
  if (questionnaire.error) return <ErrorNotice error={questionnaire.error} onRetry={() => void questionnaire.refetch()} />;
  if (!questionnaire.data) return <Loading />;
  return <AssessmentForm {...rest} questionnaire={questionnaire.data} occasions={[occasion]} correcting={submission} />;
}

/** The participant's current answers per occasion, and the mentor's ratings kept apart. */
function Readings({
  questionnaire,
  submissions,
  occasions,
  lang,
}: {
  questionnaire: Schemas["QuestionnaireRead"];
  submissions: Schemas["AssessmentSubmissionRead"][];
  occasions: Schemas["AssessmentOccasionRead"][];
  lang: Lang;
}) {
  const { t } = useTranslation(NS);
  const order = (s: Schemas["AssessmentSubmissionRead"]) => {
    const index = occasions.findIndex((o) => o.occasion === s.occasion);
    return index < 0 ? occasions.length : index;
  };
  const sorted = [...submissions].sort((a, b) => order(a) - order(b) || a.answered_on.localeCompare(b.answered_on));
  const occasionLabel = (occasion: string) => {
    const found = occasions.find((o) => o.occasion === occasion);
    return found ? (lang === "en" ? found.label_en : found.label_sv) : occasion;
  };
  const itemLabel = (item: Schemas["ItemRead"]) =>
    t(`items.${item.key}`, { defaultValue: lang === "en" ? item.text_en : item.text_sv });
  const withMentor = sorted.filter((s) => s.mentor_rating && Object.keys(s.mentor_rating).length > 0);

  const table = (caption: string, rows: Schemas["AssessmentSubmissionRead"][], pick: (s: Schemas["AssessmentSubmissionRead"]) => Record<string, number> | null | undefined) => (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("assessment.item")}</th>
            {rows.map((s) => (
              <th scope="col" key={s.id} className="num">
                {occasionLabel(s.occasion)}
                <br />
                <span className="muted">{formatDate(s.answered_on, lang)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {questionnaire.items.map((item) => (
            <tr key={item.key}>
              <th scope="row">{itemLabel(item)}</th>
              {rows.map((s) => {
                const score = pick(s)?.[item.key];
                return (
                  <td key={s.id} className="num">
                    {score ?? <span className="muted">{t("assessment.noAnswer")}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th scope="row">{t("assessment.respondent")}</th>
            {rows.map((s) => (
              <td key={s.id} className="num">
                {t(`assessment.respondents.${s.respondent}`)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );

  return (
    <section aria-labelledby="journey-readings-heading">
      <h3 id="journey-readings-heading">{t("assessment.readingsHeading")}</h3>
      {table(t("assessment.readingsCaption"), sorted, (s) => s.answers)}
      {sorted.some((s) => s.correction_reason) && (
        <ul className="journey-corrections">
          {sorted
            .filter((s) => s.correction_reason)
            .map((s) => (
              <li key={s.id}>
                {t("assessment.correctedNote", { occasion: occasionLabel(s.occasion), reason: s.correction_reason })}
              </li>
            ))}
        </ul>
      )}
      {withMentor.length > 0 && (
        <>
          <h4>{t("assessment.mentorHeading")}</h4>
          <p className="muted">{t("assessment.mentorApart")}</p>
          {table(t("assessment.mentorCaption"), withMentor, (s) => s.mentor_rating)}
        </>
      )}
    </section>
  );
}
