import { useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Page } from "../../components/Page";
import { formatDate } from "../../lib/dates";
import { CountTd, ShareTd, SuppressedBelow, SuppressedMark, SuppressionNote, suppressionOf, useFormat } from "./cells";
import { DownloadWorkbook } from "./DownloadWorkbook";
import { FilterForm } from "./FilterForm";
import { apiQuery, GROUPINGS, readFilter, type StatsFilter, validateFilter, writeFilter } from "./filters";
import { GroupingSection } from "./GroupingSection";
import { groupLabel } from "./labels";
import { SelfAssessmentTable } from "./SelfAssessmentTable";
import "./stats.css";

type Outcomes = Schemas["OutcomeStatisticsRead"];
type Municipality = Schemas["MunicipalityName"];

/**
 * The goal-fulfilment dashboard for association staff, evaluators, lead mentors and unit
 * managers: headline figures, fulfilment against the programme's targets, and goal reached /
 * reached Level 3 by legal sex, municipality, referrer type and time in programme, each as a
 * chart with the numbers in a table beside it. Cells the API suppresses stay marked as such.
 */
export default function GoalDashboard() {
  const { t } = useTranslation("stats");
  const { me, can } = useSession();
  const [params, setParams] = useSearchParams();
  const filter = readFilter(params);
  const filterErrors = validateFilter(filter, t);
  const permitted = can("stats:read");
  const ready = permitted && Object.keys(filterErrors).length === 0;
  const query = apiQuery(filter);

  const programmes = useQuery({
    queryKey: ["programmes"],
    enabled: permitted && can("programme:read"),
    staleTime: 10 * 60_000,
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
  });
  const referrerTypes = useQuery({
    queryKey: ["code-list", "referrer_type"],
    enabled: permitted && can("code_list:read"),
    staleTime: 10 * 60_000,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/code-lists/{list_name}", { params: { path: { list_name: "referrer_type" } } })),
  });
  const outcomes = useQueries({
    queries: GROUPINGS.map((grouping) => ({
      queryKey: ["stats", "outcomes", query, grouping],
      enabled: ready,
      queryFn: async (): Promise<Outcomes> =>
        unwrap(await api.GET("/api/v1/stats/outcomes", { params: { query: { ...query, group_by: [grouping] } } })),
    })),
  });
  const selfAssessment = useQuery({
    queryKey: ["stats", "self-assessment", query],
    enabled: ready,
    queryFn: async () => unwrap(await api.GET("/api/v1/stats/self-assessment", { params: { query } })),
  });
  // The municipalities in scope come with every outcome response; the last list is kept while
  // a new filter loads, so the municipality picker does not empty itself in between.
  const latestMunicipalities = outcomes.find((q) => q.data)?.data?.municipalities;
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  if (latestMunicipalities && latestMunicipalities !== municipalities) setMunicipalities(latestMunicipalities);

  if (!me) return <Loading />;
  if (!permitted) {
    return (
      <Page title={t("common:errors.notPermittedTitle")}>
        <p>{t("common:errors.notPermitted")}</p>
      </Page>
    );
  }

  const apply = (next: StatsFilter) => setParams(writeFilter(next));
  const codes = referrerTypes.data?.entries ?? [];
  const first = outcomes.find((q) => q.data)?.data;
  const headlineQuery = outcomes[0];

  return (
    <Page title={t("title")}>
      <p className="muted">{t("intro")}</p>
      <FilterForm
        key={params.toString()}
        applied={filter}
        appliedErrors={filterErrors}
        programmes={programmes.data ?? []}
        referrerTypes={codes}
        municipalities={municipalities}
        onApply={apply}
      />
      {ready && (
        <SuppressedBelow.Provider value={first?.suppressed_below ?? 5}>
          <AppliedFilter
            filter={filter}
            programmes={programmes.data ?? []}
            referrerTypes={codes}
            municipalities={municipalities}
            data={first}
          />
          <section aria-labelledby="stats-headline-heading" className="card">
            <h2 id="stats-headline-heading">{t("headline.heading")}</h2>
            {headlineQuery?.isPending && <Loading />}
            {headlineQuery?.isError && <ErrorNotice error={headlineQuery.error} onRetry={() => void headlineQuery.refetch()} />}
            {first && <Headline data={first} />}
          </section>
          {first && <Targets data={first} />}
          {GROUPINGS.map((grouping, index) => {
            const q = outcomes[index];
            return (
              <GroupingSection
                key={grouping}
                grouping={grouping}
                data={q?.data}
                pending={q?.isPending ?? false}
                error={q?.isError ? q.error : null}
                onRetry={() => void q?.refetch()}
                referrerTypes={codes}
              />
            );
          })}
          {first && <Composition data={first} referrerTypes={codes} />}
          <SelfAssessmentTable
            data={selfAssessment.data}
            pending={selfAssessment.isPending}
            error={selfAssessment.isError ? selfAssessment.error : null}
            onRetry={() => void selfAssessment.refetch()}
          />
          <DownloadWorkbook filter={filter} />
        </SuppressedBelow.Provider>
      )}
    </Page>
  );
}

