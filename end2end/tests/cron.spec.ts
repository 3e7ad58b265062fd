import { expect, test, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

const FROM = "2026-03-05T00:00:00Z";

function playground(expr: string, tz = "UTC", extra = "") {
  return `/cron?expr=${encodeURIComponent(expr)}&tz=${encodeURIComponent(tz)}${extra}`;
}

async function runInstants(page: Page): Promise<string[]> {
  return page.locator('[data-testid="runs"] time').evaluateAll((times) => times.map((t) => t.getAttribute("datetime") ?? ""));
}

// The playground hydrated in UTC, counting `count` runs from `from`: a zone chosen after this
// is the page's to compute, with the browser's own zone rules.
async function openInUtc(page: Page, expr: string, from: string, count: number) {
  await page.goto(playground(expr, "UTC", `&from=${from}&count=${count}`));
  await hydrated(page);
}

// Chooses `zone` and waits for the page's runs in it, the first at `firstRun`.
async function runsIn(page: Page, zone: string, firstRun: string): Promise<string[]> {
  await page.locator("#tz").selectOption(zone);
  await expect(page.locator('[data-testid="runs"] time').first()).toHaveAttribute("datetime", firstRun);
  return runInstants(page);
}

test("typing updates the description and the next runs without any network request", async ({ page }) => {
  await page.goto(playground("cron(0 10 * * ? *)"));
  await hydrated(page);
  const requests: string[] = [];
  // The browser fetches the icon when it likes; that is the page's, not the typing's.
  page.on("request", (request) => {
    if (!request.url().endsWith("/favicon.svg")) requests.push(request.url());
  });

  const input = page.getByLabel("Schedule expression");
  await input.fill("cron(30 8 ? * MON-FRI *)");

  await expect(page.getByTestId("description")).toHaveText("At 08:30 AM, Monday through Friday");
  await expect(page.locator('[data-testid="runs"] time')).toHaveCount(10);
  const runs = await runInstants(page);
  for (const run of runs) {
    expect(run).toMatch(/T08:30:00Z$/);
    const day = new Date(run).getUTCDay();
    expect(day >= 1 && day <= 5, `${run} is a weekday`).toBe(true);
  }
  // The address bar follows the expression, so the view can be shared.
  expect(decodeURIComponent(new URL(page.url()).search)).toContain("expr=cron(30 8 ? * MON-FRI *)");
  expect(requests).toEqual([]);
});

test("an invalid expression is underlined where the mistake is, with a fix", async ({ page }) => {
  await page.goto(playground("cron(0 12 ? * 1 *)"));
  await hydrated(page);
  const input = page.getByLabel("Schedule expression");
  await input.fill("cron(0 12 ? * 0 *)");

  const mark = page.getByTestId("error-span");
  await expect(mark).toHaveText("0");
  // The underlined 0 is the day-of-week field's, not the minute's.
  await expect(mark).toHaveAttribute("data-start", String("cron(0 12 ? * ".length));
  await expect(page.getByTestId("error")).toContainText("day-of-week");
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("no-runs")).toBeVisible();

  await page.getByRole("button", { name: /Apply the fix/ }).click();
  await expect(input).toHaveValue("cron(0 12 ? * 1 *)");
  await expect(page.getByTestId("error")).toHaveCount(0);
  await expect(input).toHaveAttribute("aria-invalid", "false");
});

test("a builder edit changes the text, and a text edit changes the builder", async ({ page }) => {
  await page.goto(playground("cron(0 10 * * ? *)"));
  await hydrated(page);
  const input = page.getByLabel("Schedule expression");

  // Builder → text: add 18:00 to the hours.
  const hours = page.locator('[data-field="hours"]');
  await hours.getByRole("button", { name: "18", exact: true }).click();
  await expect(input).toHaveValue("cron(0 10,18 * * ? *)");
  await expect(page.getByTestId("description")).toHaveText("At 10:00 AM and 06:00 PM");

  // Builder → text: minutes every 15.
  await page.locator("#mode-minutes").selectOption("step");
  await expect(input).toHaveValue("cron(0/15 10,18 * * ? *)");

  // Text → builder: the first Monday switches the days to "by day of the week".
  await input.fill("cron(0 9 ? * 2#1 *)");
  await expect(page.getByLabel("By day of the week")).toBeChecked();
  await expect(page.locator("#mode-day-of-week")).toHaveValue("nth-weekday");
  await expect(page.locator("#mode-minutes")).toHaveValue("values");

  // Builder → text: the either-or of the day fields.
  await page.getByLabel("By day of the month").check();
  await expect(input).toHaveValue("cron(0 9 * * ? *)");
});

