// Time from navigation to the mentor's caseload rendered, in headless Chromium against the
// real backend with demo data (the same server the browser tests use). Reported as medians
// over N page loads, with a baseline from the same run: the sign-in screen (the app shell
// booting with no API data), so the ratio says what the caseload's data adds.
//   node scripts/caseload-timing.mjs [runs]
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

const runs = Number(process.argv[2] ?? 15);
const port = Number(process.env.E2E_PORT ?? 8790);
const base = `http://127.0.0.1:${port}`;
const args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function waitReady(deadline = Date.now() + 180_000) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("backend did not become ready");
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms from navigation start until `selector` is in the DOM, measured in the page's clock. */
async function timeTo(page, path, selector) {
  await page.goto(`${base}${path}`, { waitUntil: "commit" });
  await page.waitForSelector(selector, { timeout: 30_000 });
  return page.evaluate(() => performance.now());
}

const server = spawn("bash", ["e2e/serve-backend.sh"], {
  env: { ...process.env, E2E_PORT: String(port) },
  stdio: "ignore",
  detached: true,
});
try {
  await waitReady();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args });
  const shellPage = await (await browser.newContext()).newPage();
  const page = await (await browser.newContext({ locale: "sv-SE" })).newPage();
  await page.goto(`${base}/logga-in`);
  await page.getByLabel("Användarnamn").fill("mentor.skara1");
  await page.getByLabel("Lösenord").fill("levelup-demo-2026");
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.waitForURL(/\/start$/);

  const shell = [];
  const caseload = [];
  // Warm-up once each (first compile of the JS), then alternate so drift hits both alike.
  await timeTo(shellPage, "/logga-in", "form");
  await timeTo(page, "/start", "table.mentor-caseload tbody tr");
  for (let i = 0; i < runs; i++) {
    shell.push(await timeTo(shellPage, "/logga-in", "form"));
    caseload.push(await timeTo(page, "/start", "table.mentor-caseload tbody tr"));
  }
  const rows = await page.locator("table.mentor-caseload tbody tr").count();
  await browser.close();
  const s = median(shell);
  const c = median(caseload);
  console.log(`navigation -> sign-in screen rendered (baseline): median ${s.toFixed(0)} ms over ${runs} loads`);
  console.log(`navigation -> caseload rendered (${rows} rows, incl. token refresh + /me + /me/caseload): median ${c.toFixed(0)} ms`);
  console.log(`ratio caseload / baseline: ${(c / s).toFixed(2)}`);
} finally {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch { /* already gone */ }
}
