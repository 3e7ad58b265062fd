import { expect, test, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

/** The paths of the wasm files the page asks for ("request") or receives whole
 * ("requestfinished"), in order, as the page goes on. */
function wasmFetched(page: Page, event: "request" | "requestfinished"): string[] {
  const fetched: string[] = [];
  page.on(event, (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) fetched.push(path);
  });
  return fetched;
}

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

test("the playground loads its own page's code in one pack, and a section's only when a visitor heads there", async ({ page }) => {
  // The splitter's manifest: for each section, the wasm modules its views need beside the main
  // one. A first visit gets them in one download, the section's pack (tools/wasm-split/src/pack.rs).
  const sections: Record<string, string[]> = await (await page.request.get("/pkg/__belfry_sections.json")).json();
  // Leptos' manifest, which the server reads for the page's preload links: each section's pack.
  const packs: Record<string, string[]> = await (await page.request.get("/pkg/__wasm_split_manifest.json")).json();
  // The sections' lazily loaded functions are named `<section>_<hash>` (app/src/pages/lazy.rs).
  const keyOf = (section: string) => {
    const key = Object.keys(sections).find((k) => k.startsWith(`${section}_`));
    expect(key, `no lazy function for ${section} in ${Object.keys(sections)}`).toBeTruthy();
    return key!;
  };
  const modulesOf = (section: string) => sections[keyOf(section)].map((m) => `/pkg/${m}.wasm`);
  const packOf = (section: string) => {
    const [pack] = packs[keyOf(section)];
    // Named by its content, so a pack cached from an earlier build is never this one's.
    expect(pack).toMatch(new RegExp(`^pack_${keyOf(section)}_[0-9a-f]{16}$`));
    return `/pkg/${pack}.wasm`;
  };
  const cron = modulesOf("cron_section");
  const alarmsOnly = modulesOf("alarms_section").filter((m) => !cron.includes(m));
  expect(cron.length).toBeGreaterThan(1);
  expect(alarmsOnly.length).toBeGreaterThan(0);

  const fetched = wasmFetched(page, "request");
  const caching = new Map<string, string>();
  page.on("response", async (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) caching.set(path, (await r.allHeaders())["cache-control"] ?? "none");
  });
  const response = await page.goto("/cron");
  // The server names the page's pack in the page, so it downloads beside the main module.
  const html = await response!.text();
  const preloaded = await page.evaluate(
    (html) =>
      [...new DOMParser().parseFromString(html, "text/html").querySelectorAll('link[rel="preload"]')].map((l) =>
        l.getAttribute("href"),
      ),
    html,
  );
  expect(preloaded).toContain(packOf("cron_section"));
  expect(preloaded).not.toContain(packOf("alarms_section"));
  await hydrated(page);
  // Hydrated: the playground answers typing.
  await page.getByLabel("Schedule expression").fill("cron(30 8 ? * MON-FRI *)");
  await expect(page.getByTestId("description")).toHaveText("At 08:30 AM, Monday through Friday");
  // The main module and the pack, once each: every module of the section came out of the pack.
  expect([...fetched].sort()).toEqual(["/pkg/belfry.wasm", packOf("cron_section")].sort());
  // The pack is named by its content and kept; the main module keeps its name, so it is asked
  // again on the next visit (a deploy must not leave a browser mixing two builds).
  await expect.poll(() => caching.get(packOf("cron_section"))).toBe("public, max-age=31536000, immutable");
  await expect.poll(() => caching.get("/pkg/belfry.wasm")).toBe("no-cache");

  // Heading for a section loads its code before the click (the pointer over its link, or the
  // keyboard's focus on it): the modules the visitor lacks, one by one, not the section's pack.
  const nav = page.getByRole("navigation", { name: "Main" });
  const schedulesOnly = modulesOf("schedules_section").filter((m) => !cron.includes(m) && !alarmsOnly.includes(m));
  expect(schedulesOnly.length).toBeGreaterThan(0);
  await nav.getByRole("link", { name: "Alarms" }).hover();
  await expect.poll(() => alarmsOnly.filter((m) => !fetched.includes(m))).toEqual([]);
  for (const m of schedulesOnly) expect(fetched).not.toContain(m);
  await nav.getByRole("link", { name: "Schedules" }).focus();
  await expect.poll(() => schedulesOnly.filter((m) => !fetched.includes(m))).toEqual([]);
  // The account corner is the server's HTML, and its links warm their section all the same.
  const entryLeft = modulesOf("entry_section").filter((m) => !cron.includes(m) && !fetched.includes(m));
  expect(entryLeft.length).toBeGreaterThan(0);
  await page.getByRole("link", { name: "Log in", exact: true }).hover();
  await expect.poll(() => entryLeft.filter((m) => !fetched.includes(m))).toEqual([]);

  await nav.getByRole("link", { name: "Alarms" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alarms");
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();
  // A list and its form are sections apart: the list's link to the form warms the form's
  // section, as the header's links do theirs.
  const formLeft = modulesOf("alarm_edit_section").filter((m) => !cron.includes(m) && !fetched.includes(m));
  expect(formLeft.length).toBeGreaterThan(0);
  await page.getByRole("link", { name: "New alarm" }).hover();
  await expect.poll(() => formLeft.filter((m) => !fetched.includes(m))).toEqual([]);
  await page.getByRole("link", { name: "New alarm" }).click();
  await expect(page).toHaveURL(/\/alarms\/new$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("New alarm");
  // Nothing twice, nothing the pack had already brought, and no other section's pack.
  expect(fetched.filter((m, i) => fetched.indexOf(m) !== i)).toEqual([]);
  for (const m of cron) expect(fetched).not.toContain(m);
  expect(fetched.filter((m) => m.includes("/pack_"))).toEqual([packOf("cron_section")]);
});

test("a link that loads its page anew warms nothing; the page's own links warm their section", async ({ page }) => {
  const sections: Record<string, string[]> = await (await page.request.get("/pkg/__belfry_sections.json")).json();
  const modulesOf = (section: string) =>
    sections[Object.keys(sections).find((k) => k.startsWith(`${section}_`))!].map((m) => `/pkg/${m}.wasm`);
  // The list's own modules come in its pack; the forms' others, one by one, when warmed.
  const list = modulesOf("schedules_section");
  const forms = modulesOf("rule_edit_section").filter((m) => !list.includes(m));
  const fetched = wasmFetched(page, "request");
  await page.goto("/schedules");
  await hydrated(page);
  const before = new Set(fetched);
  const formsLeft = forms.filter((m) => !before.has(m));
  expect(formsLeft.length).toBeGreaterThan(0);
  // A template's link reloads the page (rel="external"), which brings the section in its pack.
  await page.getByRole("link", { name: "Every day at 10:00 UTC, invoke a Lambda function" }).hover();
  await page.waitForTimeout(500);
  const afterTemplate = fetched.length;
  const panel = () => fetched.filter((m) => m.includes("/split_schedule_panel_"));
  expect(panel()).toEqual([]);
  // The list's own link to the form warms the form's section: the control that this would
  // have been seen.
  await page.getByRole("link", { name: "New rule" }).hover();
  await expect.poll(() => formsLeft.filter((m) => !fetched.includes(m))).toEqual([]);
  for (const m of formsLeft) expect(fetched.indexOf(m)).toBeGreaterThanOrEqual(afterTemplate);
  // A form the browser renders shows its cron panel at once: the link warms that split too.
  await expect.poll(() => panel().length).toBe(1);
});

test("a page hydrates from its own section's marker, even when its preload links are lost", async ({ page }) => {
  // The page waits for its section before hydrating, in one synchronous pass; which section
  // comes from a marker the section's view renders, not from the server's preload links,
  // which a proxy or a stale manifest can drop. Here they are stripped from the HTML.
  await page.route("**/schedules", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(/<link[^>]*pack_[^>]*>/g, "");
    expect(html).not.toContain("_section_");
    await route.fulfill({ response, body: html });
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const fetched = wasmFetched(page, "request");
  await page.goto("/schedules");
  await expect(page.locator('main [data-section="schedules_section"]')).toBeAttached();
  await hydrated(page);
  // Without the pack's link, the loader fetched the section's modules one by one.
  expect(fetched.filter((m) => m.includes("/pack_"))).toEqual([]);
  expect(fetched.filter((m) => m.includes("/split_schedules_section_"))).toHaveLength(1);
  // Hydrated: the language switch works in place, without the form's reload.
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("일정");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Schedules");
  expect(errors).toEqual([]);
});

test("when the pack cannot be had, the page loads its section's modules one by one", async ({ page }) => {
  await page.route("**/pkg/pack_*", (route) => route.abort("connectionreset"));
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  const fetched = wasmFetched(page, "requestfinished");
  await page.goto("/cron");
  await hydrated(page);
  // Hydrated: the playground answers typing.
  await page.getByLabel("Schedule expression").fill("cron(30 8 ? * MON-FRI *)");
  await expect(page.getByTestId("description")).toHaveText("At 08:30 AM, Monday through Friday");
  // The section's own module, fetched alone, once.
  expect(fetched.filter((m) => m.includes("/split_cron_section_"))).toHaveLength(1);
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

  test("the sign-in form still signs in, posted as a plain form", async ({ page }) => {
    // Ada, whom auth.spec.ts signed up. The form reads its own fields only with JavaScript
    // (ReadForm); without it, the browser posts the fields to the server function.
    await page.goto("/login");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.goto("/settings");
    await expect(page.getByTestId("who")).toContainText("Platform (admin)");
  });
});
