import { expect, test } from "@playwright/test";
import { signInByApi } from "./support/auth";
import { sweepTooltip, type TooltipReading } from "./support/charts";
import { burst, connectDiscovery, parseNumber, startBackend, type Backend, type Discovery } from "./support/traffic";

// Runs against the product started for traffic (global-setup), so the
// overview spec keeps its fresh, service-less product.
const baseUrl = () => process.env.E2E_TRAFFIC_BASE_URL!;
const proxyUrl = () => process.env.E2E_TRAFFIC_PROXY_URL!;
const mqttUrl = () => process.env.E2E_TRAFFIC_MQTT_URL!;

const REQUESTS = 300;
const CONCURRENCY = 10;
const FAST_MS = 20;
const SLOW_MS = 60;

test.describe("service page charts", () => {
  let backends: Backend[] = [];
  let discovery: Discovery | undefined;

  test.afterAll(async () => {
    await discovery?.close();
    for (const backend of backends) await backend.close();
  });

  test.beforeEach(async ({ context }) => {
    await signInByApi(context, process.env.E2E_TRAFFIC_BASE_URL!);
  });

  test("draw the traffic sent through the proxy: latency, throughput and per-instance counts", async ({ page }) => {
    test.setTimeout(120_000);
    const fast = await startBackend(FAST_MS);
    const slow = await startBackend(SLOW_MS);
    backends = [fast, slow];
    discovery = await connectDiscovery(mqttUrl());
    await discovery.register("shop", "shop-1", fast.port);
    await discovery.register("shop", "shop-2", slow.port);

    // Overview: the card appears live and both instances pass their first health check.
    await page.goto(baseUrl());
    const card = page.getByTestId("service-card-shop");
    await expect(card.getByTestId("card-healthy")).toHaveText("2/2", { timeout: 20_000 });
    await expect(card.getByRole("heading", { name: "shop" })).toBeVisible();

    // A bounded burst; the card shows a non-zero req/s while it runs (live, one view a second).
    const sending = burst(`${proxyUrl()}/shop/items`, REQUESTS, CONCURRENCY);
    await expect
      .poll(async () => parseNumber(await card.getByTestId("card-rps").textContent()), { timeout: 10_000, intervals: [100] })
      .toBeGreaterThan(0);
    const sent = await sending;
    expect(sent.statuses).toEqual({ 200: REQUESTS });
    expect(sent.elapsedMs).toBeLessThan(10_000);
    expect(fast.proxied() + slow.proxied()).toBe(REQUESTS);
    const burstEnded = Date.now();
    await expect(card.getByTestId("card-rps")).toHaveText(/^\d[\d,]*\.\d req\/s$/);
    await expect(card.getByTestId("card-p95")).toHaveText(/^\d[\d,]*\.\d ms$/);

    // Service page (client navigation keeps the live stream's last minutes).
    await card.getByRole("link", { name: "shop" }).click();
    await expect(page).toHaveURL(/\/services\/shop$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("shop");
    await expect(page.getByTestId("summary-healthy")).toHaveText("2/2");

    // Instances table: both instances, request counts summing to what was sent.
    const rows = page.getByRole("table", { name: "Instances" }).locator("tbody tr[data-testid^='instance-row-']");
    await expect(rows).toHaveCount(2);
    await expect(page.getByTestId("instance-row-shop-1").getByTestId("instance-health")).toHaveText("healthy");
    await expect(page.getByTestId("instance-row-shop-2").getByTestId("instance-health")).toHaveText("healthy");
    const requestsOf = async (id: string) => parseNumber(await page.getByTestId(`instance-row-${id}`).getByTestId("instance-requests").textContent());
    await expect.poll(async () => (await requestsOf("shop-1")) + (await requestsOf("shop-2")), { timeout: 10_000 }).toBe(REQUESTS);
    expect(await requestsOf("shop-1")).toBeGreaterThan(0);
    expect(await requestsOf("shop-2")).toBeGreaterThan(0);

    // Live 5-minute view: the response-time tooltip shows a p95 between the backends' delays and a sane ceiling.
    await expect(page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "5 min" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("checkbox", { name: "Live" })).toBeChecked();
    const responseTime = page.getByTestId("chart-response-time");
    await expect(responseTime.locator(".recharts-wrapper")).toBeVisible({ timeout: 15_000 });
    await expect(responseTime.locator(".recharts-legend-item")).toHaveText(["p50", "p95", "p99"]);
    const p95InBand = (r: TooltipReading) => {
      const p95 = parseNumber(r.items.p95 ?? null);
      return p95 >= 15 && p95 <= 200;
    };
    const latency = await sweepTooltip(page, responseTime, p95InBand);
    expect(latency.found, `tooltips seen: ${JSON.stringify(latency.seen)}`).toBeDefined();
    expect(latency.found!.items.p95).toMatch(/^\d+\.\d ms$/);
    expect(parseNumber(latency.found!.items.p50 ?? null)).toBeGreaterThanOrEqual(FAST_MS * 0.75);

    // Stored samples: once the 5 s interval holding the burst is written, the 1 h range draws it
    // in the throughput-by-instance chart (both instances, req/s > 0).
    await page.waitForTimeout(Math.max(0, burstEnded + 7_000 - Date.now()));
    await page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "1 h" }).click();
    await expect(page.getByRole("checkbox", { name: "Live" })).toBeDisabled();
    const throughput = page.getByTestId("chart-throughput");
    // The 5 s interval is written at its end; read the range again until it is there (bounded).
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await expect(page.getByRole("button", { name: "Refresh" })).toBeEnabled();
      await expect(throughput.locator(".recharts-wrapper")).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000, intervals: [1_000] });
    await expect(throughput.locator(".recharts-legend-item")).toHaveText(["shop-1", "shop-2"]);
    const rpsOf = (r: TooltipReading) => parseNumber(r.items["shop-1"] ?? null) + parseNumber(r.items["shop-2"] ?? null);
    const rates = await sweepTooltip(page, throughput, (r) => rpsOf(r) > 0);
    expect(rates.found, `tooltips seen: ${JSON.stringify(rates.seen)}`).toBeDefined();
    // Each instance shown in the tooltip carries a formatted rate (an instance may have no row in an edge bucket).
    const shown = ["shop-1", "shop-2"].map((id) => rates.found!.items[id]).filter((v): v is string => v !== undefined);
    expect(shown.length).toBeGreaterThan(0);
    for (const value of shown) expect(value).toMatch(/req\/s$/);
    // A 15 s bucket holding all 300 requests is 20 req/s; spread over two buckets, each less.
    expect(rpsOf(rates.found!)).toBeLessThanOrEqual(REQUESTS / 5 + 0.1);

    // Stored p95 in the same range, then one instance's own chart on demand.
    const storedLatency = await sweepTooltip(page, responseTime, p95InBand);
    expect(storedLatency.found, `tooltips seen: ${JSON.stringify(storedLatency.seen)}`).toBeDefined();
    const showChart = page.getByTestId("instance-row-shop-2").getByRole("button", { name: /Show chart/ });
    await showChart.click();
    await expect(page.getByTestId("instance-row-shop-2").getByRole("button", { name: /Hide chart/ })).toHaveAttribute("aria-expanded", "true");
    const instanceChart = page.getByTestId("chart-instance-shop-2");
    await expect(instanceChart.locator(".recharts-wrapper")).toBeVisible({ timeout: 15_000 });
    const slowP95 = await sweepTooltip(page, instanceChart, (r) => parseNumber(r.items.throughput ?? null) > 0);
    expect(slowP95.found, `tooltips seen: ${JSON.stringify(slowP95.seen)}`).toBeDefined();
    const slowMs = parseNumber(slowP95.found!.items.p95 ?? null);
    expect(slowMs).toBeGreaterThanOrEqual(SLOW_MS * 0.9);
    expect(slowMs).toBeLessThanOrEqual(200);

  });

  test("an unknown service says so", async ({ page }) => {
    await page.goto(`${baseUrl()}/services/no-such-service`);
    await expect(page.getByTestId("unknown-service")).toContainText("No service named “no-such-service”");
  });
});
