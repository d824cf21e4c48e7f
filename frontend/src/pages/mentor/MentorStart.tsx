import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Page } from "../../components/Page";
import { Caseload } from "./Caseload";
import { TaskList } from "./TaskList";
import "./mentor.css";

/**
 * The mentor's start page (also a lead mentor's): the caseload with a small staircase per
 * person, and the task list. In the first bundle, so it stays light (no chart library).
 */
export function MentorStart() {
  const { t } = useTranslation("mentor");
  const { can } = useSession();

  const caseload = useQuery({
    queryKey: ["caseload"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/caseload")),
  });
  const tasks = useQuery({
    queryKey: ["tasks"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/tasks")),
    enabled: can("tasks:read"),
  });

  return (
    <Page
      title={t("title")}
      actions={
        can("participant:create") && (
          <Link to="/deltagare/ny" className="button">
            {t("newReferral")}
          </Link>
        )
      }
    >
      <div className="mentor-start">
        <section aria-labelledby="mentor-caseload-heading" className="card mentor-start__caseload">
          <h2 id="mentor-caseload-heading">{t("caseload.heading")}</h2>
          {caseload.isPending ? (
            <Loading />
          ) : caseload.isError ? (
            <ErrorNotice error={caseload.error} onRetry={() => void caseload.refetch()} />
          ) : (
            <Caseload items={caseload.data.items} />
          )}
        </section>

        {can("tasks:read") && (
          <section aria-labelledby="mentor-tasks-heading" className="card mentor-start__tasks">
            <h2 id="mentor-tasks-heading">{t("tasks.heading")}</h2>
            {tasks.isPending ? (
              <Loading />
            ) : tasks.isError ? (
              <ErrorNotice error={tasks.error} onRetry={() => void tasks.refetch()} />
            ) : (
              <TaskList tasks={tasks.data} caseload={caseload.data?.items} />
            )}
          </section>
        )}
      </div>
    </Page>
  );
}
