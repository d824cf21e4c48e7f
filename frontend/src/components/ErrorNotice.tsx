import { useTranslation } from "react-i18next";
import { isApiError } from "../api/client";

/** The words for an API failure: 403 says "not permitted" (the session stays), 404 "not found". */
export function errorText(error: unknown, t: (key: string) => string): { title: string; body: string } {
  if (isApiError(error)) {
    switch (error.status) {
      case 403:
        return { title: t("errors.notPermittedTitle"), body: t("errors.notPermitted") };
      case 404:
        return { title: t("errors.notFoundTitle"), body: t("errors.notFound") };
      case 409:
      case 412:
      case 428:
        return { title: t("errors.title"), body: error.message || t("errors.conflict") };
      case 429:
        return { title: t("errors.title"), body: t("errors.tooMany") };
      default:
        if (error.status >= 500) return { title: t("errors.title"), body: t("errors.server") };
        return { title: t("errors.title"), body: error.message || t("errors.invalid") };
    }
  }
  if (error instanceof TypeError) return { title: t("errors.title"), body: t("errors.network") };
  return { title: t("errors.title"), body: t("errors.server") };
}

type Props = { error: unknown; onRetry?: () => void };

/** A failed load or action, announced to screen readers. */
export function ErrorNotice({ error, onRetry }: Props) {
  const { t } = useTranslation();
  const { title, body } = errorText(error, t);
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{title}</p>
      <p>{body}</p>
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          {t("retry")}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status" aria-live="polite">
      {label ?? t("loading")}
    </p>
  );
}
