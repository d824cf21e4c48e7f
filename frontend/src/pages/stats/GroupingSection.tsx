import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, LabelList, ReferenceLine, XAxis, YAxis } from "recharts";
import type { Schemas } from "../../api/client";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { dateLocale } from "../../lib/dates";
import { CountTd, ShareTd, SuppressionNote, useFormat } from "./cells";
import type { Grouping } from "./filters";
import { groupLabel, sortGroups } from "./labels";

type Outcomes = Schemas["OutcomeStatisticsRead"];
type CodeEntry = Schemas["CodeEntryRead"];
type ShareCell = Schemas["ShareCell"];

export const GOAL_COLOUR = "#0b5a8a";
export const LEVEL3_COLOUR = "#8a4b00";

/** The programme's target for an indicator, as a share (0..1), from the response. */
export function targetOf(data: Outcomes | undefined, indicator: string): number | null {
  const target = data?.targets.find((t) => t.indicator === indicator)?.target;
  return typeof target === "number" ? target : null;
}

type Props = {
  grouping: Grouping;
  data: Outcomes | undefined;
  error: unknown;
  pending: boolean;
  onRetry: () => void;
  referrerTypes: CodeEntry[];
};

type Row = {
  label: string;
  goal: number | null;
  level3: number | null;
  goalCell: ShareCell;
  level3Cell: ShareCell;
};

const asPercent = (cell: ShareCell) => (cell.suppressed || cell.value === null ? null : Math.round(cell.value * 1000) / 10);

/**
 * One grouping (legal sex, municipality, referrer type or time in programme): a grouped bar
 * chart of the goal-reached and reached-Level-3 shares against the programme's targets, and
 * beside it a table with the numbers. A suppressed share draws no bar and is named in a note.
 */
