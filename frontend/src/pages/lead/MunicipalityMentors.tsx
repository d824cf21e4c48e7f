import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Page } from "../../components/Page";
import { MentorTable, stepsShown } from "./MentorTable";
import { ReassignMentor } from "./ReassignMentor";
import "./lead.css";

/**
 * For lead mentors and unit managers: the municipality's mentors with their caseload sizes and
 * level distribution, and (with `enrolment:assign_mentor`) reassigning a participant.
 */
export default function MunicipalityMentors() {
  const { t } = useTranslation("lead");
  const { me, can } = useSession();
  const permitted = can("municipality_mentors:read");

  const mentors = useQuery({
    queryKey: ["lead", "mentors"],
    enabled: permitted,
    queryFn: async () => unwrap(await api.GET("/api/v1/me/municipality/mentors")),
  });
  // The programmes give the number of levels to show, so an empty level still has its column.
  const programmes = useQuery({
    queryKey: ["programmes"],
    enabled: permitted && can("programme:read"),
    staleTime: 10 * 60_000,
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
  });

  if (!me) return <Loading />;
  if (!permitted) {
    return (
      <Page title={t("common:errors.notPermittedTitle")}>
        <p>{t("common:errors.notPermitted")}</p>
      </Page>
    );
  }

  const programmeSteps = Math.max(0, ...(programmes.data ?? []).map((p) => p.steps.length));

  return (
    <Page title={t("title")}>
      <p className="muted">{t("intro")}</p>
      <section aria-labelledby="lead-load-heading" className="card">
        <h2 id="lead-load-heading">{t("load.heading")}</h2>
        {mentors.isPending && <Loading />}
        {mentors.isError && <ErrorNotice error={mentors.error} onRetry={() => void mentors.refetch()} />}
        {mentors.data && mentors.data.length === 0 && <p>{t("load.none")}</p>}
        {mentors.data && mentors.data.length > 0 && (
          <>
            <p className="muted" id="lead-load-explain">
              {t("load.explain")}
            </p>
            <MentorTable mentors={mentors.data} stepCount={stepsShown(mentors.data, programmeSteps)} />
          </>
        )}
      </section>
      {can("enrolment:assign_mentor") && mentors.data && <ReassignMentor mentors={mentors.data} />}
    </Page>
  );
}
