// Part of scripts/bundle-size, which has just run the playground's browser tests
// (end2end/tests/cron.spec.ts) on the optimised bundle: how long choosing a zone takes in that
// release build, from the change to the page showing the zone's 50 runs and its UTC rule. A
// zone's first use reads its rules from the browser (app/src/cron/tz.rs); the second Seoul is
// from memory. Figures only: it fails on a page error, never on a time.
// Usage: node scripts/zone-timing.mjs http://127.0.0.1:PORT
import { launchChromium } from "../end2end/chromium.cjs";

const browser = await launchChromium();
const errors = [];
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => errors.push(String(error)));
  const expr = encodeURIComponent("cron(0 9 ? * MON-FRI *)");
  await page.goto(`${process.argv[2]}/cron?expr=${expr}&tz=UTC&count=50&from=2026-03-02T00:00:00Z`);
  await page.locator('main[data-hydrated="true"]').waitFor({ state: "attached", timeout: 30_000 });
  for (const zone of ["Asia/Seoul", "America/Los_Angeles", "Europe/Paris", "Asia/Kolkata", "Asia/Seoul"]) {
    const ms = await page.evaluate(async (zone) => {
      const select = document.querySelector("#tz");
      const start = performance.now();
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      return performance.now() - start;
    }, zone);
    console.log(`  zone ${zone.padEnd(20)} runs and UTC rule in ${ms.toFixed(1).padStart(6)} ms`);
  }
} finally {
  await browser.close();
}
for (const error of errors) console.error(`page error: ${error}`);
if (errors.length) process.exit(1);
