// The referrer's view: the status of the people they referred (state, level, dates), never
// notes, reasons or contact data, and only while the person's consent to information exchange
// with the referrer holds (the API leaves everyone else out).
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, isApiError, type Schemas, unwrap } from "../../api/client";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Page } from "../../components/Page";
import { Staircase } from "../../components/Staircase";
import { formatDate } from "../../lib/dates";

type Programme = Schemas["ProgrammeRead"];
const PAGE_SIZE = 50;

export default function MyReferrals() {
  const { t, i18n } = useTranslation("referrer");
  const referrals = useInfiniteQuery({
    queryKey: ["me", "referrals"],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/me/referrals", {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const programmes = useQuery({
    queryKey: ["programmes"],
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
    staleTime: 60 * 60_000,
  });
  const byCode = new Map<string, Programme>((programmes.data ?? []).map((p) => [p.code, p]));
  const date = (iso: string | null) => (iso ? formatDate(iso, i18n.language) : "–");

  const explanation = (
    <div className="notice notice--info">
      <p>{t("explanation.consent")}</p>
      <p>{t("explanation.statusOnly")}</p>
    </div>
  );

  if (referrals.isPending) {
    return (
      <Page title={t("title")}>
        {explanation}
        <Loading />
      </Page>
    );
  }
  const pages = referrals.data?.pages;
  if (!pages) {
    return (
      <Page title={t("title")}>
        <ErrorNotice
          error={referrals.error}
          onRetry={isApiError(referrals.error, 403) ? undefined : () => void referrals.refetch()}
        />
      </Page>
    );
  }

  const rows = pages.flatMap((page) => page.items);

  return (
    <Page title={t("title")}>
      {explanation}
      {rows.length === 0 ? (
        <p>{t("empty")}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption>{t("caption", { count: rows.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("columns.name")}</th>
                  <th scope="col">{t("columns.personnummer")}</th>
                  <th scope="col">{t("columns.programme")}</th>
                  <th scope="col">{t("columns.state")}</th>
                  <th scope="col">{t("columns.level")}</th>
                  <th scope="col">{t("columns.referred")}</th>
                  <th scope="col">{t("columns.started")}</th>
                  <th scope="col">{t("columns.ended")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const programme = byCode.get(r.programme_code);
                  const programmeName = programme ? (i18n.language === "sv" ? programme.name_sv : programme.name_en) : r.programme_code;
                  return (
                    <tr key={r.enrolment_id}>
                      <th scope="row">
                        {r.participant_first_name} {r.participant_last_name}
                      </th>
                      <td>{r.personnummer_masked}</td>
                      <td>{programmeName}</td>
                      <td>{t(`common:states.${r.state}`)}</td>
                      <td>
                        {r.step !== null ? (
                          <span className="referrer-level">
                            {programme && <Staircase step={r.step} stepCount={programme.steps.length} />}{" "}
                            {t("common:staircase.stepN", { step: r.step })}
                          </span>
                        ) : (
                          <span className="muted">{t("noLevel")}</span>
                        )}
                      </td>
                      <td>{date(r.referred_on)}</td>
                      <td>{date(r.started_on)}</td>
                      <td>{date(r.ended_on)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {referrals.hasNextPage && (
            <p>
              <button
                type="button"
                className="button button--secondary"
                disabled={referrals.isFetchingNextPage}
                onClick={() => void referrals.fetchNextPage()}
              >
                {referrals.isFetchingNextPage ? t("common:loading") : t("more")}
              </button>
            </p>
          )}
          {referrals.isFetchNextPageError && <ErrorNotice error={referrals.error} onRetry={() => void referrals.fetchNextPage()} />}
        </>
      )}
    </Page>
  );
}