test("pasted Unix cron shows its AWS form and what changed", async ({ page }) => {
  await page.goto(playground("cron(0 10 * * ? *)"));
  await hydrated(page);
  const input = page.getByLabel("Schedule expression");
  await input.fill("0 9 * * 1-5");
  await expect(page.getByTestId("aws-form")).toHaveText("cron(0 9 ? * MON-FRI *)");
  await expect(page.getByTestId("conversion")).toContainText("AWS counts Sunday as 1");
  await page.getByRole("button", { name: "Use the AWS form" }).click();
  await expect(input).toHaveValue("cron(0 9 ? * MON-FRI *)");
});

test("runs are shown in the chosen zone and daylight-saving changes are marked", async ({ page }) => {
  await page.goto(playground("cron(30 2 * * ? *)", "America/Los_Angeles", `&from=${FROM}&count=5`));
  await hydrated(page);
  // 02:30 on 8 March 2026 does not exist in Los Angeles: that day is skipped.
  expect(await runInstants(page)).toEqual([
    "2026-03-05T10:30:00Z",
    "2026-03-06T10:30:00Z",
    "2026-03-07T10:30:00Z",
    "2026-03-09T09:30:00Z",
    "2026-03-10T09:30:00Z",
  ]);
  await expect(page.getByTestId("dst-shift")).toHaveCount(1);
  await expect(page.getByTestId("dst-shift")).toContainText("UTC−8 → UTC−7");
  await expect(page.locator('[data-testid="runs"] tbody tr').nth(3)).toContainText("2026-03-09 Mon 02:30");

  await page.locator("#tz").selectOption("Asia/Seoul");
  await expect(page.locator('[data-testid="runs"] time').first()).toHaveAttribute("datetime", "2026-03-05T17:30:00Z");
  await expect(page.getByTestId("dst-shift")).toHaveCount(0);
});

test("in the browser, the zone's rules are the browser's own: a repeated hour runs once, a skipped one not at all", async ({ page }) => {
  // The wasm carries no zone table (app/src/cron/tz.rs): each zone chosen here is read from
  // the browser's Intl, and these runs are computed in the page, not by the server.
  await openInUtc(page, "cron(30 1 * * ? *)", "2026-10-30T00:00:00Z", 4);
  // 01:30 on 1 November 2026 happens twice in Los Angeles (PDT, then PST): one run, the first.
  expect(await runsIn(page, "America/Los_Angeles", "2026-10-30T08:30:00Z")).toEqual([
    "2026-10-30T08:30:00Z",
    "2026-10-31T08:30:00Z",
    "2026-11-01T08:30:00Z",
    "2026-11-02T09:30:00Z",
  ]);
  await expect(page.getByTestId("dst-shift")).toHaveCount(1);
  await expect(page.getByTestId("dst-shift")).toContainText("UTC−7 → UTC−8");

  // 02:30 on 8 March 2026 never happens in New York: that day has no run.
  await openInUtc(page, "cron(30 2 * * ? *)", "2026-03-06T00:00:00Z", 4);
  expect(await runsIn(page, "America/New_York", "2026-03-06T07:30:00Z")).toEqual([
    "2026-03-06T07:30:00Z",
    "2026-03-07T07:30:00Z",
    "2026-03-09T06:30:00Z",
    "2026-03-10T06:30:00Z",
  ]);
  // Seoul has no daylight saving: its UTC rule is found from the browser's rules too.
  await page.locator("#tz").selectOption("Asia/Seoul");
  await expect(page.getByTestId("utc-expression")).toHaveText("cron(30 17 * * ? *)");
});

