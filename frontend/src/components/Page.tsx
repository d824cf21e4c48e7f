import { useEffect, useRef } from "react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

type Props = {
  title: string;
  /** The browser tab's title when it must differ from the heading: a participant's name is
   * shown as the heading but kept out of the tab title (and so out of browser history). */
  documentTitle?: string;
  actions?: ReactNode;
  children: ReactNode;
};

/**
 * A screen: sets the document title and, when the screen opens by a route change, moves
 * focus to its heading, so a screen-reader or keyboard user knows the route changed (a SPA
 * does not reload).
 */
// The first screen after a page load leaves focus where the browser puts it (the top, so the
// skip link comes first); later screens are client-side route changes and take focus.
let pageLoadScreen = true;

export function Page({ title, documentTitle, actions, children }: Props) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${documentTitle ?? title} – ${t("appName")}`;
  }, [documentTitle, title, t]);
  useEffect(() => {
    if (pageLoadScreen) {
      pageLoadScreen = false;
      return;
    }
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <>
      <div className="page-header">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="page-header__actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}
