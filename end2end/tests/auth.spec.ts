import { expect, test } from "@playwright/test";

// The browser tests share one fresh database: the first user is created here, once.
test("sign up as the first user, log out, fail then succeed to log in", async ({ page }) => {
  await page.goto("/signup");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Create the first account");
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
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("The email or the password is wrong.");

  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("who")).toContainText("ada@example.com");
});
