import { type KeyboardEvent, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../api/client";
import { ActivitiesTab } from "./ActivitiesTab";
import { ConsentsTab } from "./ConsentsTab";
import { FollowUpsTab } from "./FollowUpsTab";
import { PlanTab } from "./PlanTab";
import { SelfAssessmentTab } from "./SelfAssessmentTab";
import { NS } from "./shared";
import "./journey.css";

export type ParticipantTabsProps = {
  participant: Schemas["ParticipantRead"];
  /** The enrolment shown on the page (the open one, else the latest); null if none. */
  enrolment: Schemas["EnrolmentRead"] | null;
  programme: Schemas["ProgrammeRead"] | null;
};

const TABS = [
  { key: "selfAssessment", Panel: SelfAssessmentTab },
  { key: "followUps", Panel: FollowUpsTab },
  { key: "activities", Panel: ActivitiesTab },
  { key: "plan", Panel: PlanTab },
  { key: "consents", Panel: ConsentsTab },
] as const;

type TabKey = (typeof TABS)[number]["key"];

/**
 * The participant's journey in five tabs, following the WAI-ARIA tabs pattern: the tab list is
 * one stop in the tab order (only the selected tab is focusable), arrow keys, Home and End move
 * between tabs and select them, and each tab controls its own panel. Only the selected panel's
 * content is mounted, so a tab's data is fetched when it is opened.
 */
export function ParticipantTabs({ participant, enrolment, programme }: ParticipantTabsProps) {
  const { t } = useTranslation(NS);
  const base = useId();
  const [selected, setSelected] = useState<TabKey>("selfAssessment");
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  const tabId = (key: TabKey) => `${base}-tab-${key}`;
  const panelId = (key: TabKey) => `${base}-panel-${key}`;

  function move(to: number) {
    const index = (to + TABS.length) % TABS.length;
    const key = TABS[index]!.key;
    setSelected(key);
    tabRefs.current[key]?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const current = TABS.findIndex((tab) => tab.key === selected);
    switch (event.key) {
      case "ArrowRight":
        move(current + 1);
        break;
      case "ArrowLeft":
        move(current - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(TABS.length - 1);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return (
    <section className="tabs journey-tabs" aria-labelledby={`${base}-heading`}>
      <h2 id={`${base}-heading`} className="visually-hidden">
        {t("tabs.heading")}
      </h2>
      <div role="tablist" aria-label={t("tabs.label")} onKeyDown={onKeyDown}>
        {TABS.map(({ key }) => (
          <button
            key={key}
            ref={(element) => {
              tabRefs.current[key] = element;
            }}
            type="button"
            role="tab"
            id={tabId(key)}
            aria-selected={selected === key}
            aria-controls={panelId(key)}
            tabIndex={selected === key ? 0 : -1}
            onClick={() => setSelected(key)}
          >
            {t(`tabs.${key}`)}
          </button>
        ))}
      </div>
      {TABS.map(({ key, Panel }) => (
        <div
          key={key}
          role="tabpanel"
          id={panelId(key)}
          aria-labelledby={tabId(key)}
          hidden={selected !== key}
          tabIndex={0}
          className="journey-panel"
        >
          {selected === key && <Panel participant={participant} enrolment={enrolment} programme={programme} />}
        </div>
      ))}
    </section>
  );
}
