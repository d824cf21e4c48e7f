import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { formatDate } from "../../lib/dates";
import { addMinutes } from "./dates";

type Tasks = Schemas["TasksRead"];
type CaseloadItem = Schemas["CaseloadItem"];
type Person = { participant_id: number; first_name: string; last_name: string; personnummer_masked: string };

const LONG_DATE: Intl.DateTimeFormatOptions = { day: "numeric", month: "long", year: "numeric" };
const WEEKDAY: Intl.DateTimeFormatOptions = { weekday: "long", day: "numeric", month: "long" };

/** Overdue first, then by date: what is most late is read first. */
function byUrgency<T extends { status: string; due_on: string }>(items: T[]): T[] {
  const rank = (status: string) => (status === "overdue" ? 0 : status === "not_permitted" ? 2 : 1);
  return [...items].sort((a, b) => rank(a.status) - rank(b.status) || a.due_on.localeCompare(b.due_on));
}

function PersonLink({ person }: { person: Person }) {
  return (
    <>
      <Link to={`/deltagare/${person.participant_id}`}>
        {person.first_name} {person.last_name}
      </Link>{" "}
      <span className="muted mentor-pnr">{person.personnummer_masked}</span>{" "}
    </>
  );
}

function OverdueBadge() {
  const { t } = useTranslation("mentor");
  return <span className="badge badge--error">{t("tasks.overdue")}</span>;
}

type Props = { tasks: Tasks; caseload: CaseloadItem[] | undefined };

/** The mentor's to-do list: self-assessments, follow-ups, this week's sessions, quiet people. */
export function TaskList({ tasks, caseload }: Props) {
  const { t, i18n } = useTranslation("mentor");
  const date = (iso: string) => formatDate(iso, i18n.language, LONG_DATE);

  const occasion = (code: string) => {
    const step = /^after_step_([0-9]+)$/.exec(code)?.[1];
    if (step) return t("tasks.occasions.afterStep", { step });
    if (code === "start" || code === "exit" || code === "follow_up") return t(`tasks.occasions.${code}`);
    return code;
  };
  const followUpKind = (kind: string) =>
    ["support_period_end", "after_exit_90_days", "after_exit_1_year"].includes(kind)
      ? t(`tasks.followUpKinds.${kind}`)
      : t("tasks.followUpKinds.other", { kind });

  const overdue =
    tasks.assessments.filter((a) => a.status === "overdue").length +
    tasks.follow_ups.filter((f) => f.status === "overdue").length;
  const nothing =
    tasks.assessments.length + tasks.follow_ups.length + tasks.sessions.length + tasks.quiet_participants.length === 0;
  const byEnrolment = new Map((caseload ?? []).map((item) => [item.enrolment_id, item]));

  return (
    <>
      {overdue > 0 && (
        <p className="mentor-tasks__summary">
          <OverdueBadge /> {t("tasks.overdueSummary", { count: overdue })}
        </p>
      )}
      {nothing && <p>{t("tasks.nothing")}</p>}

      <h3>{t("tasks.assessments.heading", { count: tasks.assessments.length })}</h3>
      {tasks.assessments.length === 0 ? (
        <p className="muted">{t("tasks.assessments.empty")}</p>
      ) : (
        <ul className="mentor-tasks">
          {byUrgency(tasks.assessments).map((a) => (
            <li key={`${a.enrolment_id}-${a.occasion}`} className={a.status === "overdue" ? "mentor-tasks__item--overdue" : undefined}>
              <PersonLink person={a} />
              <span className="mentor-tasks__what">
                {a.status === "overdue" && <OverdueBadge />} {t("tasks.assessments.what", { occasion: occasion(a.occasion) })},{" "}
                {t(a.status === "overdue" ? "tasks.assessments.overdue" : "tasks.assessments.due", { date: date(a.due_on) })}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3>{t("tasks.followUps.heading", { count: tasks.follow_ups.length })}</h3>
      {tasks.follow_ups.length === 0 ? (
        <p className="muted">{t("tasks.followUps.empty")}</p>
      ) : (
        <ul className="mentor-tasks">
          {byUrgency(tasks.follow_ups).map((f) => {
            const status =
              f.status === "not_permitted"
                ? "notPermitted"
                : f.status === "overdue" || f.status === "upcoming"
                  ? f.status
                  : "due";
            return (
              <li key={f.id} className={f.status === "overdue" ? "mentor-tasks__item--overdue" : undefined}>
                <PersonLink person={f} />
                <span className="mentor-tasks__what">
                  {f.status === "overdue" && <OverdueBadge />}
                  {f.status === "not_permitted" && <span className="badge badge--warn">{t("tasks.notPermitted")}</span>}{" "}
                  {followUpKind(f.kind)}, {t(`tasks.followUps.${status}`, { date: date(f.due_on) })}
                </span>
              </li>
            );
          })}
        </ul>
      )}

      <h3>{t("tasks.sessions.heading", { count: tasks.sessions.length })}</h3>
      <p className="muted">
        {t("tasks.week", {
          from: formatDate(tasks.week_start, i18n.language, { day: "numeric", month: "long" }),
          to: formatDate(tasks.week_end, i18n.language, LONG_DATE),
        })}
      </p>
      {tasks.sessions.length === 0 ? (
        <p className="muted">{t("tasks.sessions.empty")}</p>
      ) : (
        <ul className="mentor-tasks">
          {[...tasks.sessions]
            .sort((a, b) => a.held_on.localeCompare(b.held_on) || a.start_time.localeCompare(b.start_time))
            .map((s) => {
              const people = s.enrolment_ids.map((id) => byEnrolment.get(id)).filter((p) => p !== undefined);
              const unknown = s.enrolment_ids.length - people.length;
              return (
                <li key={s.session_id}>
                  <span className="mentor-tasks__when">
                    {formatDate(s.held_on, i18n.language, WEEKDAY)}{" "}
                    {t("tasks.sessions.time", { start: s.start_time, end: addMinutes(s.start_time, s.duration_minutes) })}
                  </span>{" "}
                  <span className="mentor-tasks__what">
                    {s.cohort_name}, {s.provider}
                  </span>{" "}
                  {s.enrolment_ids.length > 0 && (
                    <span className="mentor-tasks__who">
                      {t("tasks.sessions.yours")}{" "}
                      {people.map((p, index) => (
                        <span key={p.enrolment_id}>
                          {index > 0 && ", "}
                          <Link to={`/deltagare/${p.participant_id}`}>
                            {p.first_name} {p.last_name}
                          </Link>
                        </span>
                      ))}
                      {unknown > 0 && (
                        <>
                          {people.length > 0 && ", "}
                          {t("tasks.sessions.othersCount", { count: unknown })}
                        </>
                      )}
                    </span>
                  )}
                </li>
              );
            })}
        </ul>
      )}

      <h3>{t("tasks.quiet.heading", { count: tasks.quiet_participants.length })}</h3>
      {tasks.quiet_participants.length === 0 ? (
        <p className="muted">{t("tasks.quiet.empty", { days: tasks.quiet_after_days })}</p>
      ) : (
        <>
          <p className="muted">{t("tasks.quiet.intro", { days: tasks.quiet_after_days })}</p>
          <ul className="mentor-tasks">
            {tasks.quiet_participants.map((q) => (
              <li key={q.enrolment_id}>
                <PersonLink person={q} />
                <span className="mentor-tasks__what">
                  {q.last_activity_on
                    ? t("tasks.quiet.since", { date: date(q.last_activity_on), count: q.days_without_activity })
                    : t("tasks.quiet.never", { count: q.days_without_activity })}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
