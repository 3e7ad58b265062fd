import { expect, test, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

test("the server renders the shell with every section in the navigation", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Alarms", "Subscriptions", "Schedules", "Load balancers", "Cron playground"]) {
    await expect(nav.getByRole("link", { name })).toBeVisible();
  }
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("the language switch changes the page in place once hydrated, and the choice persists", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // A marker on window survives only if the page is not reloaded: the switch must work
  // through the hydrated app, not through the no-JavaScript form post.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByRole("button", { name: "한국어" }).click();

  await expect(page.locator("nav").getByRole("link", { name: "경보", exact: true })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  await expect(page.getByRole("button", { name: "한국어" })).toHaveAttribute("aria-pressed", "true");
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // The server renders the next request in Korean: the cookie carried the choice.
  const html = await (await page.request.get("/alarms")).text();
  expect(html).toContain("경보");
  expect(html).toContain('lang="ko"');

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("AWS 구성을 선언으로 관리하세요");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your AWS plumbing, declared");
});

test("client-side navigation reaches every section, each asking a visitor to log in", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Alarms" }).click();
  await expect(page).toHaveURL(/\/alarms$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alarms");
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();
  await nav.getByRole("link", { name: "Load balancers" }).click();
  await expect(page).toHaveURL(/\/load-balancers$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Load balancers");
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();
});

test("the playground loads its own page's code, and a section's only when a visitor heads there", async ({ page }) => {
  // The splitter's manifest: for each page, the wasm modules its view needs beside the main one.
  const manifest: Record<string, string[]> = await (await page.request.get("/pkg/__wasm_split_manifest.json")).json();
  // The sections' lazily loaded functions are named `<section>_<hash>` (app/src/pages/lazy.rs).
  const modulesOf = (section: string) => {
    const key = Object.keys(manifest).find((k) => k.startsWith(`${section}_`));
    expect(key, `no lazy function for ${section} in ${Object.keys(manifest)}`).toBeTruthy();
    return manifest[key!].map((m) => `/pkg/${m}.wasm`);
  };
  const cron = modulesOf("cron_section");
  const alarmsOnly = modulesOf("alarms_section").filter((m) => !cron.includes(m));
  expect(alarmsOnly.length).toBeGreaterThan(0);

  const fetched: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) fetched.push(path);
  });
  const response = await page.goto("/cron");
  // The server names the page's modules in the page, so they download beside the main one.
  const html = await response!.text();
  const preloaded = await page.evaluate(
    (html) =>
      [...new DOMParser().parseFromString(html, "text/html").querySelectorAll('link[rel="preload"]')].map((l) =>
        l.getAttribute("href"),
      ),
    html,
  );
  for (const m of cron) expect(preloaded).toContain(m);
  for (const m of alarmsOnly) expect(preloaded).not.toContain(m);
  await hydrated(page);
  // Hydrated: the playground answers typing.
  await page.getByLabel("Schedule expression").fill("cron(30 8 ? * MON-FRI *)");
  await expect(page.getByTestId("description")).toHaveText("At 08:30 AM, Monday through Friday");
  expect(fetched).toContain("/pkg/belfry.wasm");
  for (const m of cron) expect(fetched).toContain(m);
  for (const m of alarmsOnly) expect(fetched).not.toContain(m);
  // Each module once: the loader's fetch takes the preloaded copy rather than asking again.
  expect(fetched.filter((m, i) => fetched.indexOf(m) !== i)).toEqual([]);

  // Heading for a section loads its code before the click: the pointer over its link, or the
  // keyboard's focus on it.
  const nav = page.getByRole("navigation", { name: "Main" });
  const schedulesOnly = modulesOf("schedules_section").filter((m) => !cron.includes(m) && !alarmsOnly.includes(m));
  expect(schedulesOnly.length).toBeGreaterThan(0);
  await nav.getByRole("link", { name: "Alarms" }).hover();
  await expect.poll(() => alarmsOnly.filter((m) => !fetched.includes(m))).toEqual([]);
  for (const m of schedulesOnly) expect(fetched).not.toContain(m);
  await nav.getByRole("link", { name: "Schedules" }).focus();
  await expect.poll(() => schedulesOnly.filter((m) => !fetched.includes(m))).toEqual([]);

  await nav.getByRole("link", { name: "Alarms" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alarms");
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();
  // Hovering, then clicking, fetched nothing twice.
  expect(fetched.filter((m, i) => fetched.indexOf(m) !== i)).toEqual([]);
});

test("a page hydrates from its own section's marker, even when its preload links are lost", async ({ page }) => {
  // The page waits for its section before hydrating, in one synchronous pass; which section
  // comes from a marker the section's view renders, not from the server's preload links,
  // which a proxy or a stale manifest can drop. Here they are stripped from the HTML.
  await page.route("**/schedules", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(/<link[^>]*split_[^>]*>/g, "");
    expect(html).not.toContain("_section_");
    await route.fulfill({ response, body: html });
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto("/schedules");
  await expect(page.locator('main [data-section="schedules_section"]')).toBeAttached();
  await hydrated(page);
  // Hydrated: the language switch works in place, without the form's reload.
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("일정");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Schedules");
  expect(errors).toEqual([]);
});

test("an unknown address answers 404 with a way home", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page.getByRole("link", { name: "Back to the home page" })).toBeVisible();
  // Outside every section, it has no section to wait for, and hydrates.
  await expect(page.locator("main [data-section]")).toHaveCount(0);
  await hydrated(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the language switch still works through the form", async ({ page }) => {
    await page.goto("/schedules");
    await page.getByRole("button", { name: "한국어" }).click();
    await expect(page).toHaveURL(/\/schedules$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("일정");
  });
});
