import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, ApiError, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, errorText, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { Page } from "../../components/Page";
import { Staircase } from "../../components/Staircase";
import { formatDate } from "../../lib/dates";
import { type Enrolment, pickEnrolment, type Programme, shortStepName } from "./actions";
import { EnrolmentActions } from "./EnrolmentActions";
import { History, useExitLabels, useOutcomeText } from "./History";
import { RevealPersonnummer } from "./RevealPersonnummer";
import { ParticipantTabs } from "./tabs/ParticipantTabs";
import "./participant.css";

type Participant = Schemas["ParticipantRead"];

/** Route /deltagare/:participantId. A fresh screen per participant (no state carried over). */
export default function ParticipantPage() {
  const { participantId } = useParams();
  return <ParticipantScreen key={participantId} rawId={participantId ?? ""} />;
}

function ParticipantScreen({ rawId }: { rawId: string }) {
  const { t } = useTranslation("participant");
  const { t: tc } = useTranslation();
  const id = /^\d{1,10}$/.test(rawId) ? Number(rawId) : NaN;
  const valid = Number.isSafeInteger(id) && id > 0;

  const participant = useQuery({
    queryKey: ["participant", id],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/participants/{participant_id}", { params: { path: { participant_id: id } } })),
    enabled: valid,
  });

  if (!valid) {
    const error = new ApiError(404, "NotFound", "");
    return (
      <Page title={errorText(error, tc).title}>
        <ErrorNotice error={error} />
      </Page>
    );
  }
  if (participant.isPending) {
    return (
      <Page title={t("documentTitle")}>
        <Loading />
      </Page>
    );
  }
  if (participant.isError) {
    return (
      <Page title={errorText(participant.error, tc).title}>
        <ErrorNotice error={participant.error} onRetry={isRetryable(participant.error) ? () => void participant.refetch() : undefined} />
      </Page>
    );
  }
  return <ParticipantView participant={participant.data} />;
}

function isRetryable(error: unknown): boolean {
  return !(error instanceof ApiError && (error.status === 403 || error.status === 404));
}

function ParticipantView({ participant }: { participant: Participant }) {
  const { t, i18n } = useTranslation("participant");
  const [chosenId, setChosenId] = useState<number | null>(null);
  const summaries = participant.enrolments;
  const picked = pickEnrolment(summaries);
  const enrolmentId = chosenId ?? picked?.id ?? null;

  const enrolment = useQuery({
    queryKey: ["enrolment", enrolmentId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}", {
          params: { path: { enrolment_id: enrolmentId as number } },
        }),
      ),
    enabled: enrolmentId != null,
  });
  const programmes = useQuery({
    queryKey: ["programmes"],
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
    staleTime: 60 * 60_000,
  });
  const enrolmentData = enrolment.data ?? null;
  const programmeCode = enrolmentData?.programme_code ?? picked?.programme_code;
  const programme = programmes.data?.find((p) => p.code === programmeCode) ?? null;
  const programmeName = (code: string) => {
    const p = programmes.data?.find((x) => x.code === code);
    if (!p) return code;
    return i18n.language === "en" ? p.name_en : p.name_sv;
  };

  return (
    // The name is the heading; the document title (kept in browser history) never carries it.
    <Page title={`${participant.first_name} ${participant.last_name}`} documentTitle={t("documentTitle")}>
      <ParticipantHeader
        participant={participant}
        enrolment={enrolmentData}
        enrolmentPending={enrolmentId != null && enrolment.isPending}
        programmeName={programmeName}
      />

      {summaries.length > 1 && (
        <div className="participant-picker">
          <Field label={t("picker.label")} hint={t("picker.hint")}>
            <select
              name="enrolment"
              value={enrolmentId ?? ""}
              onChange={(e) => setChosenId(Number(e.target.value))}
            >
              {summaries.map((s) => (
                <option key={s.id} value={s.id}>
                  {t("picker.option", {
                    programme: programmeName(s.programme_code),
                    state: t(`common:states.${s.state}`),
                    date: formatDate(s.referred_on, i18n.language),
                  })}
                </option>
              ))}
            </select>
          </Field>
        </div>
      )}

      {enrolmentId == null ? (
        <p className="card">{t("noEnrolment")}</p>
      ) : enrolment.isPending ? (
        <Loading />
      ) : enrolment.isError ? (
        <ErrorNotice error={enrolment.error} onRetry={() => void enrolment.refetch()} />
      ) : (
        <>
          <section className="card participant-progress" aria-labelledby="participant-staircase-heading">
            <h2 id="participant-staircase-heading">{t("staircase.heading")}</h2>
            <EnrolmentState enrolment={enrolment.data} programme={programme} />
            {programme && (
              <Staircase
                size="large"
                step={enrolment.data.step}
                stepCount={programme.steps.length}
                stepNames={programme.steps.map((s) => shortStepName(i18n.language === "en" ? s.name_en : s.name_sv))}
                highestStep={enrolment.data.highest_step}
              />
            )}
            <EnrolmentActions participantId={participant.id} enrolment={enrolment.data} programme={programme} />
          </section>
          <div className="card">
            <History enrolment={enrolment.data} />
          </div>
        </>
      )}

      <ParticipantTabs participant={participant} enrolment={enrolmentData} programme={programme} />
    </Page>
  );
}

