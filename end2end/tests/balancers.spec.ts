import { expect, test, type Page } from "@playwright/test";
import { hydrated, logIn } from "./helpers";

// Runs after auth.spec.ts (Ada, admin of Platform). Belfry itself points at the emulator,
// which is seeded with the lab: belfry-lab-vpc, its subnets in zones a and c, and an instance
// in each.
test("the lab's application load balancer: two subnets, two instances, applied, targets healthy", async ({ page }) => {
  await logIn(page);
  await page.goto("/load-balancers");
  await hydrated(page);
  await expect(page.getByText("No load balancers yet.")).toBeVisible();
  await page.getByRole("link", { name: "New load balancer" }).click();
  await expect(page).toHaveURL(/\/load-balancers\/new$/);
  await hydrated(page);

  // The VPCs, subnets and instances come from EC2 once the page is up.
  const vpc = page.getByLabel("VPC");
  const lab = vpc.locator("option", { hasText: "belfry-lab-vpc" });
  await expect(lab).toBeAttached();
  await vpc.selectOption((await lab.getAttribute("value"))!);
  const subnets = page.getByTestId("subnets");
  await expect(subnets.getByRole("checkbox")).toHaveCount(2);

  // One subnet first: moto would take it, Belfry says why not.
  await subnets.getByRole("checkbox", { name: /belfry-lab-subnet-a/ }).check();
  const instances = page.getByTestId("instances").getByRole("checkbox");
  await expect(instances).toHaveCount(2);
  await instances.nth(0).check();
  await instances.nth(1).check();
  await page.getByRole("button", { name: "Save load balancer" }).click();
  await expect(page.locator("#rule-subnets-error")).toContainText("Pick at least two subnets.");

  await subnets.getByRole("checkbox", { name: /belfry-lab-subnet-c/ }).check();
  await page.getByRole("button", { name: "Save load balancer" }).click();
  await expect(page).toHaveURL(/\/load-balancers\/[0-9a-f-]{36}\?saved=1$/);
  await hydrated(page);
  await expect(page.getByTestId("live")).toContainText("Not in AWS yet");

  await page.goto("/plan");
  await hydrated(page);
  await expect(page.getByTestId("plan-steps")).toContainText("load_balancer lab-web");
  await page.getByRole("button", { name: "Apply" }).click();
  const progress = page.getByTestId("progress");
  await expect(progress.locator('tr[data-name="lab-web"]')).toContainText("in sync", { timeout: 30_000 });

  await page.goto("/load-balancers");
  await hydrated(page);
  const row = page.getByTestId("balancers").locator('tr[data-name="lab-web"]');
  await expect(row.getByTestId("status")).toHaveText("in sync");
  await expect(row.getByTestId("dns-name")).toContainText("elb.amazonaws.com");
  await row.getByRole("link", { name: "lab-web" }).click();
  await hydrated(page);

  // Live from AWS: the DNS name, and both instances healthy.
  const live = page.getByTestId("live");
  await expect(live.getByTestId("live-dns")).toContainText("elb.amazonaws.com");
  const targets = live.getByTestId("target-health").locator("tbody tr");
  await expect(targets).toHaveCount(2);
  for (const target of await targets.all()) {
    await expect(target).toContainText("healthy");
  }
  // The form reads back what was saved.
  await expect(page.getByTestId("subnets").getByRole("checkbox", { checked: true })).toHaveCount(2);

  // In Korean too.
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "AWS의 현재 상태" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
});
