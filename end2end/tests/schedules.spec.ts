import { expect, test, type Page } from "@playwright/test";
import { hydrated, logIn } from "./helpers";

// Runs after auth.spec.ts, which created Ada (admin of Platform) in the shared database, and
// resources.spec.ts, which connected the team to the emulator (seeded with the lab's function).
test("the lab's morning schedule: built with the visual builder, applied, in sync with its next runs", async ({ page }) => {
  await logIn(page);
  await page.goto("/schedules");
  await hydrated(page);
  await expect(page.getByText("No rules yet.")).toBeVisible();

  // The template's link loads the form anew: the server's page, then the form's own code.
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  await page.getByRole("link", { name: "Every day at 10:00 UTC, invoke a Lambda function" }).click();
  await expect(page).toHaveURL(/template=daily-lambda/);
  await hydrated(page);
  const expression = page.getByLabel("Schedule expression");
  await expect(expression).toHaveValue("cron(0 10 * * ? *)");
  // The server's panel is there (what the schedule means, its next runs), but not the cron
  // engine's code: that waits until the visitor turns to the schedule, its controls inert.
  await expect(page.getByTestId("description")).toContainText("10:00 AM");
  await expect(page.getByTestId("runs").locator("tbody tr")).toHaveCount(3);
  const panel = page.locator(".schedule-panel");
  await expect(panel).not.toHaveAttribute("data-live", "true");
  await expect(panel.locator('[data-field="hours"]').getByRole("button", { name: "18", exact: true })).toHaveAttribute("inert", "");
  await page.waitForTimeout(300);
  expect(fetched.filter((path) => path.includes("schedule_panel"))).toEqual([]);
  await expression.focus();
  await expect(panel).toHaveAttribute("data-live", "true");
  expect(fetched.filter((path) => path.includes("split_schedule_panel_"))).toHaveLength(1);

  // The builder writes the expression: 18:00 instead of 10:00.
  const hours = page.locator('[data-field="hours"]');
  await hours.getByRole("button", { name: "18", exact: true }).click();
  await hours.getByRole("button", { name: "10", exact: true }).click();
  await expect(expression).toHaveValue("cron(0 18 * * ? *)");
  await expect(page.getByTestId("description")).toContainText("06:00 PM");
  // The preview: the next three runs, at 18:00 UTC.
  const preview = page.getByTestId("runs").locator("tbody tr");
  await expect(preview).toHaveCount(3);
  await expect(preview.first().locator("td.utc")).toHaveText(/ 18:00$/);

  // A mistake typed in the text: the error points at it, and the builder follows the fix.
  await expression.fill("cron(0 18 * * *)");
  await expect(page.getByTestId("error")).toBeVisible();
  await expression.fill("cron(0 18 * * ? *)");
  await expect(page.getByTestId("error")).toHaveCount(0);

  await page.getByLabel("Name", { exact: true }).fill("lab-evening-count");
  // The function is picked from what Lambda has (the datalist the ARN field suggests from).
  const offered = page.locator('#lambda-functions option[value$=":function:belfry-lab-counter"]');
  await expect(offered).toBeAttached();
  const arn = await offered.getAttribute("value");
  expect(arn).toMatch(/^arn:aws:lambda:ap-northeast-2:\d{12}:function:belfry-lab-counter$/);

  // A wrong ARN first: the target says what is wrong.
  const target = page.getByTestId("target-0");
  await target.getByLabel("Lambda function ARN").fill("arn:aws:sqs:ap-northeast-2:123456789012:nope");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.locator("#rule-target-0-error")).toContainText("Target 1: give a Lambda function ARN");
  await target.getByLabel("Lambda function ARN").fill(arn!);
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByRole("status")).toContainText("Nothing changes in AWS until the plan is applied");
  await hydrated(page);
  await expect(page.getByLabel("Schedule expression")).toHaveValue("cron(0 18 * * ? *)");

  await page.goto("/plan");
  await hydrated(page);
  await expect(page.getByTestId("plan-steps")).toContainText("rule lab-evening-count");
  await page.getByRole("button", { name: "Apply" }).click();
  const progress = page.getByTestId("progress");
  await expect(progress.locator('tr[data-name="lab-evening-count"]')).toContainText("in sync", { timeout: 20_000 });

  await page.goto("/schedules");
  await hydrated(page);
  const row = page.getByTestId("rules").locator('tr[data-name="lab-evening-count"]');
  await expect(row.getByTestId("status")).toHaveText("in sync");
  await expect(row).toContainText("cron(0 18 * * ? *)");
  const runs = row.getByTestId("next-runs").locator("li");
  await expect(runs).toHaveCount(3);
  for (const run of await runs.all()) {
    await expect(run).toHaveText(/^\d{4}-\d{2}-\d{2} 18:00$/);
  }

  // In Korean too.
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(row.getByTestId("rule-description")).toContainText("오후 6:00");
  await page.getByRole("button", { name: "English" }).click();
});