export function GroupingSection({ grouping, data, error, pending, onRetry, referrerTypes }: Props) {
  const { t, i18n } = useTranslation("stats");
  const format = useFormat();
  const headingId = useId();
  const noteId = useId();
  const chartNoteId = useId();
  const hatchId = `stats-hatch-${headingId.replace(/[^A-Za-z0-9_-]/g, "")}`;
  const title = t(`grouping.${grouping}`);

  const municipalities = data?.municipalities ?? [];
  const groups = data ? sortGroups(grouping, data.groups, referrerTypes, municipalities) : [];
  const label = (value: string | number | null | undefined) =>
    groupLabel(grouping, value, t, i18n.language, referrerTypes, municipalities);
  const rows: Row[] = groups.map((g) => ({
    label: label(g.key[grouping]),
    goal: asPercent(g.figures.goal_reached.share),
    level3: asPercent(g.figures.reached_level_3.share),
    goalCell: g.figures.goal_reached.share,
    level3Cell: g.figures.reached_level_3.share,
  }));
  const goalTarget = targetOf(data, "goal_reached_share");
  const level3Target = targetOf(data, "reached_level_3_share");
  const below = data?.suppressed_below;

  const missing = rows.flatMap((row) => {
    const hidden: string[] = [];
    if (row.goalCell.suppressed) hidden.push(t("chart.seriesGoal"));
    if (row.level3Cell.suppressed) hidden.push(t("chart.seriesLevel3"));
    return hidden.length ? [`${row.label}: ${hidden.join(", ")}`] : [];
  });
  const empty = rows.flatMap((row) =>
    (!row.goalCell.suppressed && row.goalCell.value === null) || (!row.level3Cell.suppressed && row.level3Cell.value === null)
      ? [row.label]
      : [],
  );
  const anySuppressed = groups.some((g) =>
    [g.figures.exited, g.figures.goal_reached.count, g.figures.goal_reached_work.count, g.figures.goal_reached_studies.count, g.figures.reached_level_3.count].some(
      (c) => c.suppressed,
    ),
  ) || missing.length > 0;

  const targetsText = [
    goalTarget !== null ? t("chart.goalTarget", { target: format.percent(goalTarget) }) : null,
    level3Target !== null ? t("chart.level3Target", { target: format.percent(level3Target) }) : null,
  ]
    .filter(Boolean)
    .join(" ");
  const chartAlt = t("chart.alt", { grouping: title.toLowerCase(), targets: targetsText });
  const tableCaption = t("table.caption", { grouping: title.toLowerCase() });
  const totalRow = data?.total;
  const chartHeight = Math.max(160, 48 + rows.length * 58);

  return (
    <section aria-labelledby={headingId} className="card stats-grouping" data-grouping={grouping}>
      <h2 id={headingId}>{title}</h2>
      {pending && <Loading />}
      {error !== null && error !== undefined && <ErrorNotice error={error} onRetry={onRetry} />}
      {data && rows.length === 0 && <p>{t("noExits")}</p>}
      {data && rows.length > 0 && (
        <div className="stats-grouping__body">
          <figure className="stats-chart">
            <div className="stats-chart__canvas" style={{ height: chartHeight }} role="img" aria-label={chartAlt} aria-describedby={chartNoteId}>
              <BarChart
                responsive
                layout="vertical"
                style={{ width: "100%", height: chartHeight }}
                data={rows}
                accessibilityLayer={false}
                margin={{ top: 8, right: 56, bottom: 8, left: 8 }}
                barCategoryGap="22%"
                barGap={3}
              >
                <defs>
                  <pattern id={hatchId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="6" height="6" fill="#f6e7d6" />
                    <line x1="0" y1="0" x2="0" y2="6" stroke={LEVEL3_COLOUR} strokeWidth="3" />
                  </pattern>
                </defs>
                <CartesianGrid horizontal={false} stroke="#d5dbe1" />
                <XAxis
                  type="number"
                  domain={[0, 100]}
                  ticks={[0, 25, 50, 75, 100]}
                  tickFormatter={(v: number) => `${v} %`}
                  tick={{ fill: "#1b1f24", fontSize: 12 }}
                />
                <YAxis type="category" dataKey="label" width={150} tick={{ fill: "#1b1f24", fontSize: 13 }} interval={0} />
                <Bar dataKey="goal" name={t("chart.seriesGoal")} fill={GOAL_COLOUR} isAnimationActive={false}>
                  <LabelList dataKey="goal" position="right" fill="#1b1f24" fontSize={12} formatter={barLabel} />
                </Bar>
                <Bar
                  dataKey="level3"
                  name={t("chart.seriesLevel3")}
                  fill={`url(#${hatchId})`}
                  stroke={LEVEL3_COLOUR}
                  strokeWidth={1.5}
                  isAnimationActive={false}
                >
                  <LabelList dataKey="level3" position="right" fill="#1b1f24" fontSize={12} formatter={barLabel} />
                </Bar>
                {goalTarget !== null && (
                  <ReferenceLine x={goalTarget * 100} stroke={GOAL_COLOUR} strokeWidth={2} strokeDasharray="8 4" ifOverflow="extendDomain" />
                )}
                {level3Target !== null && (
                  <ReferenceLine x={level3Target * 100} stroke={LEVEL3_COLOUR} strokeWidth={2} strokeDasharray="2 3" ifOverflow="extendDomain" />
                )}
              </BarChart>
            </div>
            <figcaption>
              <ul className="stats-legend">
                <li>
                  <span className="stats-swatch stats-swatch--goal" aria-hidden="true" />
                  {t("chart.seriesGoal")}
                </li>
                <li>
                  <span className="stats-swatch stats-swatch--level3" aria-hidden="true" />
                  {t("chart.seriesLevel3")}
                </li>
                {goalTarget !== null && (
                  <li>
                    <span className="stats-line stats-line--goal" aria-hidden="true" />
                    {t("chart.goalTargetLegend", { target: format.percent(goalTarget) })}
                  </li>
                )}
                {level3Target !== null && (
                  <li>
                    <span className="stats-line stats-line--level3" aria-hidden="true" />
                    {t("chart.level3TargetLegend", { target: format.percent(level3Target) })}
                  </li>
                )}
              </ul>
              <div id={chartNoteId}>
                {missing.length > 0 && (
                  <p className="stats-note stats-note--suppressed">
                    {t("chart.suppressedNote", { below: below ?? 5 })} {missing.join("; ")}.
                  </p>
                )}
                {empty.length > 0 && (
                  <p className="stats-note">
                    {t("chart.emptyNote")} {empty.join(", ")}.
                  </p>
                )}
              </div>
            </figcaption>
          </figure>

          <div className="stats-grouping__table">
            <div className="table-wrap" role="region" aria-label={tableCaption} tabIndex={0}>
              <table aria-describedby={anySuppressed ? noteId : undefined}>
                <caption>{tableCaption}</caption>
                <colgroup span={2} />
                <colgroup span={4} />
                <colgroup span={2} />
                <thead>
                  <tr>
                    <th scope="col" rowSpan={2}>{title}</th>
                    <th scope="col" rowSpan={2} className="num">{t("table.exited")}</th>
                    <th scope="colgroup" colSpan={4} className="stats-colgroup">{t("table.goalReached")}</th>
                    <th scope="colgroup" colSpan={2} className="stats-colgroup">{t("table.level3")}</th>
                  </tr>
                  <tr>
                    <th scope="col" className="num">{t("table.count")}</th>
                    <th scope="col" className="num">{t("table.work")}</th>
                    <th scope="col" className="num">{t("table.studies")}</th>
                    <th scope="col" className="num">{t("table.share")}</th>
                    <th scope="col" className="num">{t("table.count")}</th>
                    <th scope="col" className="num">{t("table.share")}</th>
                  </tr>
                </thead>
                <tbody>
                  {groups.map((g, index) => (
                    <tr key={JSON.stringify(g.key)}>
                      <th scope="row">{rows[index]?.label}</th>
                      <CountTd cell={g.figures.exited} />
                      <CountTd cell={g.figures.goal_reached.count} />
                      <CountTd cell={g.figures.goal_reached_work.count} />
                      <CountTd cell={g.figures.goal_reached_studies.count} />
                      <ShareTd cell={g.figures.goal_reached.share} />
                      <CountTd cell={g.figures.reached_level_3.count} />
                      <ShareTd cell={g.figures.reached_level_3.share} />
                    </tr>
                  ))}
                </tbody>
                {totalRow && (
                  <tfoot>
                    <tr>
                      <th scope="row">{t("table.all")}</th>
                      <CountTd cell={totalRow.exited} />
                      <CountTd cell={totalRow.goal_reached.count} />
                      <CountTd cell={totalRow.goal_reached_work.count} />
                      <CountTd cell={totalRow.goal_reached_studies.count} />
                      <ShareTd cell={totalRow.goal_reached.share} />
                      <CountTd cell={totalRow.reached_level_3.count} />
                      <ShareTd cell={totalRow.reached_level_3.share} />
                    </tr>
                  </tfoot>
                )}
              </table>
            </div>
            {anySuppressed && <SuppressionNote id={noteId} below={below} />}
          </div>
        </div>
      )}
    </section>
  );
}

function barLabel(value: unknown): string {
  return typeof value === "number" ? `${value.toLocaleString(dateLocale(document.documentElement.lang))} %` : "";
}