function AppliedFilter({
  filter,
  programmes,
  referrerTypes,
  municipalities,
  data,
}: {
  filter: StatsFilter;
  programmes: Schemas["ProgrammeRead"][];
  referrerTypes: Schemas["CodeEntryRead"][];
  municipalities: Municipality[];
  data: Outcomes | undefined;
}) {
  const { t, i18n } = useTranslation("stats");
  const programme = programmes.find((p) => p.code === filter.programme);
  const programmeName = programme ? (i18n.language === "sv" ? programme.name_sv : programme.name_en) : filter.programme;
  const date = (iso: string) => formatDate(iso, i18n.language);
  const period =
    filter.exit_from && filter.exit_to
      ? t("applied.between", { from: date(filter.exit_from), to: date(filter.exit_to) })
      : filter.exit_from
        ? t("applied.from", { from: date(filter.exit_from) })
        : filter.exit_to
          ? t("applied.to", { to: date(filter.exit_to) })
          : t("applied.allTime");
  const municipality = filter.municipality_id
    ? t("applied.municipality", {
        municipality: groupLabel("municipality", filter.municipality_id, t, i18n.language, referrerTypes, municipalities),
      })
    : "";
  const referrer = filter.referrer_type
    ? t("applied.referrer", { referrer: groupLabel("referrer_type", filter.referrer_type, t, i18n.language, referrerTypes) })
    : "";
  return (
    <div className="stats-applied">
      <p role="status">
        {t("applied.showing", { programme: programmeName, period })}
        {municipality && ` ${municipality}`}
        {referrer && ` ${referrer}`}
      </p>
      {data && (
        <p className="muted">
          {data.suppressed_below !== null ? t("applied.suppressed", { below: data.suppressed_below }) : t("applied.exact")}
        </p>
      )}
    </div>
  );
}

type AnyCell = Schemas["CountCell"] | Schemas["ShareCell"];

/** One headline figure: the number, or its suppression mark ("< 5" / "dold"). */
function Figure({ label, cell, text }: { label: string; cell: AnyCell; text: (value: number) => string }) {
  const kind = suppressionOf(cell);
  return (
    <div className="stats-figure">
      <dt>{label}</dt>
      <dd className={kind ? "suppressed" : undefined} data-suppression={kind ?? undefined}>
        {kind ? <SuppressedMark kind={kind} /> : cell.value === null ? "–" : text(cell.value)}
      </dd>
    </div>
  );
}

function Headline({ data }: { data: Outcomes }) {
  const { t } = useTranslation("stats");
  const format = useFormat();
  const total = data.total;
  return (
    <dl className="stats-figures">
      <Figure label={t("headline.persons")} cell={total.persons} text={format.count} />
      <Figure label={t("headline.enrolments")} cell={total.enrolments} text={format.count} />
      <Figure label={t("headline.continuing")} cell={total.continuing} text={format.count} />
      <Figure label={t("headline.exited")} cell={total.exited} text={format.count} />
      <Figure label={t("headline.goalShare")} cell={total.goal_reached.share} text={format.percent} />
      <Figure label={t("headline.level3Share")} cell={total.reached_level_3.share} text={format.percent} />
    </dl>
  );
}

