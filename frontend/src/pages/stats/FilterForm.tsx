import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { Field } from "../../components/Field";
import { DEFAULT_PROGRAMME, type FilterErrors, lastFullYear, type StatsFilter, validateFilter } from "./filters";

type Props = {
  applied: StatsFilter;
  /** Problems with the filter in the address (someone typed or shared a bad one). */
  appliedErrors: FilterErrors;
  programmes: Schemas["ProgrammeRead"][];
  referrerTypes: Schemas["CodeEntryRead"][];
  /** The municipalities in the caller's statistics scope, by name (from the response). */
  municipalities: Schemas["MunicipalityName"][];
  onApply: (filter: StatsFilter) => void;
};

/**
 * Programme, exit period, municipality and referrer type. Nothing is asked of the API until the
 * filter is valid: an end before the start is explained at the end-date field instead. Someone
 * whose scope is one municipality (a lead mentor) sees it named, not a choice.
 */
export function FilterForm({ applied, appliedErrors, programmes, referrerTypes, municipalities, onApply }: Props) {
  const { t, i18n } = useTranslation("stats");
  const [draft, setDraft] = useState<StatsFilter>(applied);
  const [errors, setErrors] = useState<FilterErrors>(appliedErrors);
  const [failed, setFailed] = useState(false);
  const set = (key: keyof StatsFilter) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [key]: event.target.value }));

  const submit = (next: StatsFilter) => {
    const found = validateFilter(next, t);
    setErrors(found);
    setFailed(Object.keys(found).length > 0);
    if (Object.keys(found).length === 0) onApply(next);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit(draft);
  };

  const programmeOptions = programmes.length
    ? programmes
    : [{ code: applied.programme, name_sv: applied.programme, name_en: applied.programme }];
  // Until the names have come, an id from the address still shows as the chosen option.
  const municipalityOptions =
    draft.municipality_id && !municipalities.some((m) => String(m.id) === draft.municipality_id)
      ? [...municipalities, { id: Number(draft.municipality_id), name: t("groups.municipality", { id: draft.municipality_id }) }]
      : municipalities;
  const onlyMunicipality = municipalities.length === 1 ? municipalities[0] : undefined;
  const year = lastFullYear();
  const errorCount = Object.keys(errors).length;

  return (
    <section aria-labelledby="stats-filter-heading" className="card">
      <h2 id="stats-filter-heading">{t("filters.heading")}</h2>
      {failed && errorCount > 0 && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">{t("common:errors.formSummary", { count: errorCount })}</p>
          <ul>
            {Object.values(errors).map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      )}
      <form className="stats-filters" noValidate onSubmit={onSubmit} aria-labelledby="stats-filter-heading">
        <div className="form-row">
          <Field label={t("filters.programme")}>
            <select value={draft.programme} onChange={set("programme")}>
              {programmeOptions.map((p) => (
                <option key={p.code} value={p.code}>
                  {i18n.language === "sv" ? p.name_sv : p.name_en}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("filters.exitFrom")} hint={t("filters.periodHint")} error={errors.exit_from}>
            <input type="date" value={draft.exit_from} onChange={set("exit_from")} />
          </Field>
          <Field label={t("filters.exitTo")} error={errors.exit_to}>
            <input type="date" value={draft.exit_to} min={draft.exit_from || undefined} onChange={set("exit_to")} />
          </Field>
          {onlyMunicipality ? (
            <div className="field stats-municipality">
              <span className="field__label">{t("filters.municipality")}</span>
              <p className="stats-municipality__name">{onlyMunicipality.name}</p>
            </div>
          ) : (
            <Field label={t("filters.municipality")} error={errors.municipality_id}>
              <select value={draft.municipality_id} onChange={set("municipality_id")}>
                <option value="">{t("filters.allMunicipalities")}</option>
                {municipalityOptions.map((m) => (
                  <option key={m.id} value={String(m.id)}>
                    {m.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field label={t("filters.referrerType")}>
            <select value={draft.referrer_type} onChange={set("referrer_type")}>
              <option value="">{t("filters.allReferrers")}</option>
              {referrerTypes.map((entry) => (
                <option key={entry.code} value={entry.code}>
                  {i18n.language === "sv" ? entry.label_sv : entry.label_en}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="button">
            {t("filters.apply")}
          </button>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              const next = { ...draft, ...year };
              setDraft(next);
              submit(next);
            }}
          >
            {t("filters.lastYear", { year: year.exit_from.slice(0, 4) })}
          </button>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              // All time: the period goes; municipality and referrer stay as chosen.
              const next = { ...draft, programme: draft.programme || DEFAULT_PROGRAMME, exit_from: "", exit_to: "" };
              setDraft(next);
              submit(next);
            }}
          >
            {t("filters.allTime")}
          </button>
        </div>
      </form>
    </section>
  );
}
