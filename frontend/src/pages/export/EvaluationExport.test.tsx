import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Call, mockApi, renderScreen } from "../../test/render";
import EvaluationExport, { forgetExportCursors } from "./EvaluationExport";
import { exportFileName, readExport } from "./readExport";

// Typing with user-event in jsdom is slow on a busy machine.
vi.setConfig({ testTimeout: 20_000 });

const ME_EVALUATOR = {
  kind: "user",
  id: 26,
  display_name: "Test Utvärderare",
  role: "evaluator",
  permissions: ["code_list:read", "programme:read", "stats:read", "export:evaluation"],
  municipality_id: null,
  organisation_id: 1,
};

const ROW = (n: number) =>
  JSON.stringify({ pseudonym: `p${n}`.padEnd(32, "0"), enrolment_pseudonym: `e${n}`.padEnd(32, "0"), birth_year: 1999 }) + "\n";
const TRAILER = (rows: number, since = "2026-11-23T07:53:42.615651Z") => JSON.stringify({ next_since: since, rows }) + "\n";

const encoder = new TextEncoder();

/** A response body the test pushes chunks into by hand. */
function controlledStream() {
  let push!: (text: string) => void;
  let close!: () => void;
  const cancelled = vi.fn();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (text) => controller.enqueue(encoder.encode(text));
      close = () => controller.close();
    },
    cancel: cancelled,
  });
  return { body, push: (text: string) => push(text), close: () => close(), cancelled };
}

type ExportReply = { status: number; body: BodyInit | null; json?: unknown };

/** mockApi for everything else; the export answered with a streamed body. */
function mockExport(reply: () => ExportReply): Call[] {
  const calls = mockApi({ "GET /api/v1/me": { body: ME_EVALUATOR } });
  const inner = globalThis.fetch;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: Request) => {
      const url = new URL(input.url, "http://localhost");
      if (url.pathname !== "/api/v1/exports/evaluation") return inner(input);
      calls.push({ method: input.method, path: url.pathname, search: url.search, body: undefined, headers: input.headers });
      const { status, body, json } = reply();
      if (json !== undefined) {
        return new Response(JSON.stringify(json), { status, headers: { "Content-Type": "application/json" } });
      }
      return new Response(body, { status, headers: { "Content-Type": "application/x-ndjson" } });
    }),
  );
  return calls;
}

let savedBlobs: Blob[];
let clickedLinks: HTMLAnchorElement[];

