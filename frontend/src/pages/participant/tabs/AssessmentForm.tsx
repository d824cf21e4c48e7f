import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { serverFields } from "../../../api/fieldErrors";
import { Field } from "../../../components/Field";
import { isIsoDate, todayIso } from "../../../lib/dates";
import { ScaleQuestion, scaleFirstId } from "./ScaleQuestion";
import { FormErrorSummary, invalidateTasks, type Lang, NS, RadioGroup, type SummaryItem } from "./shared";

type Props = {
  enrolmentId: number;
  /** For a correction: the questionnaire version the corrected submission was answered on. */
  questionnaire: Schemas["QuestionnaireRead"];
  /** The occasions that may be answered now (due or overdue); for a correction, its occasion. */
  occasions: Schemas["AssessmentOccasionRead"][];
  lang: Lang;
  onReload: () => void;
  /** Told what was saved; the form itself may be replaced once the occasion is answered. */
  onSaved: (message: string) => void;
  /**
   * Correct this (current) submission instead of answering a new occasion: the form starts
   * with its answers, asks why they are corrected and posts a correction superseding it.
   */
  correcting?: Schemas["AssessmentSubmissionRead"];
  /** Shown as a cancel button (a correction's form is opened on request). */
  onCancel?: () => void;
};

type Scores = Record<string, number | undefined>;
type Sent = { draft: Omit<Schemas["AssessmentCorrectionCreate"], "reason">; occasion: string; reason: string };

/**
 * The self-assessment form: occasion, who answered, the date, one 1–10 radio group per item
 * (all required) and, kept apart, an optional mentor's own rating. With `correcting`, the same
 * form corrects a submission: prefilled, its occasion fixed, and a required reason.
 */
