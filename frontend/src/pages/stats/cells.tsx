import { createContext, useContext } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";

type CountCell = Schemas["CountCell"];
type ShareCell = Schemas["ShareCell"];
export type Suppression = "small" | "complementary";

export function locale(language: string): string {
  return language === "sv" ? "sv-SE" : "en-GB";
}

/** Number formatters in the reader's language. */
export function useFormat() {
  const { i18n } = useTranslation("stats");
  const loc = locale(i18n.language);
  const percent = new Intl.NumberFormat(loc, { style: "percent", maximumFractionDigits: 1 });
  const signed = new Intl.NumberFormat(loc, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });
  const integer = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(loc, { maximumFractionDigits: 1 });
  return {
    percent: (share: number) => percent.format(share),
    signedPercent: (share: number) => signed.format(share),
    count: (value: number) => integer.format(value),
    decimal: (value: number) => decimal.format(value),
  };
}

/** The response's `suppressed_below` (counts under it are hidden), for the "< 5" marks. */
export const SuppressedBelow = createContext<number>(5);

/** Why a suppressed cell is hidden; a cell from an older server without the reason counts as small. */
export function suppressionOf(cell: { suppressed: boolean; suppression?: Suppression | null }): Suppression | null {
  if (!cell.suppressed) return null;
  return cell.suppression ?? "small";
}

/**
 * What a suppressed cell shows, never 0: "< 5" when it rests on fewer than 5 people, "dold"
 * when it is hidden so that a small cell cannot be worked out by subtraction from a total.
 * "<" is not reliably spoken by screen readers, so the small mark carries words beside it.
 */
export function SuppressedMark({ kind }: { kind: Suppression }) {
  const { t } = useTranslation("stats");
  const below = useContext(SuppressedBelow);
  if (kind === "complementary") return <>{t("suppressed.complementary")}</>;
  return (
    <>
      <span aria-hidden="true">{t("suppressed.small", { below })}</span>
      <span className="visually-hidden">{t("suppressed.smallSpoken", { below })}</span>
    </>
  );
}

type CountProps = { cell: CountCell };

/** A count as a table cell: the number, or its suppression mark in the `suppressed` style. */
export function CountTd({ cell }: CountProps) {
  const format = useFormat();
  const kind = suppressionOf(cell);
  if (kind) {
    return (
      <td className="num suppressed" data-suppression={kind}>
        <SuppressedMark kind={kind} />
      </td>
    );
  }
  return <td className="num">{cell.value === null ? "–" : format.count(cell.value)}</td>;
}

type ShareProps = { cell: ShareCell; signed?: boolean };

/** A share as a table cell: a percentage, its suppression mark, or "–" when there is nothing to divide. */
export function ShareTd({ cell, signed }: ShareProps) {
  const { t } = useTranslation("stats");
  const format = useFormat();
  const kind = suppressionOf(cell);
  if (kind) {
    return (
      <td className="num suppressed" data-suppression={kind}>
        <SuppressedMark kind={kind} />
      </td>
    );
  }
  if (cell.value === null) {
    return (
      <td className="num">
        <span aria-hidden="true">–</span>
        <span className="visually-hidden">{t("suppressed.nothingToDivide")}</span>
      </td>
    );
  }
  return <td className="num">{signed ? format.signedPercent(cell.value) : format.percent(cell.value)}</td>;
}

/** The note under a table that has suppressed cells: what "< 5" and "dold" mean, and why. */
export function SuppressionNote({ id, below }: { id: string; below: number | null | undefined }) {
  const { t } = useTranslation("stats");
  return (
    <p id={id} className="stats-note">
      {t("suppressed.explain", { below: below ?? 5 })}
    </p>
  );
}
