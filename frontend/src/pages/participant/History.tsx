import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { dateLocale, formatDate } from "../../lib/dates";
import { type Enrolment } from "./actions";
import { useCodeList } from "./EnrolmentActions";

type Transition = Schemas["TransitionRead"];

/** One line about a Level 4 outcome: "Arbete från 1 dec 2026, 50 %, med stöd". */
export function useOutcomeText() {
  const { t, i18n } = useTranslation("participant");
  return (outcome: Schemas["OutcomeRead"] | null | undefined): string => {
    if (!outcome) return "";
    const date = formatDate(outcome.starts_on, i18n.language);
    if (outcome.kind === "work") {
      return t("outcome.summaryWork", {
        date,
        extent: outcome.extent_percent ?? "?",
        subsidised: outcome.subsidised ? t("outcome.subsidisedShort") : t("outcome.unsubsidisedShort"),
      });
    }
    return t("outcome.summaryStudies", {
      date,
      kind: outcome.studies_kind ? t(`outcome.studiesKinds.${outcome.studies_kind}`) : "",
    });
  };
}

/** Labels for exit codes from the current code lists; a code no longer listed shows as itself. */
export function useExitLabels(enabled: boolean) {
  const { i18n } = useTranslation();
  const reasons = useCodeList("exit_reason", enabled);
  const statuses = useCodeList("exit_status", enabled);
  const find = (list: Schemas["CodeListRead"] | undefined, code: string | null | undefined) => {
    if (!code) return "";
    const entry = list?.entries.find((e) => e.code === code);
    if (!entry) return code;
    return i18n.language === "en" ? entry.label_en : entry.label_sv;
  };
  return {
    reason: (code: string | null | undefined) => find(reasons.data, code),
    status: (code: string | null | undefined) => find(statuses.data, code),
  };
}

/**
 * The enrolment's dated history, oldest first, as recorded: nothing is ever edited, so a
 * corrected date shows beside the date first recorded, and the correction is its own row.
 */
export function History({ enrolment }: { enrolment: Enrolment }) {
  const { t, i18n } = useTranslation("participant");
  const hasExit = enrolment.history.some((h) => h.kind === "exit");
  const exitLabels = useExitLabels(hasExit);
  const outcomeText = useOutcomeText();
  const date = (iso: string) => formatDate(iso, i18n.language);
  const entries = [...enrolment.history].sort((a, b) => a.seq - b.seq);

  function details(h: Transition): string[] {
    const lines: string[] = [];
    switch (h.kind) {
      case "pause":
        if (h.pause_reason) lines.push(t(`pauseReasons.${h.pause_reason}`));
        if (h.reason) lines.push(h.reason);
        break;
      case "exit":
        lines.push(t("history.exitReason", { label: exitLabels.reason(h.exit_reason_code) }));
        lines.push(t("history.exitStatus", { label: exitLabels.status(h.exit_status_code) }));
        break;
      case "correct_date":
        lines.push(t("history.corrects", { seq: h.corrects_seq ?? "?", date: date(h.effective_on) }));
        if (h.reason) lines.push(h.reason);
        break;
      default:
        if (h.outcome) lines.push(outcomeText(h.outcome));
        if (h.reason) lines.push(h.reason);
    }
    return lines;
  }

  return (
    <section aria-labelledby="participant-history-heading" className="participant-history">
      <h2 id="participant-history-heading">{t("history.heading")}</h2>
      <div className="table-wrap">
        <table>
          <caption>{t("history.caption")}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t("history.seq")}
              </th>
              <th scope="col">{t("history.date")}</th>
              <th scope="col">{t("history.event")}</th>
              <th scope="col">{t("history.levelAfter")}</th>
              <th scope="col">{t("history.stateAfter")}</th>
              <th scope="col">{t("history.details")}</th>
              <th scope="col">{t("history.recorded")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((h) => (
              <tr key={h.seq} className={h.corrected_by_seq ? "participant-history__row--corrected" : undefined}>
                <td className="num">{h.seq}</td>
                <td>
                  {date(h.effective_on)}
                  {h.corrected_by_seq != null && (
                    <>
                      {" "}
                      <span className="badge badge--warn">{t("history.corrected", { seq: h.corrected_by_seq })}</span>
                      <br />
                      <span className="muted">
                        {t("history.firstRecorded", { date: date(h.recorded_effective_on) })}
                      </span>
                    </>
                  )}
                </td>
                <th scope="row">
                  {t(`history.kinds.${h.kind}`, { defaultValue: h.kind })}
                  {h.kind === "correct_date" && (
                    <>
                      {" "}
                      <span className="badge">{t("history.correction")}</span>
                    </>
                  )}
                </th>
                <td>{h.step_after ? t("common:staircase.stepN", { step: h.step_after }) : "–"}</td>
                <td>{t(`common:states.${h.state_after}`)}</td>
                <td>
                  {details(h).map((line, i) => (
                    <span key={i} className="participant-history__line">
                      {line}
                    </span>
                  ))}
                </td>
                <td>{new Date(h.recorded_at).toLocaleDateString(dateLocale(i18n.language))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
