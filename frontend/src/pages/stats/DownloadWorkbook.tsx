import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, toApiError } from "../../api/client";
import { ErrorNotice } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { apiQuery, GROUPINGS, type Grouping, type StatsFilter } from "./filters";

/** The file name the server suggests (Content-Disposition), or a sensible one of our own. */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  const match = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : fallback;
}

/** Hand a downloaded file to the browser through a short-lived blob URL. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The same tables as an Excel workbook. The file needs the bearer token, so it is fetched with
 * the API client and saved from a blob URL (a plain link could not authenticate).
 */
export function DownloadWorkbook({ filter }: { filter: StatsFilter }) {
  const { t } = useTranslation("stats");
  const [grouping, setGrouping] = useState<Grouping>("legal_sex");
  const [saved, setSaved] = useState<string | null>(null);

  const download = useMutation({
    mutationFn: async () => {
      const result = await api.GET("/api/v1/stats/outcomes.xlsx", {
        params: { query: { ...apiQuery(filter), group_by: [grouping] } },
        parseAs: "blob",
      });
      if (!result.response.ok || !result.data) {
        throw toApiError(result.response.status, result.error);
      }
      const name = fileNameFrom(result.response.headers.get("content-disposition"), `levelup-utfall-${filter.programme}.xlsx`);
      saveBlob(result.data, name);
      return name;
    },
    onSuccess: (name) => setSaved(name),
    onMutate: () => setSaved(null),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    download.mutate();
  };

  return (
    <section aria-labelledby="stats-download-heading" className="card">
      <h2 id="stats-download-heading">{t("download.heading")}</h2>
      <p className="muted">{t("download.explain")}</p>
      <form className="stats-download" noValidate onSubmit={onSubmit} aria-labelledby="stats-download-heading">
        <Field label={t("download.groupBy")}>
          <select value={grouping} onChange={(e) => setGrouping(e.target.value as Grouping)}>
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`grouping.${g}`)}
              </option>
            ))}
          </select>
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={download.isPending}>
            {download.isPending ? t("download.working") : t("download.button")}
          </button>
        </div>
      </form>
      <div role="status">{saved && <p className="notice notice--ok">{t("download.done", { name: saved })}</p>}</div>
      {download.isError && <ErrorNotice error={download.error} onRetry={() => download.mutate()} />}
    </section>
  );
}