test("a Scheduler schedule in New York: written in its own zone, applied, in sync", async ({ page }) => {
  await logIn(page);
  await page.goto("/schedules");
  await hydrated(page);
  await page.getByRole("link", { name: "New Scheduler schedule" }).click();
  await expect(page).toHaveURL(/\/schedules\/scheduler\/new$/);
  await hydrated(page);
  await expect(page.getByLabel("Time zone")).toHaveValue("America/New_York");
  // The preview reads the expression in New York: 09:00 there, 14:00 UTC in winter.
  await expect(page.getByTestId("runs").locator("td.utc").first()).toHaveText(/ 1[34]:00$/);
  await page.getByLabel("Name", { exact: true }).fill("lab-ny-mornings");
  const offered = page.locator('#lambda-functions option[value$=":function:belfry-lab-counter"]');
  await expect(offered).toBeAttached();
  await page.getByLabel("Target ARN").fill((await offered.getAttribute("value"))!);
  // No role yet: the field says what it needs.
  await page.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.locator("#rule-role_arn-error")).toContainText("IAM role ARN");
  await page.getByLabel("Role ARN Scheduler assumes").fill("arn:aws:iam::123456789012:role/belfry-scheduler");
  await page.getByRole("button", { name: "Save schedule" }).click();
  await expect(page).toHaveURL(/\/schedules\/scheduler\/[0-9a-f-]{36}\?saved=1$/);

  await page.goto("/plan");
  await hydrated(page);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("progress").locator('tr[data-name="default/lab-ny-mornings"]')).toContainText("in sync", { timeout: 20_000 });

  await page.goto("/schedules");
  await hydrated(page);
  const row = page.getByTestId("scheduler-schedules").locator('tr[data-name="default/lab-ny-mornings"]');
  await expect(row.getByTestId("status")).toHaveText("in sync");
  await expect(row).toContainText("cron(0 9 ? * MON-FRI *) in America/New_York");
  await expect(row.getByTestId("next-runs").locator("li")).toHaveCount(3);
});

test("a rule on an event pattern: checked as it is typed, saved, applied, and listed as running on events", async ({ page }) => {
  await logIn(page);
  await page.goto("/schedules/new");
  await hydrated(page);
  await page.getByLabel("When an event matches a pattern").check();
  const pattern = page.getByLabel("Event pattern (JSON)");
  const check = page.getByTestId("pattern-check");
  // Each mistake is named as it is typed.
  await pattern.fill('{"source": "aws.ec2"}');
  await expect(check).toContainText("must be a list of values");
  await pattern.fill('{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]');
  await expect(check).toContainText("not JSON at line 1");
  await pattern.fill('{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}');
  await expect(check).toContainText("The pattern is valid.");

  await page.getByLabel("Name", { exact: true }).fill("lab-instance-changes");
  const offered = page.locator('#lambda-functions option[value$=":function:belfry-lab-counter"]');
  await expect(offered).toBeAttached();
  const arn = await offered.getAttribute("value");
  await page.getByTestId("target-0").getByLabel("Lambda function ARN").fill(arn!);
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}\?saved=1$/);
  await hydrated(page);
  await expect(page.getByLabel("Event pattern (JSON)")).toHaveValue(/"aws\.ec2"/);

  await page.goto("/plan");
  await hydrated(page);
  await expect(page.getByTestId("plan-steps")).toContainText("rule lab-instance-changes");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("progress").locator('tr[data-name="lab-instance-changes"]')).toContainText("in sync", { timeout: 20_000 });

  await page.goto("/schedules");
  await hydrated(page);
  const row = page.getByTestId("rules").locator('tr[data-name="lab-instance-changes"]');
  await expect(row.getByTestId("status")).toHaveText("in sync");
  await expect(row).toContainText("When an event matches");
  await expect(row).toContainText("Runs on events");
});
