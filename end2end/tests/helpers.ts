import { expect, type Page } from "@playwright/test";

// The page has hydrated: Belfry marks <main> once the browser half runs.
export async function hydrated(page: Page) {
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached();
}

// Ada (admin of Platform), whom auth.spec.ts signs up.
export async function logIn(page: Page, password = "correct horse battery staple") {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("who")).toContainText("Platform (admin)");
}
