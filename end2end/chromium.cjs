// Debian's Chromium, as every browser run of Belfry's launches it: the tests
// (playwright.config.ts) and the scripts that measure a served bundle (scripts/zone-timing.mjs,
// scripts/first-visit.mjs). Playwright's own browser download cannot work without the
// internet; the flags keep Chromium from calling home (this machine's network is closed) and
// let it run as root. CommonJS, which both Playwright's config loader and Node's ES modules read.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
exports.launchOptions = launchOptions;

// Chromium through playwright-core, for a script outside Playwright's test runner.
exports.launchChromium = () => require("playwright-core").chromium.launch(launchOptions);
