// The README's picture of the participant page: a demo mentor opens the first participant of
// their caseload who is active on a level, in headless Chromium against fresh demo data.
//   node scripts/readme-screenshot.mjs [output.png]   (after `npm run build`)
import { launchChromium, signInAs, startBackend } from "./live-backend.mjs";

const output = process.argv[2] ?? "../docs/participant-page.png";
const { base, stop } = await startBackend(Number(process.env.E2E_PORT ?? 8791));
try {
  const browser = await launchChromium();
  const page = await (await browser.newContext({ locale: "sv-SE", viewport: { width: 1280, height: 1000 } })).newPage();
  await signInAs(page, base, "mentor.skara1");
  const row = page.locator("table.mentor-caseload tbody tr").filter({ hasText: /Level [23]/ }).first();
  await row.getByRole("link").first().click();
  await page.waitForURL(/\/deltagare\/\d+/);
  await page.locator(".stairs--large").waitFor();
  await page.getByRole("tab").first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: output, fullPage: false });
  await browser.close();
  console.log(`wrote ${output}`);
} finally {
  stop();
}
