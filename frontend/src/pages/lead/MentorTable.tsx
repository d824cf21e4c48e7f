import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";

type MentorLoad = Schemas["MentorLoadRead"];

/** Open enrolments of one mentor at one step ("0" = not started yet). */
export function countAt(mentor: MentorLoad, step: number): number {
  return mentor.by_step[String(step)] ?? 0;
}

/** The highest step any mentor has someone at, at least the programmes' step count. */
export function stepsShown(mentors: MentorLoad[], programmeSteps: number): number {
  let highest = programmeSteps;
  for (const mentor of mentors) {
    for (const key of Object.keys(mentor.by_step)) {
      const step = Number(key);
      if (Number.isInteger(step) && step > highest) highest = step;
    }
  }
  return Math.max(highest, 1);
}

type Props = { mentors: MentorLoad[]; stepCount: number };

/**
 * The municipality's mentors with their caseload sizes and how their open enrolments spread
 * over the levels: one column per level with the number in text and a small bar beside it
 * (the bar is decoration; the number carries the meaning).
 */
export function MentorTable({ mentors, stepCount }: Props) {
  const { t, i18n } = useTranslation("lead");
  const steps = Array.from({ length: stepCount + 1 }, (_, i) => i); // 0 = not started
  const sorted = [...mentors].sort((a, b) => a.display_name.localeCompare(b.display_name, i18n.language));
  const largest = Math.max(1, ...mentors.flatMap((m) => steps.map((s) => countAt(m, s))));
  const stepLabel = (step: number) => (step === 0 ? t("table.notStarted") : t("common:staircase.stepN", { step }));
  const total = (step: number) => mentors.reduce((sum, m) => sum + countAt(m, step), 0);

  return (
    <div className="table-wrap" role="region" aria-labelledby="lead-mentors-caption" tabIndex={0}>
      <table className="lead-mentors">
        <caption id="lead-mentors-caption">{t("table.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("table.mentor")}</th>
            <th scope="col">{t("table.role")}</th>
            <th scope="col" className="num">
              {t("table.open")}
            </th>
            {steps.map((step) => (
              <th key={step} scope="col" className="num">
                {stepLabel(step)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((mentor) => (
            <tr key={mentor.mentor_id}>
              <th scope="row">
                {mentor.display_name}
                {!mentor.is_active && (
                  <>
                    {" "}
                    <span className="badge badge--warn">{t("table.inactive")}</span>
                  </>
                )}
              </th>
              <td>{t(`common:roles.${mentor.role}`, { defaultValue: mentor.role })}</td>
              <td className="num" data-testid="open">
                {mentor.open_enrolments}
              </td>
              {steps.map((step) => {
                const count = countAt(mentor, step);
                return (
                  <td key={step} className="num lead-step">
                    <span className="lead-step__number">{count}</span>
                    <span className="lead-step__track" aria-hidden="true">
                      <span className="lead-step__bar" style={{ width: `${(count / largest) * 100}%` }} />
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("table.total")}</th>
            <td />
            <td className="num">{mentors.reduce((sum, m) => sum + m.open_enrolments, 0)}</td>
            {steps.map((step) => (
              <td key={step} className="num">
                {total(step)}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
