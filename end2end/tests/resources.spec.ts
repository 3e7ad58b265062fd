import { expect, test, type Page } from "@playwright/test";
import { hydrated, logIn } from "./helpers";

// Runs after auth.spec.ts, which created Ada (admin of Platform) in the shared database.
test("the AWS connection and the password are set from the settings, errors in Korean too", async ({ page }) => {
  await logIn(page);
  await page.goto("/settings");
  await hydrated(page);
  await page.getByRole("link", { name: "AWS connection" }).click();
  await expect(page).toHaveURL(/\/settings\/aws$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("AWS connection");
  await hydrated(page);

  await page.getByLabel("Region").fill("Seoul");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("A region looks like ap-northeast-2");
  // The same error reads in Korean once the language is switched.
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("alert")).toContainText("리전은 ap-northeast-2나 us-east-1 같은 형태입니다.");
  await page.getByRole("button", { name: "English" }).click();

  await page.getByLabel("Region").fill("ap-northeast-2");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByTestId("external-id")).toHaveText(/^belfry-[0-9a-f]{64}$/);

  // Self-heal is the team's choice, off until an admin turns it on.
  await page.goto("/settings");
  await hydrated(page);
  await expect(page.getByTestId("self-heal")).toContainText("Off:");
  await page.getByRole("button", { name: "Turn self-heal on" }).click();
  await expect(page.getByTestId("self-heal")).toContainText("On:");
  await page.getByRole("button", { name: "Turn self-heal off" }).click();
  await expect(page.getByTestId("self-heal")).toContainText("Off:");

  await page.getByRole("link", { name: "Change your password" }).click();
  await expect(page).toHaveURL(/\/settings\/password$/);
  await hydrated(page);
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("The current password is wrong.");
  await page.getByLabel("Current password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Password changed.");

  // Put it back for the next test, through the same form. The message is on screen already,
  // so wait for the server's answer itself.
  await page.getByLabel("Current password").fill("a brand new passphrase");
  await page.getByLabel("New password").fill("correct horse battery staple");
  const answered = page.waitForResponse((r) => r.url().includes("/api/fn/change_password"));
  await page.getByRole("button", { name: "Change password" }).click();
  expect((await answered).status()).toBe(200);
  await expect(page.getByRole("status")).toContainText("Password changed.");
});

test("the lab's alarm: a topic, an email subscription, the VolumeWriteBytes alarm, plan, apply, in sync", async ({ page }) => {
  await logIn(page);

  await page.goto("/subscriptions");
  await hydrated(page);
  await expect(page.getByText("No topics yet.")).toBeVisible();
  await page.getByLabel("Topic name").fill("lab-alerts");
  await page.getByRole("button", { name: "Create the topic" }).click();
  await expect(page.getByTestId("topics")).toContainText("lab-alerts");
  await page.getByLabel("Protocol").selectOption("email");
  await page.getByLabel("Endpoint", { exact: true }).fill("oncall@example.com");
  await page.getByRole("button", { name: "Subscribe" }).click();
  await expect(page.getByTestId("subscriptions")).toContainText("email oncall@example.com → lab-alerts");

  await page.goto("/alarms");
  await hydrated(page);
  await page.getByRole("link", { name: "New alarm" }).click();
  await hydrated(page);
  await page.getByRole("link", { name: "EBS VolumeWriteBytes > 100000" }).click();
  await expect(page).toHaveURL(/template=ebs-write-bytes/);
  await hydrated(page);
  await expect(page.getByLabel("Metric name")).toHaveValue("VolumeWriteBytes");
  await expect(page.getByLabel("Threshold")).toHaveValue("100000");
  // The lab's volume, picked from what CloudWatch has (the emulator was seeded with its writes).
  await page.getByRole("button", { name: "Find metrics in CloudWatch" }).click();
  await page.getByTestId("metric-choices").getByRole("link").first().click();
  await hydrated(page);
  await expect(page.getByLabel("Dimensions")).toHaveValue(/^VolumeId=vol-[0-9a-f]+$/);
  await expect(page.getByLabel("Namespace")).toHaveValue("AWS/EBS");
  await page.getByLabel("Alarm name").fill("lab-ebs-write-bytes");
  await page.getByLabel("When it goes to ALARM").fill("lab-alerts");
  // A mistake first: the field says what is wrong.
  await page.getByLabel("Period (seconds)").fill("45");
  await page.getByRole("button", { name: "Save to the plan" }).click();
  await expect(page.locator("#alarm-period_seconds-error")).toContainText("multiple of 60 seconds");
  await page.getByLabel("Period (seconds)").fill("300");
  await page.getByRole("button", { name: "Save to the plan" }).click();
  await expect(page.getByRole("status")).toContainText("Nothing changes in AWS until the plan is applied");

  await page.getByRole("status").getByRole("link", { name: "See the plan" }).click();
  await expect(page).toHaveURL(/\/plan$/);
  await hydrated(page);
  await expect(page.getByTestId("plan-summary")).toHaveText("3 to create, 0 to change, 0 to delete, 0 to adopt");
  await expect(page.getByTestId("plan-steps")).toContainText("topic lab-alerts");
  await expect(page.getByTestId("plan-steps")).toContainText("alarm lab-ebs-write-bytes");
  await page.getByRole("button", { name: "Apply" }).click();

  // Progress per resource, until every one is in sync.
  const progress = page.getByTestId("progress");
  await expect(progress.locator('tr[data-name="lab-ebs-write-bytes"]')).toContainText("in sync", { timeout: 20_000 });
  await expect(progress.locator('tr[data-name="lab-alerts"]')).toContainText("in sync");
  await expect(page.getByTestId("plan-summary")).toHaveText("Nothing to apply: AWS matches what the team declared.");

  await page.goto("/alarms");
  await hydrated(page);
  await expect(page.getByTestId("alarms")).toContainText("AWS/EBS VolumeWriteBytes Sum > 100000");
  await expect(page.getByTestId("status").first()).toHaveText("in sync");
  // The live state comes from AWS after the page is there.
  await expect(page.getByTestId("live").first()).not.toBeEmpty();

  // The alarm's page draws its metric against the threshold, read from CloudWatch.
  await page.getByTestId("alarms").getByRole("link", { name: "lab-ebs-write-bytes" }).click();
  await expect(page.getByTestId("graph")).toBeVisible();
  await expect(page.getByTestId("graph")).toContainText("above the threshold");
  await expect(page.getByTestId("graph-line")).toHaveAttribute("points", /\d+(\.\d)?,\d/);

  // The team's home counts it.
  await page.goto("/");
  await expect(page.getByTestId("overview").locator('tr[data-kind="alarm"]')).toContainText("1");

  // A topic's display name is the one thing about it that changes: edited in its row, from
  // the keyboard, it is kept and joins the plan as a change to the topic.
  await page.goto("/subscriptions");
  await hydrated(page);
  const displayName = page.getByLabel("Display name of lab-alerts");
  await expect(displayName).toHaveValue("");
  await displayName.fill("Lab alerts");
  const saved = page.waitForResponse((r) => r.url().includes("/api/fn/edit_topic"));
  await displayName.press("Enter");
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(page.getByLabel("Display name of lab-alerts")).toHaveValue("Lab alerts");
  await page.goto("/plan");
  await hydrated(page);
  await expect(page.getByTestId("plan-summary")).toHaveText("0 to create, 1 to change, 0 to delete, 0 to adopt");
  await expect(page.getByTestId("plan-steps")).toContainText("topic lab-alerts");
  await expect(page.getByTestId("plan-steps")).toContainText("Lab alerts");
});
