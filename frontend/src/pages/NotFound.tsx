import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Page } from "../components/Page";

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Page title={t("notFoundPage.title")}>
      <p>{t("errors.notFound")}</p>
      <Link to="/">{t("notFoundPage.back")}</Link>
    </Page>
  );
}

export function NotPermitted() {
  const { t } = useTranslation();
  return (
    <Page title={t("errors.notPermittedTitle")}>
      <p>{t("errors.notPermitted")}</p>
    </Page>
  );
}
