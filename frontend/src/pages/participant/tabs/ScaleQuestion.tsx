import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../api/client";
import { type Lang, NS } from "./shared";

type Props = {
  /** Prefix for the radios' name and ids; unique in the page. */
  name: string;
  item: Schemas["ItemRead"];
  lang: Lang;
  min: number;
  max: number;
  value: number | undefined;
  onChange: (value: number) => void;
  error?: string | null;
  required?: boolean;
};

/** The id of a scale's first radio, for error summaries that move focus to the question. */
export function scaleFirstId(name: string, min = 1): string {
  return `${name}-${min}`;
}

/**
 * One questionnaire item as a native radio group: a fieldset whose legend is the question, the
 * two labelled ends tied to the group (and to the end radios) with aria-describedby, and one
 * radio per score. Native radios give the keyboard pattern for free: Tab into the group, arrow
 * keys choose.
 */
export function ScaleQuestion({ name, item, lang, min, max, value, onChange, error, required }: Props) {
  const { t } = useTranslation(NS);
  const text = lang === "en" ? item.text_en : item.text_sv;
  const low = lang === "en" ? item.low_label_en : item.low_label_sv;
  const high = lang === "en" ? item.high_label_en : item.high_label_sv;
  const lowId = `${name}-low`;
  const highId = `${name}-high`;
  const errorId = `${name}-error`;
  const scores = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const describedBy = [lowId, highId, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <fieldset
      className={error ? "journey-scale journey-scale--error" : "journey-scale"}
      aria-describedby={describedBy}
    >
      <legend>
        {text}
        {required && <span aria-hidden="true"> *</span>}
      </legend>
      <p className="journey-scale__ends">
        <span id={lowId}>{t("assessment.scaleEnd", { score: min, label: low })}</span>
        <span id={highId}>{t("assessment.scaleEnd", { score: max, label: high })}</span>
      </p>
      <div className="journey-scale__options">
        {scores.map((score) => (
          <label key={score} className="journey-scale__option">
            <input
              type="radio"
              id={`${name}-${score}`}
              name={name}
              value={score}
              checked={value === score}
              onChange={() => onChange(score)}
              aria-describedby={score === min ? lowId : score === max ? highId : undefined}
              aria-invalid={error ? true : undefined}
              required={required}
            />
            <span>{score}</span>
          </label>
        ))}
      </div>
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
