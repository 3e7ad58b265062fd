// Part of scripts/bundle-size: the optimised bundle it measured, served by Belfry, in Debian's
// headless Chromium. The playground must hydrate on it and work: the text drives the
// description, and a zone chosen in the browser gives its runs (read from the browser's own
// time zone database). Prints how long each zone change took in this release build, and fails
// on any page error. Usage: node scripts/bundle-check.mjs http://127.0.0.1:PORT
import { createRequire } from "node:module";
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const errors = [];
const fail = (message) => {
  console.error(`bundle check: ${message}`);
  process.exitCode = 1;
};
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => errors.push(String(error)));
  const expr = encodeURIComponent("cron(30 2 ? * MON-FRI *)");
  await page.goto(`${base}/cron?expr=${expr}&tz=UTC&count=50&from=2026-03-02T00:00:00Z`);
  await page.locator('main[data-hydrated="true"]').waitFor({ state: "attached", timeout: 30_000 });
  await page.getByLabel("Schedule expression").fill("cron(0 9 ? * MON-FRI *)");
  await page.getByTestId("description").filter({ hasText: "At 09:00 AM, Monday through Friday" })
    .waitFor({ timeout: 10_000 });
  // Each zone's first use reads its rules from the browser; the second Seoul is from memory.
  const expected = {
    "Asia/Seoul": "2026-03-03T00:00:00Z",
    "America/Los_Angeles": "2026-03-02T17:00:00Z",
    "Europe/Paris": "2026-03-02T08:00:00Z",
    "Asia/Kolkata": "2026-03-02T03:30:00Z",
  };
  for (const zone of ["Asia/Seoul", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata", "Asia/Seoul"]) {
    const ms = await page.evaluate(async (zone) => {
      const select = document.querySelector("#tz");
      const start = performance.now();
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      return performance.now() - start;
    }, zone);
    const first = await page.locator('[data-testid="runs"] time').first().getAttribute("datetime");
    console.log(`  zone ${zone.padEnd(20)} runs and UTC rule in ${ms.toFixed(1).padStart(6)} ms; first run ${first}`);
    if (first !== expected[zone]) fail(`in ${zone} the first run was ${first}, not ${expected[zone]}`);
  }
} catch (error) {
  fail(String(error));
} finally {
  await browser.close();
}
for (const error of errors) fail(`page error: ${error}`);
if (!process.exitCode) console.log("bundle check: the playground hydrates and works on the optimised bundle");
