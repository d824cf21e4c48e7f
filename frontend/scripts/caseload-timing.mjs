// Time from navigation to the mentor's caseload rendered, in headless Chromium against the
// real backend with demo data (the same server the browser tests use). Reported as medians
// over N page loads, with a baseline from the same run: the sign-in screen (the app shell
// booting with no API data), so the ratio says what the caseload's data adds.
//   node scripts/caseload-timing.mjs [runs]
import { launchChromium, signInAs, startBackend } from "./live-backend.mjs";

const runs = Number(process.argv[2] ?? 15);
const port = Number(process.env.E2E_PORT ?? 8790);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms from navigation start until `selector` is in the DOM, measured in the page's clock. */
async function timeTo(page, base, path, selector) {
  await page.goto(`${base}${path}`, { waitUntil: "commit" });
  await page.waitForSelector(selector, { timeout: 30_000 });
  return page.evaluate(() => performance.now());
}

const { base, stop } = await startBackend(port);
try {
  const browser = await launchChromium();
  const shellPage = await (await browser.newContext()).newPage();
  const page = await (await browser.newContext({ locale: "sv-SE" })).newPage();
  await signInAs(page, base, "mentor.skara1");
  await page.waitForURL(/\/start$/);

  const shell = [];
  const caseload = [];
  // Warm-up once each (first compile of the JS), then alternate so drift hits both alike.
  await timeTo(shellPage, base, "/logga-in", "form");
  await timeTo(page, base, "/start", "table.mentor-caseload tbody tr");
  for (let i = 0; i < runs; i++) {
    shell.push(await timeTo(shellPage, base, "/logga-in", "form"));
    caseload.push(await timeTo(page, base, "/start", "table.mentor-caseload tbody tr"));
  }
  const rows = await page.locator("table.mentor-caseload tbody tr").count();
  await browser.close();
  const s = median(shell);
  const c = median(caseload);
  console.log(`navigation -> sign-in screen rendered (baseline): median ${s.toFixed(0)} ms over ${runs} loads`);
  console.log(`navigation -> caseload rendered (${rows} rows, incl. token refresh + /me + /me/caseload): median ${c.toFixed(0)} ms`);
  console.log(`ratio caseload / baseline: ${(c / s).toFixed(2)}`);
} finally {
  stop();
}
