// Lazily loaded (React.lazy in AssessmentChange): the only module of the tabs that imports
// recharts, so the chart library stays out of the first bundle.
import { Bar, BarChart, CartesianGrid, LabelList, Legend, XAxis, YAxis } from "recharts";
import type { ChangeRow } from "./AssessmentChange";

type Props = {
  rows: ChangeRow[];
  /** The SVG's accessible name (its <title>). */
  title: string;
  /** The SVG's description (its <desc>): what the chart shows, in words. */
  desc: string;
  firstLabel: string;
  latestLabel: string;
};

// Two blues far enough apart in lightness; the first reading also has a dark outline and the
// values are printed on the bars, so colour is never the only way to tell them apart.
const FIRST = "#9cc3dc";
const LATEST = "#083f61";
const INK = "#1b1f24";

export default function ChangeChart({ rows, title, desc, firstLabel, latestLabel }: Props) {
  const data = rows.map((row) => ({ label: row.label, first: row.first, latest: row.latest }));
  const height = 70 + rows.length * 56;
  return (
    <BarChart
      layout="vertical"
      data={data}
      responsive
      style={{ width: "100%", height }}
      margin={{ top: 8, right: 28, bottom: 8, left: 8 }}
      barGap={2}
      accessibilityLayer={false}
      role="img"
      title={title}
      desc={desc}
    >
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" domain={[0, 10]} ticks={[0, 2, 4, 6, 8, 10]} tick={{ fill: INK }} />
      <YAxis type="category" dataKey="label" width={190} tick={{ fill: INK, fontSize: 13 }} interval={0} />
      {/* Legend text in ink, not in the (light) series colour, for contrast. */}
      <Legend formatter={(value: string) => <span style={{ color: INK }}>{value}</span>} />
      <Bar dataKey="first" name={firstLabel} fill={FIRST} stroke={INK} strokeWidth={1} isAnimationActive={false}>
        <LabelList dataKey="first" position="right" fill={INK} fontSize={12} />
      </Bar>
      <Bar dataKey="latest" name={latestLabel} fill={LATEST} isAnimationActive={false}>
        <LabelList dataKey="latest" position="right" fill={INK} fontSize={12} />
      </Bar>
    </BarChart>
  );
}