const SHARE_INDICATORS = new Set(["goal_reached_share", "reached_level_3_share"]);

function Targets({ data }: { data: Outcomes }) {
  const { t } = useTranslation("stats");
  const format = useFormat();
  const below = data.suppressed_below;
  const anySuppressed = data.targets.some((row) => row.figure.suppressed || row.fulfilment.suppressed);
  if (data.targets.length === 0) return null;
  return (
    <section aria-labelledby="stats-targets-heading" className="card">
      <h2 id="stats-targets-heading">{t("targets.heading")}</h2>
      <p className="muted">{t("targets.explain")}</p>
      <div className="table-wrap" role="region" aria-labelledby="stats-targets-caption" tabIndex={0}>
        <table aria-describedby={anySuppressed ? "stats-targets-note" : undefined}>
          <caption id="stats-targets-caption">{t("targets.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("targets.indicator")}</th>
              <th scope="col" className="num">{t("targets.target")}</th>
              <th scope="col" className="num">{t("targets.figure")}</th>
              <th scope="col" className="num">{t("targets.fulfilment")}</th>
              <th scope="col">{t("targets.status")}</th>
            </tr>
          </thead>
          <tbody>
            {data.targets.map((row) => {
              const isShare = SHARE_INDICATORS.has(row.indicator) || row.indicator.endsWith("_share");
              const met = !row.fulfilment.suppressed && row.fulfilment.value !== null ? row.fulfilment.value >= 1 : null;
              return (
                <tr key={row.indicator}>
                  <th scope="row">{t(`targets.indicators.${row.indicator}`, { defaultValue: row.indicator })}</th>
                  <td className="num">{isShare ? format.percent(row.target) : format.count(row.target)}</td>
                  {isShare ? <ShareTd cell={row.figure} /> : <CountTd cell={row.figure} />}
                  <ShareTd cell={row.fulfilment} />
                  <td>
                    {met === null ? (
                      <span className="muted">{t("targets.unknown")}</span>
                    ) : met ? (
                      <span className="badge badge--ok">{t("targets.met")}</span>
                    ) : (
                      <span className="badge badge--warn">{t("targets.notMet")}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {anySuppressed && <SuppressionNote id="stats-targets-note" below={below} />}
    </section>
  );
}

function Composition({ data, referrerTypes }: { data: Outcomes; referrerTypes: Schemas["CodeEntryRead"][] }) {
  const { t, i18n } = useTranslation("stats");
  const below = data.suppressed_below;
  const noteId = "stats-composition-note";
  if (data.composition_by_referrer.length === 0) return null;
  const anySuppressed = data.composition_by_referrer.some((row) => row.goal_reached.suppressed || row.share.suppressed);
  return (
    <section aria-labelledby="stats-composition-heading" className="card">
      <h2 id="stats-composition-heading">{t("composition.heading")}</h2>
      <div className="table-wrap" role="region" aria-labelledby="stats-composition-caption" tabIndex={0}>
        <table aria-describedby={anySuppressed ? noteId : undefined}>
          <caption id="stats-composition-caption">{t("composition.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("composition.referrer")}</th>
              <th scope="col" className="num">{t("composition.goalReached")}</th>
              <th scope="col" className="num">{t("composition.share")}</th>
            </tr>
          </thead>
          <tbody>
            {data.composition_by_referrer.map((row) => (
              <tr key={row.referrer_type ?? "unknown"}>
                <th scope="row">{groupLabel("referrer_type", row.referrer_type, t, i18n.language, referrerTypes)}</th>
                <CountTd cell={row.goal_reached} />
                <ShareTd cell={row.share} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {anySuppressed && <SuppressionNote id={noteId} below={below} />}
    </section>
  );
}
