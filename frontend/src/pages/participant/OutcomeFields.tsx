import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { Field } from "../../components/Field";
import { formatDate } from "../../lib/dates";
import type { OutcomeValues } from "./actions";

type Props = {
  values: OutcomeValues;
  onChange: (values: OutcomeValues) => void;
  /** Problems keyed "outcome.kind", "outcome.starts_on" … (already in words). */
  errors: Record<string, string>;
  startedOn: string | null;
};

const STUDIES_KINDS: Schemas["StudiesKind"][] = ["komvux", "folkhogskola", "university", "other"];

/**
 * The Level 4 outcome (DOMAIN.md §4 rule 4): work (subsidised or not, extent %) or studies
 * (kind), with the date it starts. Only the questions that belong to the chosen kind show.
 */
export function OutcomeFields({ values, onChange, errors, startedOn }: Props) {
  const { t, i18n } = useTranslation("participant");
  const set = (patch: Partial<OutcomeValues>) => onChange({ ...values, ...patch });
  return (
    <fieldset className="participant-outcome">
      <legend>{t("outcome.legend")}</legend>
      <div className="form">
        <Field label={t("fields.outcome.kind")} error={errors["outcome.kind"]} required>
          <select
            name="outcome.kind"
            value={values.kind}
            onChange={(e) => {
              const kind = e.target.value as OutcomeValues["kind"];
              // Answers that belong to the other kind are dropped, so they are never sent.
              set(
                kind === "work"
                  ? { kind, studies_kind: "" }
                  : kind === "studies"
                    ? { kind, subsidised: "", extent_percent: "" }
                    : { kind },
              );
            }}
          >
            <option value="">{t("form.choose")}</option>
            <option value="work">{t("outcome.kinds.work")}</option>
            <option value="studies">{t("outcome.kinds.studies")}</option>
          </select>
        </Field>
        <Field
          label={t("fields.outcome.starts_on")}
          hint={startedOn ? t("outcome.startsOnHint", { date: formatDate(startedOn, i18n.language) }) : undefined}
          error={errors["outcome.starts_on"]}
          required
        >
          <input
            type="date"
            name="outcome.starts_on"
            value={values.starts_on}
            min={startedOn ?? undefined}
            onChange={(e) => set({ starts_on: e.target.value })}
          />
        </Field>
        {values.kind === "work" && (
          <>
            <Field label={t("fields.outcome.subsidised")} error={errors["outcome.subsidised"]} required>
              <select
                name="outcome.subsidised"
                value={values.subsidised}
                onChange={(e) => set({ subsidised: e.target.value as OutcomeValues["subsidised"] })}
              >
                <option value="">{t("form.choose")}</option>
                <option value="yes">{t("outcome.subsidisedYes")}</option>
                <option value="no">{t("outcome.subsidisedNo")}</option>
              </select>
            </Field>
            <Field
              label={t("fields.outcome.extent_percent")}
              hint={t("outcome.extentHint")}
              error={errors["outcome.extent_percent"]}
              required
            >
              <input
                type="text"
                inputMode="numeric"
                name="outcome.extent_percent"
                className="participant-outcome__extent"
                value={values.extent_percent}
                onChange={(e) => set({ extent_percent: e.target.value })}
              />
            </Field>
          </>
        )}
        {values.kind === "studies" && (
          <Field label={t("fields.outcome.studies_kind")} error={errors["outcome.studies_kind"]} required>
            <select
              name="outcome.studies_kind"
              value={values.studies_kind}
              onChange={(e) => set({ studies_kind: e.target.value as OutcomeValues["studies_kind"] })}
            >
              <option value="">{t("form.choose")}</option>
              {STUDIES_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`outcome.studiesKinds.${k}`)}
                </option>
              ))}
            </select>
          </Field>
        )}
      </div>
    </fieldset>
  );
}
