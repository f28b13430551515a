/**
 * Signing in the way the dashboard does: POST auth.signIn (JSON, own origin)
 * sets the session cookie in the browser context, so the pages that follow
 * are the signed-in user's.
 */
import { expect, type BrowserContext, type Page } from "@playwright/test";
import { E2E_ADMIN_PASSWORD } from "./server";

export async function signInByApi(context: BrowserContext, baseUrl: string, username = "admin", password = E2E_ADMIN_PASSWORD): Promise<void> {
  const res = await context.request.post(`${baseUrl}/api/trpc/auth.signIn`, {
    data: { username, password },
    headers: { origin: baseUrl, "content-type": "application/json" },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Signs in through the form, as a person does. */
export async function signInWithForm(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