type HeaderProps = {
  participant: Participant;
  enrolment: Enrolment | null;
  /** The enrolment is still loading: its facts are shown as not yet known, not as missing. */
  enrolmentPending: boolean;
  programmeName: (code: string) => string;
};

/** The current mentor as the enrolment names them; "Du (…)" when it is the signed-in user. */
function useMentorName(enrolment: Enrolment | null): string {
  const { t } = useTranslation("participant");
  const { me } = useSession();
  if (enrolment?.mentor_id == null) return t("header.noMentor");
  if (me?.kind === "user" && enrolment.mentor_id === me.id) return t("header.mentorYou", { name: me.display_name });
  return enrolment.mentor_name ?? t("header.noMentor");
}

function ParticipantHeader({ participant, enrolment, enrolmentPending, programmeName }: HeaderProps) {
  const { t, i18n } = useTranslation("participant");
  const mentor = useMentorName(enrolment);
  const mentorSince = enrolment?.mentor_history.find((m) => m.ended_on == null)?.assigned_on;
  const organisation = enrolment?.referrer_organisation_name ?? null;

  const referrerParts: string[] = [];
  if (organisation) referrerParts.push(organisation);
  if (enrolment?.referrer_contact_name) referrerParts.push(enrolment.referrer_contact_name);
  const contact = [enrolment?.referrer_contact_phone, enrolment?.referrer_contact_email].filter(Boolean).join(", ");

  return (
    <section className="card participant-header" aria-label={t("header.label")}>
      {participant.protected_identity && (
        <p className="participant-header__protected">
          <span className="badge badge--error">{t("header.protected")}</span>
        </p>
      )}
      <dl className="participant-facts">
        <div>
          <dt>{t("header.personnummer")}</dt>
          <dd>
            <RevealPersonnummer participantId={participant.id} masked={participant.personnummer_masked} />
            {participant.is_coordination_number && <span className="muted"> {t("header.coordinationNumber")}</span>}
          </dd>
        </div>
        <div>
          <dt>{t("header.age")}</dt>
          <dd>{t("header.years", { count: participant.age })}</dd>
        </div>
        <div>
          <dt>{t("header.municipality")}</dt>
          <dd>{participant.municipality_name}</dd>
        </div>
        <div>
          <dt>{t("header.referrer")}</dt>
          <dd>
            {referrerParts.length ? (
              referrerParts.join(" · ")
            ) : (
              <span className="muted">{enrolmentPending ? "…" : t("common:notRecorded")}</span>
            )}
            {contact && <span className="participant-facts__sub">{contact}</span>}
          </dd>
        </div>
        <div>
          <dt>{t("header.mentor")}</dt>
          <dd>
            {enrolmentPending ? <span className="muted">…</span> : mentor}
            {mentorSince && (
              <span className="participant-facts__sub">
                {t("header.mentorSince", { date: formatDate(mentorSince, i18n.language) })}
              </span>
            )}
          </dd>
        </div>
        {enrolment && (
          <div>
            <dt>{t("header.programme")}</dt>
            <dd>{programmeName(enrolment.programme_code)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function EnrolmentState({ enrolment, programme }: { enrolment: Enrolment; programme: Programme | null }) {
  const { t, i18n } = useTranslation("participant");
  const outcomeText = useOutcomeText();
  const exitLabels = useExitLabels(enrolment.state === "exited");
  const date = (iso: string | null | undefined) => formatDate(iso, i18n.language);
  const stepName = (() => {
    const step = programme?.steps.find((s) => s.number === enrolment.step);
    if (!step) return enrolment.step ? t("common:staircase.stepN", { step: enrolment.step }) : "";
    return i18n.language === "en" ? step.name_en : step.name_sv;
  })();
  const state = enrolment.state;
  const badge = state === "active" ? "badge badge--ok" : state === "paused" ? "badge badge--warn" : "badge";

  return (
    <div className="participant-state">
      <p className="participant-state__line">
        <span className="participant-state__label">{t("state.label")}</span>{" "}
        <span className={badge}>{t(`common:states.${state}`)}</span>
        {(state === "active" || state === "paused") && stepName && (
          <>
            {" "}
            <span className="participant-state__step">
              {state === "paused" ? t("state.pausedAt", { step: stepName }) : t("state.at", { step: stepName })}
            </span>
          </>
        )}
      </p>
      <ul className="participant-state__facts">
        <li>{t("state.referredOn", { date: date(enrolment.referred_on) })}</li>
        {enrolment.started_on && <li>{t("state.startedOn", { date: date(enrolment.started_on) })}</li>}
        {enrolment.step_entered_on && (state === "active" || state === "paused") && (
          <li>
            {t("state.inStepSince", { date: date(enrolment.step_entered_on), count: enrolment.days_in_step ?? 0 })}
          </li>
        )}
        {enrolment.outcome && <li>{t("state.outcome", { text: outcomeText(enrolment.outcome) })}</li>}
        {enrolment.ended_on && <li>{t(`state.endedOn_${state === "declined" ? "declined" : "exited"}`, { date: date(enrolment.ended_on) })}</li>}
        {state === "exited" && enrolment.exit_reason_code && (
          <li>
            {t("history.exitReason", { label: exitLabels.reason(enrolment.exit_reason_code) })};{" "}
            {t("history.exitStatus", { label: exitLabels.status(enrolment.exit_status_code) })}
          </li>
        )}
      </ul>
    </div>
  );
}
