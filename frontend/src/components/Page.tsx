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
 * A screen: sets the document title and moves focus to the heading when the screen opens,
 * so a screen-reader or keyboard user knows the route changed (a SPA does not reload).
 */
export function Page({ title, documentTitle, actions, children }: Props) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${documentTitle ?? title} – ${t("appName")}`;
  }, [documentTitle, title, t]);
  useEffect(() => {
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