export function AssessmentForm({
  enrolmentId,
  questionnaire,
  occasions,
  lang,
  onReload,
  onSaved,
  correcting,
  onCancel,
}: Props) {
  const { t } = useTranslation(NS);
  const queryClient = useQueryClient();
  const formId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [occasion, setOccasion] = useState(correcting?.occasion ?? occasions[0]?.occasion ?? "");
  const [respondent, setRespondent] = useState<Schemas["Respondent"] | "">(correcting?.respondent ?? "");
  const [answeredOn, setAnsweredOn] = useState(correcting?.answered_on ?? todayIso());
  const [answers, setAnswers] = useState<Scores>(correcting?.answers ?? {});
  const [withMentor, setWithMentor] = useState(Object.keys(correcting?.mentor_rating ?? {}).length > 0);
  const [mentor, setMentor] = useState<Scores>(correcting?.mentor_rating ?? {});
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const correctingId = correcting?.id;

  useEffect(() => {
    // A correction's form opens on request: move focus to it, as the follow-up form does.
    if (correctingId !== undefined) heading.current?.focus();
  }, [correctingId]);

  const chosen = occasions.find((o) => o.occasion === occasion) ?? occasions[0];
  const occasionLabel = (o: Schemas["AssessmentOccasionRead"] | undefined) =>
    o ? (lang === "en" ? o.label_en : o.label_sv) : "";
  const itemText = (item: Schemas["ItemRead"]) => (lang === "en" ? item.text_en : item.text_sv);

  const ids = {
    occasion: `${formId}-occasion`,
    respondent: `${formId}-respondent-participant`,
    answered_on: `${formId}-answered-on`,
    mentor_rating: `${formId}-with-mentor`,
    reason: `${formId}-reason`,
  };
  const answerName = (key: string) => `${formId}-answers-${key}`;
  const mentorName = (key: string) => `${formId}-mentor-${key}`;

  const submit = useMutation({
    mutationFn: async ({ draft, occasion, reason }: Sent) =>
      correcting
        ? unwrap(
            await api.POST("/api/v1/assessments/{submission_id}/corrections", {
              params: { path: { submission_id: correcting.id } },
              body: { reason, ...draft },
            }),
          )
        : unwrap(
            await api.POST("/api/v1/enrolments/{enrolment_id}/assessments", {
              params: { path: { enrolment_id: enrolmentId } },
              body: { occasion, questionnaire_version: questionnaire.version, ...draft },
            }),
          ),
    onSuccess: async (_data, sent) => {
      const label = occasionLabel(occasions.find((o) => o.occasion === sent.occasion));
      onSaved(t(correcting ? "assessment.corrected" : "assessment.saved", { occasion: label }));
      if (!correcting) {
        setAnswers({});
        setMentor({});
        setWithMentor(false);
        setRespondent("");
      }
      setErrors({});
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId, "assessments"] }),
        queryClient.invalidateQueries({ queryKey: ["enrolment", enrolmentId, "assessment-change"] }),
        invalidateTasks(queryClient),
      ]);
    },
    onError: (error) => setErrors(serverFields(error)),
  });

  function validate(): Record<string, string> {
    const found: Record<string, string> = {};
    if (correcting && !reason.trim()) found.reason = t("assessment.errors.reason");
    else if (!correcting && !chosen) found.occasion = t("assessment.errors.occasion");
    if (!respondent) found.respondent = t("assessment.errors.respondent");
    if (!answeredOn) found.answered_on = t("errors.dateRequired");
    else if (!isIsoDate(answeredOn)) found.answered_on = t("errors.dateInvalid");
    else if (answeredOn > todayIso()) found.answered_on = t("errors.dateFuture");
    for (const item of questionnaire.items) {
      if (answers[item.key] === undefined) {
        found[`answers.${item.key}`] = t("assessment.errors.score", { min: questionnaire.scale_min, max: questionnaire.scale_max });
      }
    }
    if (withMentor && !questionnaire.items.some((item) => mentor[item.key] !== undefined)) {
      found.mentor_rating = t("assessment.errors.mentor");
    }
    return found;
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit.reset();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0 || !chosen || !respondent) return;
    const answersBody: Record<string, number> = {};
    for (const item of questionnaire.items) answersBody[item.key] = answers[item.key]!;
    let mentorBody: Record<string, number> | null = null;
    if (withMentor) {
      mentorBody = {};
      for (const item of questionnaire.items) {
        const score = mentor[item.key];
        if (score !== undefined) mentorBody[item.key] = score;
      }
    }
    submit.mutate({
      draft: { answered_on: answeredOn, respondent, answers: answersBody, mentor_rating: mentorBody },
      occasion: chosen.occasion,
      reason: reason.trim(),
    });
  }

  function labelOf(key: string): { id: string; label: string } {
    if (key.startsWith("answers.")) {
      const item = questionnaire.items.find((i) => i.key === key.slice("answers.".length));
      return { id: scaleFirstId(answerName(key.slice(8)), questionnaire.scale_min), label: item ? itemText(item) : key };
    }
    if (key.startsWith("mentor_rating.")) {
      const itemKey = key.slice("mentor_rating.".length);
      const item = questionnaire.items.find((i) => i.key === itemKey);
      return {
        id: scaleFirstId(mentorName(itemKey), questionnaire.scale_min),
        label: `${t("assessment.mentorHeading")}: ${item ? itemText(item) : itemKey}`,
      };
    }
    const labels: Record<string, string> = {
      occasion: t("assessment.occasion"),
      // A correction of a submission that was already corrected meanwhile (409).
      id: t("assessment.occasion"),
      respondent: t("assessment.respondent"),
      answered_on: t("assessment.answeredOn"),
      mentor_rating: t("assessment.withMentor"),
      reason: t("assessment.reason"),
    };
    // A correction has no occasion to choose: its problems lead to the form's heading.
    const fallback = correcting ? `${formId}-title` : ids.occasion;
    const id = key === "occasion" || key === "id" ? fallback : (ids[key as keyof typeof ids] ?? fallback);
    return { id, label: labels[key] ?? key };
  }

  const summary: SummaryItem[] = Object.entries(errors).map(([key, message]) => {
    const { id, label } = labelOf(key);
    return { fieldId: id, label, message };
  });

  return (
    <form className={correcting ? "form journey-form card" : "form journey-form"} noValidate onSubmit={onSubmit} aria-labelledby={`${formId}-title`}>
      <h3 id={`${formId}-title`} ref={heading} tabIndex={correcting ? -1 : undefined}>
        {correcting ? t("assessment.correctHeading", { occasion: occasionLabel(chosen) }) : t("assessment.formHeading")}
      </h3>
      {correcting && <p>{t("assessment.correctIntro")}</p>}
      <p className="muted">{t("assessment.formIntro", { min: questionnaire.scale_min, max: questionnaire.scale_max })}</p>
      <FormErrorSummary items={summary} error={submit.error ?? undefined} onReload={onReload} />
      {correcting && (
        <Field label={t("assessment.reason")} required error={errors.reason} hint={t("assessment.reasonHint")}>
          <textarea id={ids.reason} rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
      <div className="form-row">
        {!correcting && (
          <Field label={t("assessment.occasion")} required error={errors.occasion}>
            <select id={ids.occasion} value={chosen?.occasion ?? ""} onChange={(e) => setOccasion(e.target.value)}>
              {occasions.map((o) => (
                <option key={o.occasion} value={o.occasion}>
                  {occasionLabel(o)}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label={t("assessment.answeredOn")} required error={errors.answered_on} hint={t("hints.date")}>
          <input
            id={ids.answered_on}
            type="date"
            value={answeredOn}
            max={todayIso()}
            onChange={(e) => setAnsweredOn(e.target.value)}
          />
        </Field>
      </div>
      <RadioGroup
        id={ids.respondent}
        legend={t("assessment.respondent")}
        options={(["participant", "participant_with_mentor"] as const).map((value) => ({
          value,
          label: t(`assessment.respondents.${value}`),
        }))}
        value={respondent}
        onChange={setRespondent}
        error={errors.respondent}
        required
      />

      <fieldset className="journey-scales">
        <legend>{t("assessment.participantHeading")}</legend>
      {questionnaire.items.map((item) => (
        <ScaleQuestion
          key={item.key}
          name={answerName(item.key)}
          item={item}
          lang={lang}
          min={questionnaire.scale_min}
          max={questionnaire.scale_max}
          value={answers[item.key]}
          onChange={(score) => setAnswers((prev) => ({ ...prev, [item.key]: score }))}
          error={errors[`answers.${item.key}`]}
          required
        />
      ))}
      </fieldset>

      <div className="journey-mentor">
        <p className="muted">{t("assessment.mentorIntro")}</p>
        <label className="journey-choice">
          <input
            type="checkbox"
            id={ids.mentor_rating}
            checked={withMentor}
            onChange={(e) => setWithMentor(e.target.checked)}
            aria-describedby={errors.mentor_rating ? `${formId}-mentor-error` : undefined}
            aria-invalid={errors.mentor_rating ? true : undefined}
          />{" "}
          {t("assessment.withMentor")}
        </label>
        {errors.mentor_rating && (
          <p id={`${formId}-mentor-error`} className="field__error">
            {errors.mentor_rating}
          </p>
        )}
        {withMentor && (
          <fieldset className="journey-scales">
            <legend>{t("assessment.mentorHeading")}</legend>
            {questionnaire.items.map((item) => (
            <ScaleQuestion
              key={item.key}
              name={mentorName(item.key)}
              item={item}
              lang={lang}
              min={questionnaire.scale_min}
              max={questionnaire.scale_max}
              value={mentor[item.key]}
              onChange={(score) => setMentor((prev) => ({ ...prev, [item.key]: score }))}
              error={errors[`mentor_rating.${item.key}`]}
            />
            ))}
          </fieldset>
        )}
      </div>

      <div className="form-actions">
        <button type="submit" className="button" disabled={submit.isPending}>
          {submit.isPending ? t("common:saving") : t(correcting ? "assessment.submitCorrection" : "assessment.submit")}
        </button>
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t("common:cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
