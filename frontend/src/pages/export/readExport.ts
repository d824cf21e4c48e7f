// Reading the evaluation export as it streams in: the bytes are kept as they came (they are
// the file), complete lines are counted as they arrive - rows, then (in an incremental pull)
// withdrawals `{"withdrawn_pseudonym": ...}` - and the last line (the trailer) says how many of
// each the server sent and the cursor for the next incremental pull. A stream that ends
// without a trailer was cut off.
import type { Schemas } from "../../api/client";
import { todayIso } from "../../lib/dates";

export type Trailer = Schemas["EvaluationTrailer"];

export type ExportResult =
  | { kind: "complete"; chunks: Uint8Array[]; rows: number; withdrawals: number; trailer: Trailer }
  | { kind: "cancelled"; rows: number }
  | { kind: "truncated"; rows: number };

function asTrailer(line: string): Trailer | null {
  // Rows always carry a pseudonym; only the trailer has next_since. Parse only that line.
  if (!line.includes('"next_since"') || line.includes('"pseudonym"')) return null;
  try {
    const value = JSON.parse(line) as Partial<Trailer>;
    if (typeof value.next_since === "string" && typeof value.rows === "number") {
      return { next_since: value.next_since, rows: value.rows, withdrawals: value.withdrawals ?? 0 };
    }
  } catch {
    /* not JSON: not a trailer */
  }
  return null;
}

/**
 * Read `body` to the end (or until `signal` aborts), calling `onProgress` with the number of
 * rows received so far after each chunk.
 */
export async function readExport(
  body: ReadableStream<Uint8Array>,
  onProgress: (rows: number) => void,
  signal: AbortSignal,
): Promise<ExportResult> {
  const reader = body.getReader();
  const cancel = () => {
    void reader.cancel().catch(() => undefined);
  };
  signal.addEventListener("abort", cancel, { once: true });
  const decoder = new TextDecoder();
  const chunks: Uint8Array[] = [];
  let pending = "";
  const seen: { rows: number; withdrawals: number; trailer: Trailer | null } = { rows: 0, withdrawals: 0, trailer: null };

  const takeLine = (line: string) => {
    if (!line.trim()) return;
    // A line after a trailer would mean the trailer was not the last line: forget it.
    seen.trailer = asTrailer(line);
    if (seen.trailer) return;
    if (line.includes('"withdrawn_pseudonym"') && !line.includes('"pseudonym"')) seen.withdrawals += 1;
    else seen.rows += 1;
  };

  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (signal.aborted) return { kind: "cancelled", rows: seen.rows };
        throw error;
      }
      if (signal.aborted) return { kind: "cancelled", rows: seen.rows };
      if (result.done) break;
      chunks.push(result.value);
      pending += decoder.decode(result.value, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(takeLine);
      onProgress(seen.rows);
    }
  } finally {
    signal.removeEventListener("abort", cancel);
  }
  pending += decoder.decode();
  takeLine(pending);
  onProgress(seen.rows);
  if (!seen.trailer) return { kind: "truncated", rows: seen.rows };
  return { kind: "complete", chunks, rows: seen.rows, withdrawals: seen.withdrawals, trailer: seen.trailer };
}

/** `levelup-utvardering-2026-11-23.ndjson`, with the local date. */
export function exportFileName(now: Date = new Date()): string {
  return `levelup-utvardering-${todayIso(now)}.ndjson`;
}
