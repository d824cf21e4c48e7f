import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";
import { type Permission, useSession } from "../auth/session";
import { type Language, LANGUAGES, setLanguage } from "../i18n";

type NavItem = { to: string; label: string; permission: Permission };

// A menu entry shows when the signed-in role has the permission its screen needs.
const NAV: NavItem[] = [
  { to: "/start", label: "nav.start", permission: "caseload:read" },
  { to: "/deltagare/ny", label: "nav.newReferral", permission: "participant:create" },
  { to: "/mentorer", label: "nav.mentors", permission: "municipality_mentors:read" },
  { to: "/remisser", label: "nav.referrals", permission: "referral_status:read" },
  { to: "/statistik", label: "nav.stats", permission: "stats:read" },
  { to: "/export", label: "nav.export", permission: "export:evaluation" },
  { to: "/admin/anvandare", label: "nav.users", permission: "user:admin" },
  { to: "/admin/kodlistor", label: "nav.codeLists", permission: "code_list:publish" },
];

export function Layout() {
  const { t, i18n } = useTranslation();
  const { me, can, signOut } = useSession();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header className="topbar">
        <span className="topbar__brand">{t("appName")}</span>
        <nav aria-label={t("mainNavigation")} className="topbar__nav">
          <ul>
            {NAV.filter((item) => can(item.permission)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{t(item.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar__user">
          {me && (
            <span>
              {t("signedInAs", { name: me.display_name })} ({t(`roles.${me.role}`)})
            </span>
          )}
          <label className="topbar__language">
            <span className="visually-hidden">{t("language")}</span>
            <select
              value={i18n.language}
              onChange={(event) => setLanguage(event.target.value as Language)}
            >
              {LANGUAGES.map((language) => (
                <option key={language} value={language} lang={language}>
                  {t(`languages.${language}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button button--secondary" onClick={() => void signOut()}>
            {t("signOut")}
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
