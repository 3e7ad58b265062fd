import { expect, test, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

// Forms that show a server function's answer (the invitation link) need the hydrated page:
// before hydration they post the old-fashioned way and the page reloads without it.
// The browser tests share one fresh database: the first user is created here, once.
test("sign up, log out, log in, invite a second user, switch team, log out", async ({ page, browser }) => {
  await page.goto("/signup");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Create the first account");
  await hydrated(page);
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByLabel("Team name").fill("Platform");
  await page.getByRole("button", { name: "Create account and team" }).click();

  const who = page.getByTestId("who");
  await expect(who).toContainText("ada@example.com");
  await expect(who).toContainText("Platform (admin)");

  // A second sign-up is closed: later users join by invitation.
  await page.goto("/signup");
  await expect(page.getByText("This Belfry has users already")).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("who")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Log in", exact: true })).toBeVisible();

  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("The email or the password is wrong.");

  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("who")).toContainText("ada@example.com");

  // Invite a second user, who joins through the link in a browser of their own.
  await page.goto("/settings");
  await hydrated(page);
  await page.getByLabel("Role", { exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Create an invitation link" }).click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/^\/invite\/[0-9a-f]{64}$/);

  const bob = await browser.newContext();
  const bobPage = await bob.newPage();
  await bobPage.goto(link);
  await hydrated(bobPage);
  await expect(bobPage.getByTestId("invitation")).toContainText("Platform (editor)");
  await bobPage.getByLabel("Email").fill("bob@example.com");
  await bobPage.getByLabel("Password").fill("another long passphrase");
  await bobPage.getByRole("button", { name: "Join the team" }).click();
  await expect(bobPage.getByTestId("who")).toContainText("bob@example.com · Platform (editor)");
  await bob.close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("members")).toContainText("bob@example.com (editor)");

  // A second team, then switch back to the first.
  await page.getByLabel("Team name").fill("Data");
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("who")).toContainText("Data (admin)");
  await page.locator("#team-switch").selectOption({ label: "Platform" });
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(page.getByTestId("who")).toContainText("Platform (admin)");

  // The activity log shows who did what.
  await page.goto("/activity");
  await expect(page.getByTestId("audit")).toContainText("member.join");
  await expect(page.getByTestId("audit")).toContainText("bob@example.com");

  // The account corner is the server's HTML: it follows the language in place, and a page
  // that does not exist still shows who is signed in.
  await hydrated(page);
  await page.getByRole("button", { name: "한국어" }).click();
  await expect(page.getByRole("button", { name: "로그아웃" })).toBeVisible();
  await expect(page.getByRole("link", { name: "설정" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  await page.goto("/no-such-page");
  await expect(page.getByTestId("who")).toContainText("ada@example.com");
  // Its links navigate in the page, as the router's own do.
  await hydrated(page);
  await page.evaluate(() => ((window as any).samePage = true));
  await page.getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(/\/activity$/);
  expect(await page.evaluate(() => (window as any).samePage)).toBe(true);
  // Asked again after the navigation, the corner marks the page's own link.
  await expect(page.getByRole("link", { name: "Activity" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("audit")).toContainText("member.join");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByTestId("who")).toHaveCount(0);
});
