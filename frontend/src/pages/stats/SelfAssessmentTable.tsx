import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { CountTd, ShareTd, SuppressedMark, SuppressionNote, useFormat } from "./cells";

type Props = {
  data: Schemas["SelfAssessmentStatisticsRead"] | undefined;
  pending: boolean;
  error: unknown;
  onRetry: () => void;
};

/** Self-assessment change per item: improved, unchanged, worsened and the net effect. */
export function SelfAssessmentTable({ data, pending, error, onRetry }: Props) {
  const { t } = useTranslation("stats");
  const format = useFormat();
  const below = data?.suppressed_below;
  const anySuppressed =
    data?.items.some((item) => item.overall.n.suppressed || item.overall.net_effect.suppressed || item.overall.medians_suppressed) ?? false;
  const median = (value: number | null | undefined) => (value === null || value === undefined ? "–" : format.decimal(value));

  return (
    <section aria-labelledby="stats-self-heading" className="card">
      <h2 id="stats-self-heading">{t("self.heading")}</h2>
      <p className="muted">{t("self.explain")}</p>
      {pending && <Loading />}
      {error !== null && error !== undefined && <ErrorNotice error={error} onRetry={onRetry} />}
      {data && data.items.length === 0 && <p>{t("self.none")}</p>}
      {data && data.items.length > 0 && (
        <>
          <div className="table-wrap" role="region" aria-labelledby="stats-self-caption" tabIndex={0}>
            <table aria-describedby={anySuppressed ? "stats-self-note" : undefined}>
              <caption id="stats-self-caption">{t("self.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("self.item")}</th>
                  <th scope="col" className="num">{t("self.n")}</th>
                  <th scope="col" className="num">{t("self.improved")}</th>
                  <th scope="col" className="num">{t("self.unchanged")}</th>
                  <th scope="col" className="num">{t("self.worsened")}</th>
                  <th scope="col" className="num">{t("self.netEffect")}</th>
                  <th scope="col" className="num">{t("self.medians")}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.item}>
                    <th scope="row">{t(`self.items.${item.item}`, { defaultValue: item.label_sv })}</th>
                    <CountTd cell={item.overall.n} />
                    <ShareTd cell={item.overall.improved.share} />
                    <ShareTd cell={item.overall.unchanged.share} />
                    <ShareTd cell={item.overall.worsened.share} />
                    <ShareTd cell={item.overall.net_effect} signed />
                    {item.overall.medians_suppressed ? (
                      // The API hides the medians exactly when they rest on fewer than 5 people.
                      <td className="num suppressed" data-suppression="small">
                        <SuppressedMark kind="small" />
                      </td>
                    ) : (
                      <td className="num">
                        {t("self.medianChange", {
                          first: median(item.overall.median_first),
                          latest: median(item.overall.median_latest),
                        })}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {anySuppressed && <SuppressionNote id="stats-self-note" below={below} />}
        </>
      )}
    </section>
  );
}
