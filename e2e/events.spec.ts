import { expect, test, type Locator, type Page } from "@playwright/test";
import { signInByApi } from "./support/auth";
import { connectDiscovery, startBackend, type Backend, type Discovery } from "./support/traffic";

// Runs against the product started for traffic (global-setup).
const baseUrl = () => process.env.E2E_TRAFFIC_BASE_URL!;
const mqttUrl = () => process.env.E2E_TRAFFIC_MQTT_URL!;

const rowsOf = (page: Page, scope: Locator, type: string, instanceId: string) =>
  scope
    .getByTestId("event-row")
    .filter({ has: page.getByTestId("event-type").getByText(type, { exact: true }) })
    .filter({ hasText: instanceId });

test.describe("events", () => {
  let backend: Backend | undefined;
  let discovery: Discovery | undefined;

  test.afterAll(async () => {
    await discovery?.close();
    await backend?.close();
  });

  test.beforeEach(async ({ context }) => {
    await signInByApi(context, process.env.E2E_TRAFFIC_BASE_URL!);
  });

  test("the overview's Recent events panel shows registrations live, without a reload", async ({ page }) => {
    backend = await startBackend(5);
    discovery = await connectDiscovery(mqttUrl());
    await page.goto(baseUrl());
    const panel = page.getByRole("region", { name: "Recent events" });
    await expect(panel.getByTestId("event-stream-status")).toHaveText("live");
    await page.evaluate(() => ((window as unknown as { e2eNoReload: boolean }).e2eNoReload = true));

    await discovery.register("evt", "evt-1", backend.port);
    await expect(rowsOf(page, panel, "instance_registered", "evt-1")).toHaveCount(1, { timeout: 5_000 });
    await expect(rowsOf(page, panel, "instance_registered", "evt-1")).toContainText("evt");

    await discovery.unregister("evt", "evt-1");
    await expect(rowsOf(page, panel, "instance_unregistered", "evt-1")).toHaveCount(1, { timeout: 5_000 });
    // Newest first: the unregistration is above the registration.
    const types = await panel.getByTestId("event-type").allTextContents();
    expect(types.indexOf("instance_unregistered")).toBeLessThan(types.lastIndexOf("instance_registered"));
    expect(await page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload)).toBe(true);

    // The type filter keeps only that type.
    await panel.getByLabel("Type").selectOption("instance_unregistered");
    await expect(panel.getByTestId("event-type").first()).toHaveText("instance_unregistered");
    for (const text of await panel.getByTestId("event-type").allTextContents()) expect(text).toBe("instance_unregistered");
  });

  test("the Events page lists stored events with filters and prepends new ones live", async ({ page }) => {
    backend ??= await startBackend(5);
    discovery ??= await connectDiscovery(mqttUrl());
    await discovery.register("evt", "evt-1", backend.port);
    await page.goto(baseUrl());
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Events" })).toBeVisible();

    await page.getByLabel("Service").selectOption("evt");
    await page.getByLabel("Instance").fill("evt-1");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const log = page.getByRole("table", { name: "Events" });
    await expect(rowsOf(page, log, "instance_registered", "evt-1").first()).toBeVisible();
    for (const text of await log.getByRole("row").filter({ has: page.getByTestId("event-type") }).allTextContents()) expect(text).toContain("evt-1");

    await discovery.unregister("evt", "evt-1");
    await expect(page.getByTestId("event-row").first().getByTestId("event-type")).toHaveText("instance_unregistered", { timeout: 5_000 });
  });
});