test("the page's runs, from the browser's zone rules, are the server's, in zones with odd offsets and clock changes", async ({ page, request }) => {
  // Sundays at 01:30 and 02:30, when clocks change: for 25 weeks from March, so both
  // hemispheres' changes are in it. The server reads chrono-tz's rules, the page the browser's.
  const expr = "cron(30 1,2 ? * SUN *)";
  const from = "2026-03-01T00:00:00Z";
  await openInUtc(page, expr, from, 50);
  const zones = ["Europe/Dublin", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago", "Asia/Kathmandu"];
  for (const zone of zones) {
    const answer = await request.get(
      `/api/v1/cron/next?expr=${encodeURIComponent(expr)}&from=${from}&count=50&tz=${encodeURIComponent(zone)}`,
    );
    expect(answer.ok()).toBe(true);
    const server = ((await answer.json()).runs as string[]).map((run) => new Date(run).toISOString());
    expect(server).toHaveLength(50);
    await page.locator("#tz").selectOption(zone);
    await expect
      .poll(async () => (await runInstants(page)).map((run) => new Date(run).toISOString()), { message: zone })
      .toEqual(server);
  }
});

test.describe("in a browser set to Seoul", () => {
  test.use({ timezoneId: "Asia/Seoul" });

  test("a link without a zone opens in the visitor's own zone, and the zone list says so", async ({ page }) => {
    await page.goto(`/cron?expr=${encodeURIComponent("cron(0 9 ? * MON-FRI *)")}&from=2026-03-05T00:00:00Z`);
    await hydrated(page);
    await expect(page.locator("#tz")).toHaveValue("Asia/Seoul");
    // 09:00 in Seoul is 00:00 UTC.
    await expect(page.locator('[data-testid="runs"] time').first()).toHaveAttribute("datetime", "2026-03-06T00:00:00Z");
    await page.locator("#tz").selectOption("Europe/Paris");
    await expect(page.locator("#tz")).toHaveValue("Europe/Paris");
    await expect(page.locator('[data-testid="runs"] time').first()).toHaveAttribute("datetime", "2026-03-05T08:00:00Z");
  });
});

test("an example fills the expression in one click", async ({ page }) => {
  await page.goto(playground("cron(0 10 * * ? *)"));
  await hydrated(page);
  await page.getByRole("link", { name: /The first Monday of the month/ }).click();
  await expect(page.getByLabel("Schedule expression")).toHaveValue("cron(0 10 ? * 2#1 *)");
  await expect(page.getByTestId("description")).toHaveText("At 10:00 AM, on the first Monday of the month");
});

test("the Korean UI describes the schedule in Korean", async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: "belfry-lang", value: "ko", url: baseURL! }]);
  await page.goto(playground("cron(0 9 ? * MON-FRI *)", "Asia/Seoul"));
  await expect(page.getByTestId("description")).toHaveText("매주 월요일부터 금요일까지 오전 9:00에");
  await hydrated(page);
  await page.getByLabel("일정 표현식").fill("cron(15 10 ? * 6L 2002-2025)");
  await expect(page.getByTestId("description")).toHaveText("2002년부터 2025년까지 매월 마지막 금요일 오전 10:15에");
  await expect(page.getByTestId("no-runs")).toHaveText("이 일정은 그 이후로 실행되지 않습니다.");
  // Back to English in place: the description follows.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByTestId("description")).toHaveText("At 10:15 AM, on the last Friday of the month, 2002 through 2025");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a shared link renders the same preview on the server", async ({ page }) => {
    const url = playground("cron(0 9 ? * MON-FRI *)", "Asia/Seoul", `&from=${FROM}`);
    await page.goto(url);
    await expect(page.getByLabel("Schedule expression")).toHaveValue("cron(0 9 ? * MON-FRI *)");
    await expect(page.getByTestId("description")).toHaveText("At 09:00 AM, Monday through Friday");
    await expect(page.locator("#tz")).toHaveValue("Asia/Seoul");
    const runs = await runInstants(page);
    // 09:00 in Seoul is 00:00 UTC; from Thursday 5 March 2026 (09:00 KST, excluded).
    expect(runs.slice(0, 3)).toEqual(["2026-03-06T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"]);
    await expect(page.locator('[data-testid="runs"] tbody tr').first()).toContainText("2026-03-06 Fri 09:00");

    // The form works without JavaScript too: a new expression, the server's answer.
    await page.getByLabel("Schedule expression").fill("cron(0 12 ? * 0 *)");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page.getByTestId("error-span")).toHaveText("0");
  });
});

test("a schedule written in Seoul shows its UTC rule, which runs at the same moments", async ({ page }) => {
  await page.goto(`/cron?expr=${encodeURIComponent("cron(0 9 ? * MON-FRI *)")}&tz=Asia%2FSeoul`);
  await hydrated(page);
  await expect(page.getByTestId("utc-expression")).toHaveText("cron(0 0 ? * MON-FRI *)");
  // Put into a rule as it is, the expression would run at 18:00 in Seoul: the page warns.
  await expect(page.getByTestId("utc-warning")).toContainText("18:00");
  const utcColumn = page.getByTestId("runs").locator("td.utc");
  await expect(utcColumn.first()).toHaveText(/ 00:00$/);
  const seoulRuns = await utcColumn.allTextContents();

  await page.getByTestId("open-utc").click();
  await expect(page).toHaveURL(/tz=UTC/);
  await hydrated(page);
  await expect(page.getByLabel("Schedule expression")).toHaveValue("cron(0 0 ? * MON-FRI *)");
  await expect(page.getByTestId("utc-rule")).toHaveCount(0);
  await expect(utcColumn).toHaveText(seoulRuns);

  // New York changes its clocks: no rule can follow, and the page says why.
  await page.goto(`/cron?expr=${encodeURIComponent("cron(0 9 ? * MON-FRI *)")}&tz=America%2FNew_York`);
  await hydrated(page);
  await expect(page.getByTestId("utc-none")).toContainText("daylight saving");
});
