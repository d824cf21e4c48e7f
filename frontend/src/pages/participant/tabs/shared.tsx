// Small helpers the participant page's tabs share: language, the form error summary,
// "no enrolment" and conflict notices, code lists, radio groups (dates: lib/dates; the
// server's field errors: api/fieldErrors).
import { type QueryClient, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, isApiError, type Schemas, unwrap } from "../../../api/client";
import { ErrorNotice } from "../../../components/ErrorNotice";

export const NS = "journey";

export type Lang = "sv" | "en";

/** The interface language, for choosing between the API's `*_sv` and `*_en` texts. */
export function useLang(): Lang {
  const { i18n } = useTranslation();
  return i18n.language === "en" ? "en" : "sv";
}

export function isConflict(error: unknown): boolean {
  return isApiError(error, 409) || isApiError(error, 412) || isApiError(error, 428);
}

/** After any write: the mentor's task list may have changed too. */
export function invalidateTasks(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: ["tasks"] });
}

export type SummaryItem = { fieldId: string; label: string; message: string };

/**
 * A failed submit: a short summary with role="alert" linking to each field in error, and the
 * server's own message (conflicts get a reload button: nothing is overwritten).
 */
export function FormErrorSummary({
  items,
  error,
  onReload,
}: {
  items: SummaryItem[];
  error?: unknown;
  onReload?: () => void;
}) {
  const { t } = useTranslation(NS);
  if (items.length === 0 && !error) return null;
  return (
    <div className="journey-form-errors">
      {error ? <ErrorNotice error={error} /> : null}
      {error && isConflict(error) && onReload ? (
        <p>
          <button type="button" className="button button--secondary" onClick={onReload}>
            {t("common:reload")}
          </button>
        </p>
      ) : null}
      {items.length > 0 && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">{t("common:errors.formSummary", { count: items.length })}</p>
          <ul>
            {items.map((item) => (
              <li key={item.fieldId}>
                <a
                  href={`#${item.fieldId}`}
                  onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(item.fieldId)?.focus();
                  }}
                >
                  {item.label}: {item.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** Said in words when the participant has no enrolment the tab's content belongs to. */
export function NoEnrolment({ what }: { what: string }) {
  const { t } = useTranslation(NS);
  return (
    <p className="notice notice--info">
      {t("noEnrolment", { what })}
    </p>
  );
}

/** A notice that a write went through, announced politely. */
export function Saved({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice--ok" role="status">
      {children}
    </p>
  );
}

/** A code list in its current version (raw, as the API answers it). */
export function useCodeList(name: Schemas["CodeListName"]) {
  return useQuery({
    queryKey: ["code-lists", name],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/code-lists/{list_name}", { params: { path: { list_name: name } } })),
    staleTime: 10 * 60_000,
  });
}

/** The entries valid on `on`, in their sort order. */
export function validEntries(list: Schemas["CodeListRead"] | undefined, on: string): Schemas["CodeEntryRead"][] {
  if (!list) return [];
  return list.entries
    .filter((e) => (!e.valid_from || e.valid_from <= on) && (!e.valid_to || e.valid_to >= on))
    .sort((a, b) => a.sort_order - b.sort_order);
}

/** A code's label in the interface language, or the code itself when the list lacks it. */
export function codeLabel(list: Schemas["CodeListRead"] | undefined, code: string | null | undefined, lang: Lang): string {
  if (!code) return "";
  const entry = list?.entries.find((e) => e.code === code);
  return entry ? (lang === "en" ? entry.label_en : entry.label_sv) : code;
}

type Option<T extends string> = { value: T; label: string };

/**
 * A required-or-not choice as native radios in a fieldset (legend = the question), with its
 * error tied to the group and to each radio. `id` is the first radio's id (for error links).
 */
export function RadioGroup<T extends string>({
  id,
  legend,
  options,
  value,
  onChange,
  error,
  required,
  hint,
}: {
  id: string;
  legend: string;
  options: Option<T>[];
  value: T | "";
  onChange: (value: T) => void;
  error?: string | null;
  required?: boolean;
  hint?: string;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset className={error ? "journey-radios field--error" : "journey-radios"} aria-describedby={describedBy}>
      <legend>
        {legend}
        {required && <span aria-hidden="true"> *</span>}
      </legend>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {options.map((option, index) => (
        <label key={option.value} className="journey-choice">
          <input
            type="radio"
            id={index === 0 ? id : `${id}-${option.value}`}
            name={id}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            aria-invalid={error ? true : undefined}
            required={required}
          />{" "}
          {option.label}
        </label>
      ))}
      {error && (
        <p id={errorId} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