beforeEach(() => {
  forgetExportCursors();
  savedBlobs = [];
  clickedLinks = [];
  vi.spyOn(URL, "createObjectURL").mockImplementation((blob: Blob | MediaSource) => {
    savedBlobs.push(blob as Blob);
    return `blob:test/${savedBlobs.length}`;
  });
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    clickedLinks.push(this);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const exportCalls = (calls: Call[]) => calls.filter((c) => c.path === "/api/v1/exports/evaluation");

describe("EvaluationExport", () => {
  it("explains what the file contains and never contains", async () => {
    mockExport(() => ({ status: 200, body: null }));
    renderScreen(<EvaluationExport />);
    expect(await screen.findByRole("heading", { level: 1, name: "Utvärderingsexport" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 3, name: "Filen innehåller aldrig" })).toBeInTheDocument();
    expect(screen.getByText("Personnummer eller samordningsnummer.")).toBeInTheDocument();
    expect(screen.getByText(/densamma i alla dina exporter/)).toBeInTheDocument();
  });

  it("asks for a purpose before requesting anything, with the error tied to the field", async () => {
    const calls = mockExport(() => ({ status: 200, body: null }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.click(await screen.findByRole("button", { name: "Hämta export" }));
    const purpose = screen.getByLabelText(/^Syfte/);
    expect(purpose).toHaveAttribute("aria-invalid", "true");
    expect(purpose).toHaveAccessibleDescription(expect.stringContaining("Skriv syftet med exporten."));
    expect(screen.getByText("Formuläret har ett fel")).toBeInTheDocument();
    await user.type(purpose, "abc");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    expect(purpose).toHaveAccessibleDescription(expect.stringContaining("Syftet ska vara 5–200 tecken"));
    expect(exportCalls(calls)).toHaveLength(0);
  });

  it("refuses a cursor that is not a time with a zone, without asking the server", async () => {
    const calls = mockExport(() => ({ status: 200, body: null }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering 2026");
    await user.type(screen.getByLabelText(/^Bara ändringar sedan/), "2026-03-01");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    expect(screen.getByLabelText(/^Bara ändringar sedan/)).toHaveAttribute("aria-invalid", "true");
    expect(exportCalls(calls)).toHaveLength(0);
  });

  it("streams the rows with progress, saves the file and shows the trailer's summary", async () => {
    const stream = controlledStream();
    const calls = mockExport(() => ({ status: 200, body: stream.body }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));

    stream.push(ROW(1) + ROW(2));
    const status = screen.getByRole("status");
    await waitFor(() => expect(status).toHaveTextContent("2 rader mottagna hittills"));
    expect(screen.getByRole("button", { name: "Hämta export" })).toBeDisabled();

    stream.push(ROW(3) + TRAILER(3).slice(0, 10));
    stream.push(TRAILER(3).slice(10));
    stream.close();

    await waitFor(() => expect(status).toHaveTextContent("Exporten är klar"));
    const sent = exportCalls(calls);
    expect(sent).toHaveLength(1);
    const query = new URLSearchParams(sent[0]!.search);
    expect(query.get("purpose")).toBe("Utvärdering Level Up 2026");
    expect(query.has("since")).toBe(false);
    expect(sent[0]!.headers.get("Authorization")).toBe("Bearer test-access");

    expect(status).toHaveTextContent("Rader i filen3");
    expect(status).toHaveTextContent("2026-11-23T07:53:42.615651Z");
    expect(clickedLinks).toHaveLength(1);
    expect(clickedLinks[0]!.download).toBe(exportFileName());
    expect(clickedLinks[0]!.download).toMatch(/^levelup-utvardering-\d{4}-\d{2}-\d{2}\.ndjson$/);
    expect(await savedBlobs[0]!.text()).toBe(ROW(1) + ROW(2) + ROW(3) + TRAILER(3));
    // The next pull starts from the trailer's cursor.
    expect(screen.getByLabelText(/^Bara ändringar sedan/)).toHaveValue("2026-11-23T07:53:42.615651Z");
    expect(screen.getByRole("link", { name: /Spara filen igen/ })).toHaveAttribute("href", "blob:test/1");
  });

  it("prefills the cursor of the user's last export when the screen is opened again", async () => {
    const calls = mockExport(() => ({ status: 200, body: ROW(1) + TRAILER(1, "2026-11-20T10:00:00Z") }));
    const user = userEvent.setup();
    const first = renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    await screen.findByText("Exporten är klar och filen har sparats.");
    first.unmount();

    renderScreen(<EvaluationExport />);
    const since = await screen.findByLabelText(/^Bara ändringar sedan/);
    await waitFor(() => expect(since).toHaveValue("2026-11-20T10:00:00Z"));
    expect(since).toHaveAccessibleDescription(expect.stringContaining("senaste export i den här fliken"));
    await user.type(screen.getByLabelText(/^Syfte/), "Uppföljning 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    await screen.findByText("Exporten är klar och filen har sparats.");
    const sent = exportCalls(calls);
    expect(new URLSearchParams(sent[1]!.search).get("since")).toBe("2026-11-20T10:00:00Z");
  });

  it("lets the user cancel a running export: the body is cancelled and no file is saved", async () => {
    const stream = controlledStream();
    mockExport(() => ({ status: 200, body: stream.body }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    stream.push(ROW(1) + ROW(2) + ROW(3));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("3 rader mottagna"));

    await user.click(screen.getByRole("button", { name: "Avbryt hämtningen" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("avbröts efter 3 rader. Ingen fil sparades."));
    expect(stream.cancelled).toHaveBeenCalled();
    expect(savedBlobs).toHaveLength(0);
    expect(clickedLinks).toHaveLength(0);
    expect(screen.queryByRole("button", { name: "Avbryt hämtningen" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Hämta export" })).toBeEnabled();
  });

  it("says a stream without its trailer was cut off and saves nothing", async () => {
    mockExport(() => ({ status: 200, body: ROW(1) + ROW(2) }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    expect(await screen.findByText("Exporten blev inte komplett")).toBeInTheDocument();
    expect(screen.getByText(/avbröts efter 2 rader, innan sammanfattningen kom/)).toBeInTheDocument();
    expect(savedBlobs).toHaveLength(0);
  });

  it("ties the server's 422 on the purpose to the field", async () => {
    mockExport(() => ({
      status: 422,
      body: null,
      json: { error: "ValidationError", detail: "Uppgifterna kunde inte tolkas; se fälten.", fields: { "query.purpose": "String should have at most 200 characters" } },
    }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    const purpose = screen.getByLabelText(/^Syfte/);
    await waitFor(() => expect(purpose).toHaveAttribute("aria-invalid", "true"));
    expect(purpose).toHaveAccessibleDescription(expect.stringContaining("Syftet ska vara 5–200 tecken"));
  });

  it("shows the server's words for a refused cursor on the cursor field", async () => {
    mockExport(() => ({
      status: 422,
      body: null,
      json: { error: "InvalidInput", detail: "Tidpunkten i since ligger i framtiden.", fields: { since: "ligger i framtiden" } },
    }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.type(screen.getByLabelText(/^Bara ändringar sedan/), "2099-01-01T00:00:00Z");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    const since = screen.getByLabelText(/^Bara ändringar sedan/);
    await waitFor(() => expect(since).toHaveAccessibleDescription(expect.stringContaining("Tidpunkten i since ligger i framtiden.")));
  });

  it("explains a 403 as not permitted and keeps the user signed in", async () => {
    mockExport(() => ({ status: 403, body: null, json: { error: "Forbidden", detail: "Din roll saknar behörigheten." } }));
    const user = userEvent.setup();
    renderScreen(<EvaluationExport />);
    await user.type(await screen.findByLabelText(/^Syfte/), "Utvärdering Level Up 2026");
    await user.click(screen.getByRole("button", { name: "Hämta export" }));
    expect(await screen.findByText("Inte behörig")).toBeInTheDocument();
    expect(screen.getByText(/Du är fortfarande inloggad/)).toBeInTheDocument();
    expect(screen.queryByText("sign-in page")).not.toBeInTheDocument();
  });
});

describe("readExport", () => {
  it("counts rows across chunk boundaries and finds the trailer", async () => {
    const text = ROW(1) + ROW(2) + TRAILER(2);
    const bytes = encoder.encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7, 90));
        controller.enqueue(bytes.slice(90));
        controller.close();
      },
    });
    const progress: number[] = [];
    const result = await readExport(body, (rows) => progress.push(rows), new AbortController().signal);
    expect(result.kind).toBe("complete");
    if (result.kind !== "complete") return;
    expect(result.rows).toBe(2);
    expect(result.trailer).toEqual({ next_since: "2026-11-23T07:53:42.615651Z", rows: 2, withdrawals: 0 });
    expect(progress.at(-1)).toBe(2);
    expect(new TextDecoder().decode(await new Blob(result.chunks as BlobPart[]).arrayBuffer())).toBe(text);
  });

  it("counts withdrawal lines apart from rows", async () => {
    const text = ROW(1) + JSON.stringify({ withdrawn_pseudonym: "a".repeat(32) }) + "\n" + JSON.stringify({ next_since: "2026-11-23T07:53:42Z", rows: 1, withdrawals: 1 }) + "\n";
    const result = await readExport(new Response(text).body!, () => undefined, new AbortController().signal);
    expect(result).toMatchObject({ kind: "complete", rows: 1, withdrawals: 1, trailer: { rows: 1, withdrawals: 1 } });
  });

  it("does not take a trailer-looking line followed by rows as the end", async () => {
    const body = new Response(TRAILER(0) + ROW(1)).body!;
    const result = await readExport(body, () => undefined, new AbortController().signal);
    expect(result).toEqual({ kind: "truncated", rows: 1 });
  });
});
