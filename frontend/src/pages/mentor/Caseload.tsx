import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { Staircase } from "../../components/Staircase";
import { dateLocale } from "../../lib/dates";

type Item = Schemas["CaseloadItem"];
type State = Schemas["EnrolmentState"];
type SortKey = "name" | "level" | "days";
type Sort = { key: SortKey; descending: boolean };

const STATE_ORDER: State[] = ["referred", "intake", "active", "paused", "declined", "exited"];

const fullName = (item: { first_name: string; last_name: string }) => `${item.first_name} ${item.last_name}`;

function compareItems(a: Item, b: Item, key: SortKey, locale: string): number {
  const byName = fullName(a).localeCompare(fullName(b), locale);
  if (key === "level") {
    // Not started (referred, intake) before Level 1; within a level, by state then name.
    return (a.step ?? 0) - (b.step ?? 0) || STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || byName;
  }
  if (key === "days") return (a.days_in_step ?? -1) - (b.days_in_step ?? -1) || byName;
  return byName;
}

/**
 * Step names in the interface language. The caseload carries the Swedish name; in English the
 * programme list (cached for long, small) gives the English one.
 */
function useStepName(): (item: Item) => string | null {
  const { i18n } = useTranslation();
  const { can } = useSession();
  const english = i18n.language !== "sv";
  const programmes = useQuery({
    queryKey: ["programmes"],
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
    staleTime: 60 * 60_000,
    enabled: english && can("programme:read"),
  });
  return (item) => {
    if (item.step == null) return null;
    if (english) {
      const step = programmes.data
        ?.find((p) => p.code === item.programme_code)
        ?.steps.find((s) => s.number === item.step);
      if (step) return step.name_en;
    }
    return item.step_name;
  };
}

type Props = { items: Item[] };

/** The caseload table: every open enrolment the signed-in user mentors. */
export function Caseload({ items }: Props) {
  const { t, i18n } = useTranslation("mentor");
  const locale = dateLocale(i18n.language);
  const filterId = useId();
  const [sort, setSort] = useState<Sort>({ key: "name", descending: false });
  const [filter, setFilter] = useState<State | "all">("all");
  const stepName = useStepName();

  const counts = useMemo(() => {
    const result = new Map<State, number>();
    for (const item of items) result.set(item.state, (result.get(item.state) ?? 0) + 1);
    return result;
  }, [items]);
  const states = STATE_ORDER.filter((state) => counts.has(state));

  const shown = useMemo(() => {
    const kept = filter === "all" ? items : items.filter((item) => item.state === filter);
    const sorted = [...kept].sort((a, b) => compareItems(a, b, sort.key, locale));
    return sort.descending ? sorted.reverse() : sorted;
  }, [items, filter, sort, locale]);

  if (items.length === 0) {
    return <p>{t("caseload.empty")}</p>;
  }

  const columnName = (key: SortKey) => t(`caseload.columns.${key}`);
  const toggle = (key: SortKey) =>
    setSort((current) => (current.key === key ? { key, descending: !current.descending } : { key, descending: false }));

  // A plain function, not a component: a component defined here would remount on every sort
  // and take the keyboard focus away from the button just pressed.
  const sortHeader = (column: SortKey, className?: string) => {
    const active = sort.key === column;
    return (
      <th
        scope="col"
        className={className}
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}
      >
        <button type="button" className="mentor-sort" onClick={() => toggle(column)}>
          {columnName(column)}
          <span aria-hidden="true" className="mentor-sort__arrow">
            {active ? (sort.descending ? "▼" : "▲") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  return (
    <>
      {states.length > 1 && (
        <div className="mentor-filter">
          <label htmlFor={filterId}>{t("caseload.filterLabel")}</label>
          <select id={filterId} value={filter} onChange={(event) => setFilter(event.target.value as State | "all")}>
            <option value="all">{t("caseload.filterAll", { count: items.length })}</option>
            {states.map((state) => (
              <option key={state} value={state}>
                {t("caseload.filterState", { state: t(`common:states.${state}`), count: counts.get(state) })}
              </option>
            ))}
          </select>
          <p className="muted" role="status">
            {t("caseload.shown", { shown: shown.length, total: items.length })}
          </p>
        </div>
      )}
      {shown.length === 0 ? (
        <p>{t("caseload.emptyFiltered", { state: t(`common:states.${filter}`) })}</p>
      ) : (
        <div className="table-wrap">
          <table className="mentor-caseload">
            <caption className="visually-hidden">
              {t("caseload.caption", {
                column: columnName(sort.key).toLocaleLowerCase(locale),
                direction: t(sort.descending ? "caseload.descending" : "caseload.ascending"),
              })}
            </caption>
            <thead>
              <tr>
                {sortHeader("name")}
                <th scope="col">{t("caseload.columns.personnummer")}</th>
                <th scope="col">{t("caseload.columns.programme")}</th>
                {sortHeader("level")}
                <th scope="col">{t("caseload.columns.state")}</th>
                {sortHeader("days", "num")}
              </tr>
            </thead>
            <tbody>
              {shown.map((item) => {
                const name = stepName(item);
                return (
                  <tr key={item.enrolment_id}>
                    <th scope="row">
                      <Link to={`/deltagare/${item.participant_id}`}>{fullName(item)}</Link>
                    </th>
                    <td className="mentor-pnr">{item.personnummer_masked}</td>
                    <td>{item.programme_name}</td>
                    <td>
                      <span className="mentor-level">
                        <Staircase step={item.step} stepCount={item.step_count} size="small" />
                        <span>{name ?? <span className="muted">{t("caseload.notStarted")}</span>}</span>
                      </span>
                    </td>
                    <td>{t(`common:states.${item.state}`)}</td>
                    <td className="num">
                      {item.days_in_step == null ? (
                        <>
                          <span aria-hidden="true">–</span>
                          <span className="visually-hidden">{t("caseload.noDays")}</span>
                        </>
                      ) : (
                        t("caseload.days", { count: item.days_in_step })
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
