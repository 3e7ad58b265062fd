import { defineConfig } from "@playwright/test";
// Debian's Chromium and its flags, shared with the scripts that measure a served bundle.
import { launchOptions } from "./chromium.cjs";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    browserName: "chromium",
    launchOptions,
    trace: "off",
  },
});
