// For scripts that drive the built app outside Playwright's test runner (timing, README
// screenshot): the real backend with fresh demo data (e2e/serve-backend.sh) and Debian's
// Chromium with the flags this machine's closed network needs.
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Start the backend on `port`; resolves with its base URL and a stop function once ready. */
export async function startBackend(port) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn("bash", ["e2e/serve-backend.sh"], {
    env: { ...process.env, E2E_PORT: String(port) },
    stdio: "ignore",
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch { /* already gone */ }
  };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return { base, stop };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error("backend did not become ready");
}

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** Sign in through the form as a demo user, and wait for the first screen. */
export async function signInAs(page, base, username) {
  await page.goto(`${base}/logga-in`);
  await page.getByLabel("Användarnamn").fill(username);
  await page.getByLabel("Lösenord").fill("levelup-demo-2026");
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.getByRole("button", { name: "Logga ut" }).waitFor();
}
