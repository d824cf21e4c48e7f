import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas, unwrap } from "../../../api/client";
import { ErrorNotice, Loading } from "../../../components/ErrorNotice";
import { formatDate } from "../../../lib/dates";
import { type Lang, NS, useLang } from "./shared";

// recharts is only fetched when a change chart is drawn, never in the first bundle.
const ChangeChart = lazy(() => import("./ChangeChart"));

export type ChangeRow = {
  key: string;
  label: string;
  first: number | null;
  latest: number | null;
  difference: number | null;
  direction: Schemas["Direction"] | null;
};

export function changeRows(
  change: Schemas["AssessmentChangeRead"],
  lang: Lang,
  shortLabel: (key: string, fallback: string) => string,
): ChangeRow[] {
  return change.items.map((item) => {
    const difference =
      item.difference ?? (item.first != null && item.latest != null && change.readings.length > 1 ? item.latest - item.first : null);
    const direction =
      item.direction ?? (difference == null ? null : difference > 0 ? "improved" : difference < 0 ? "worsened" : "unchanged");
    return {
      key: item.key,
      label: shortLabel(item.key, lang === "en" ? item.text_en : item.text_sv),
      first: item.first,
      latest: item.latest,
      difference,
      direction,
    };
  });
}

export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

/**
 * First vs latest reading per item: a grouped bar chart (lazily loaded) with the same numbers in a
 * table beside it, and the change said in words.
 */
export function AssessmentChange({ enrolmentId }: { enrolmentId: number }) {
  const { t } = useTranslation(NS);
  const lang = useLang();
  const change = useQuery({
    queryKey: ["enrolment", enrolmentId, "assessment-change"],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/enrolments/{enrolment_id}/assessments/change", {
          params: { path: { enrolment_id: enrolmentId } },
        }),
      ),
  });

  const heading = (
    <h3 id="journey-change-heading">{t("change.heading")}</h3>
  );
  if (change.isPending) return <section aria-labelledby="journey-change-heading">{heading}<Loading /></section>;
  if (change.isError) {
    return (
      <section aria-labelledby="journey-change-heading">
        {heading}
        <ErrorNotice error={change.error} onRetry={() => void change.refetch()} />
      </section>
    );
  }
  const { readings } = change.data;
  if (readings.length < 2) {
    return (
      <section aria-labelledby="journey-change-heading">
        {heading}
        <p className="notice notice--info">{t("change.needTwo", { count: readings.length })}</p>
      </section>
    );
  }

  const rows = changeRows(change.data, lang, (key, fallback) => t(`items.${key}`, { defaultValue: fallback }));
  const first = readings[0]!;
  const latest = readings[readings.length - 1]!;
  const count = (direction: Schemas["Direction"]) => rows.filter((r) => r.direction === direction).length;
  const occasionWord = (occasion: string) =>
    t(`occasions.${occasion}`, { defaultValue: occasion.replace(/^after_step_(\d+)$/, (_m, n: string) => t("occasions.afterStep", { step: n })) });
  const span = t("change.span", {
    first: `${occasionWord(first.occasion)} ${formatDate(first.answered_on, lang)}`,
    latest: `${occasionWord(latest.occasion)} ${formatDate(latest.answered_on, lang)}`,
  });
  const summary = t("change.summary", {
    items: rows.length,
    improved: count("improved"),
    unchanged: count("unchanged"),
    worsened: count("worsened"),
  });

  return (
    <section aria-labelledby="journey-change-heading">
      {heading}
      <p>{span}</p>
      <div className="journey-change">
        <div className="journey-change__chart">
          <Suspense fallback={<Loading label={t("change.loadingChart")} />}>
            <ChangeChart
              rows={rows}
              title={t("change.chartTitle")}
              desc={`${span} ${summary} ${t("change.seeTable")}`}
              firstLabel={t("change.first")}
              latestLabel={t("change.latest")}
            />
          </Suspense>
        </div>
        <div className="table-wrap journey-change__table">
          <table>
            <caption>{t("change.tableCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("assessment.item")}</th>
                <th scope="col" className="num">{t("change.first")}</th>
                <th scope="col" className="num">{t("change.latest")}</th>
                <th scope="col" className="num">{t("change.difference")}</th>
                <th scope="col">{t("change.direction")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  <td className="num">{row.first ?? "–"}</td>
                  <td className="num">{row.latest ?? "–"}</td>
                  <td className="num">{row.difference == null ? "–" : signed(row.difference)}</td>
                  <td>{row.direction ? t(`change.directions.${row.direction}`) : t("change.noPair")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <p className="muted">{summary}</p>
    </section>
  );
}
