import { useTranslation } from "react-i18next";

type Props = {
  /** Current step (1-based); 0 or null when the enrolment has not started. */
  step: number | null | undefined;
  stepCount: number;
  /** Step names, index 0 = step 1; drawn under each step in the large version. */
  stepNames?: string[];
  /** Highest step ever reached, drawn as "reached" even after a step back. */
  highestStep?: number | null;
  size?: "small" | "large";
};

/**
 * The staircase: the participant's "visual picture of their progression". Drawn from the
 * programme's step count (no programme is assumed to have four steps). The small marker sits
 * in lists; the large one heads the participant page. Both carry the level in text for
 * screen readers, the picture itself is decorative.
 */
export function Staircase({ step, stepCount, stepNames, highestStep, size = "small" }: Props) {
  const { t } = useTranslation();
  const current = step ?? 0;
  const reached = Math.max(highestStep ?? 0, current);
  const label = current > 0 ? t("staircase.label", { step: current, count: stepCount }) : t("staircase.notStarted");
  const steps = Array.from({ length: stepCount }, (_, i) => i + 1);

  if (size === "small") {
    return (
      <span className="stairs stairs--small" role="img" aria-label={label}>
        {steps.map((n) => (
          <span
            key={n}
            className={`stairs__step${n <= current ? " stairs__step--on" : ""}${n === current ? " stairs__step--current" : ""}`}
            style={{ height: `${(n / stepCount) * 100}%` }}
          />
        ))}
      </span>
    );
  }

  return (
    <figure className="stairs stairs--large">
      <figcaption className="visually-hidden">{label}</figcaption>
      <ol className="stairs__list">
        {steps.map((n) => {
          const state = n === current ? "current" : n <= reached ? "reached" : "ahead";
          return (
            <li
              key={n}
              className={`stairs__item stairs__item--${state}`}
              style={{ ["--stair" as string]: n, ["--stairs" as string]: stepCount }}
              aria-current={n === current ? "step" : undefined}
            >
              <span className="stairs__number">{t("staircase.stepN", { step: n })}</span>
              {stepNames?.[n - 1] && <span className="stairs__name">{stepNames[n - 1]}</span>}
              <span className="visually-hidden">
                {n === current ? t("staircase.current") : n <= reached ? t("staircase.reached") : t("staircase.notReached")}
              </span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
