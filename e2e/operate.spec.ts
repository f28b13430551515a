/**
 * The operator's journey through the dashboard, in a real Chromium, through
 * the UI: create a service, add instances, watch the algorithm, draining and
 * the breakers steer real traffic through the proxy, create a viewer who may
 * look but not touch, and find it all in the audit trail.
 *
 * Runs on the traffic product (global-setup); its names (service "pay", user
 * "vera") are its own, so the other specs sharing that product are unaffected.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { signInByApi, signInWithForm } from "./support/auth";
import { E2E_ADMIN_PASSWORD } from "./support/server";

const baseUrl = () => process.env.E2E_TRAFFIC_BASE_URL!;
const proxyUrl = () => process.env.E2E_TRAFFIC_PROXY_URL!;

const SERVICE = "pay";
const VIEWER = "vera";
const VIEWER_PASSWORD = "vera-viewer-password-1";

interface IdBackend {
  readonly id: string;
  readonly port: number;
  /** Requests that came through the proxy (health checks excluded). */
  proxied(): number;
  close(): Promise<void>;
}

/** A loopback backend answering 200 with its instance id (and /health at once). */
async function startIdBackend(id: string): Promise<IdBackend> {
  let proxied = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== "/health") proxied++;
    res.writeHead(200, { "content-type": "text/plain" }).end(id);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    id,
    port: (server.address() as AddressInfo).port,
    proxied: () => proxied,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `total` requests through the proxy one after another; counts answers per instance id (from the body). */
async function sendSequential(total: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    const res = await fetch(`${proxyUrl()}/${SERVICE}/hello`, { signal: AbortSignal.timeout(5_000) });
    const body = await res.text();
    const key = res.status === 200 ? body : `status ${res.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function expectNear(actual: number | undefined, expected: number, tolerance: number, what: string): void {
  expect(Math.abs((actual ?? 0) - expected), `${what}: ${actual ?? 0}, expected ${expected} ± ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

test.describe("operating a service from the dashboard", () => {
  let backends: IdBackend[] = [];

  test.afterAll(async () => {
    for (const backend of backends) await backend.close();
  });

  test("admin creates a service, adds instances, steers traffic by algorithm, drain and breaker; a viewer may only look; the audit shows it all", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    page.on("dialog", (dialog) => {
      throw new Error(`unexpected browser dialog: ${dialog.message()}`);
    });
    backends = await Promise.all(["pay-1", "pay-2", "pay-3"].map(startIdBackend));
    const [b1, b2, b3] = backends as [IdBackend, IdBackend, IdBackend];

    await test.step("sign in with the form as admin; the header shows who", async () => {
      await signInWithForm(page, baseUrl(), "admin", E2E_ADMIN_PASSWORD);
      await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
      await expect(page.getByTestId("signed-in-user")).toContainText("admin");
      await expect(page.getByTestId("signed-in-role")).toHaveText("admin");
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link", { name: "Audit" })).toBeVisible();
      await expect(nav.getByRole("link", { name: "Admin" })).toBeVisible();
    });

    await test.step("create the service on the overview", async () => {
      const form = page.getByRole("form", { name: "New service" });
      await form.getByLabel("Service name").fill(SERVICE);
      await form.getByLabel("Algorithm").selectOption("round_robin");
      await form.getByRole("button", { name: "Create service" }).click();
      await expect(form.getByRole("status")).toContainText(`Created ${SERVICE}.`);
      await form.getByRole("link", { name: `Open ${SERVICE}` }).click();
      await expect(page).toHaveURL(new RegExp(`/services/${SERVICE}$`));
      await expect(page.getByRole("heading", { level: 1 })).toContainText(SERVICE);
    });

    const addForm = page.getByRole("form", { name: "Add an instance" });
    const addInstance = async (id: string, host: string, port: string, weight: string) => {
      await addForm.getByLabel("Instance id").fill(id);
      await addForm.getByLabel("Host").fill(host);
      await addForm.getByLabel("Port").fill(port);
      await addForm.getByLabel("Weight", { exact: true }).fill(weight);
      await addForm.getByRole("button", { name: "Add instance" }).click();
    };

    await test.step("add three instances through the form (weights 1, 1, 3); bad input is refused with the server's words", async () => {
      await addInstance("pay-1", "127.0.0.1", "70000", "1");
      await expect(addForm.getByRole("alert")).toContainText("Port: a port is from 1 to 65535");
      await addInstance("pay-1", "127.0.0.1", String(b1.port), "20000");
      await expect(addForm.getByRole("alert")).toContainText("Weight: a weight is from 0 to 10000");
      await addInstance("pay-1", "169.254.169.254", "80", "1");
      await expect(addForm.getByRole("alert")).toContainText(/host 169\.254\.169\.254 refused/i);

      for (const [backend, weight] of [
        [b1, "1"],
        [b2, "1"],
        [b3, "3"],
      ] as const) {
        await addInstance(backend.id, "127.0.0.1", String(backend.port), weight);
        await expect(addForm.getByRole("status")).toContainText(`Added ${backend.id}`);
        await expect(page.getByTestId(`instance-row-${backend.id}`)).toBeVisible();
      }
      await addInstance("pay-1", "127.0.0.1", String(b1.port), "1");
      await expect(addForm.getByRole("alert")).toContainText(/pay-1/);
      await expect(page.getByTestId("summary-instances")).toHaveText("3");
      for (const b of backends) await expect(page.getByTestId(`instance-row-${b.id}`).getByTestId("instance-source")).toHaveText("manual");
    });

    await test.step("round robin spreads 60 requests evenly", async () => {
      const counts = await sendSequential(60);
      for (const b of backends) expectNear(counts[b.id], 20, 1, `round robin → ${b.id}`);
      expect(b1.proxied() + b2.proxied() + b3.proxied()).toBe(60);
    });

    await test.step("switch to weighted round robin in the UI: 50 requests follow the weights 1:1:3", async () => {
      const form = page.getByRole("form", { name: `Algorithm of ${SERVICE}` });
      await form.getByRole("combobox", { name: "Balancing algorithm" }).selectOption("weighted_round_robin");
      await form.getByRole("button", { name: "Apply" }).click();
      await expect(form.getByRole("status")).toHaveText(`${SERVICE} now uses weighted round robin.`);
      await expect(page.getByTestId("summary-algorithm")).toHaveText("weighted round robin");
      const counts = await sendSequential(50);
      expectNear(counts["pay-1"], 10, 2, "WRR → pay-1");
      expectNear(counts["pay-2"], 10, 2, "WRR → pay-2");
      expectNear(counts["pay-3"], 30, 2, "WRR → pay-3");
    });

    await test.step("drain pay-3: its traffic stops", async () => {
      const row = page.getByTestId("instance-row-pay-3");
      await row.getByRole("button", { name: "Drain pay-3" }).click();
      await expect(row.getByTestId("instance-draining")).toHaveText("draining · 0 open");
      await expect(row.getByRole("button", { name: "Undrain pay-3" })).toBeVisible();
      const before = b3.proxied();
      const counts = await sendSequential(20);
      expect(counts["pay-3"] ?? 0).toBe(0);
      expect(b3.proxied()).toBe(before);
      expect((counts["pay-1"] ?? 0) + (counts["pay-2"] ?? 0)).toBe(20);
    });

    await test.step("force open pay-1's breaker after a confirmation: no traffic reaches it; reset brings it back", async () => {
      const breakerRow = page.getByTestId("breaker-row-pay-1");
      await breakerRow.getByRole("button", { name: "Force open breaker of pay-1" }).click();
      const dialog = page.getByRole("dialog");
      await expect(dialog).toContainText("Force open stops all traffic to pay-1 until reset");
      await dialog.getByRole("button", { name: "Force open" }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId("instance-row-pay-1").getByTestId("instance-breaker")).toHaveText("forced open");
      await expect(breakerRow.getByTestId("breaker-state")).toHaveText("forced open");
      let counts = await sendSequential(20);
      expect(counts["pay-1"] ?? 0).toBe(0);
      expect(counts["pay-2"]).toBe(20);

      await breakerRow.getByRole("button", { name: "Reset breaker of pay-1" }).click();
      await expect(dialog).toContainText("traffic returns to it at once");
      await dialog.getByRole("button", { name: "Reset" }).click();
      await expect(page.getByTestId("instance-row-pay-1").getByTestId("instance-breaker")).toHaveText("closed");
      counts = await sendSequential(20);
      expectNear(counts["pay-1"], 10, 2, "after reset → pay-1");
    });

    await page.screenshot({ path: "/tmp/manage.png", fullPage: true });

    await test.step("create a viewer on /admin, then sign out", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
      const form = page.getByRole("form", { name: "New user" });
      await form.getByLabel("Username").fill(VIEWER);
      await form.getByLabel("Password").fill(VIEWER_PASSWORD);
      await form.getByLabel("Role").selectOption("viewer");
      await form.getByRole("button", { name: "Create user" }).click();
      await expect(form.getByRole("status")).toHaveText(`Created ${VIEWER} (viewer).`);
      await expect(page.getByTestId(`user-row-${VIEWER}`)).toContainText("active");
      await signOut(page);
    });

    await test.step("the viewer sees the service and its instances, but no controls; the API and /admin refuse", async () => {
      await signInWithForm(page, baseUrl(), VIEWER, VIEWER_PASSWORD);
      await expect(page.getByTestId("signed-in-role")).toHaveText("viewer");
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link", { name: "Audit" })).toBeVisible();
      await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);

      await page.goto(`${baseUrl()}/services/${SERVICE}`);
      for (const b of backends) await expect(page.getByTestId(`instance-row-${b.id}`)).toBeVisible();
      await expect(page.getByTestId("read-only-note")).toBeVisible();
      await expect(page.getByRole("table", { name: "Circuit breakers" })).toBeVisible();
      const main = page.getByRole("main");
      await expect(
        main.getByRole("button", { name: /^(Apply|Save|Enable|Disable|Drain|Undrain|Remove|Reset|Force open|Add instance|Delete service|Create service)\b/ }),
      ).toHaveCount(0);
      await expect(main.getByRole("combobox", { name: "Balancing algorithm" })).toHaveCount(0);
      await expect(main.getByRole("spinbutton")).toHaveCount(0);

      const status = await page.evaluate(async (service) => {
        const res = await fetch("/api/trpc/manage.setAlgorithm", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ service, algorithm: "random" }),
        });
        return res.status;
      }, SERVICE);
      expect(status).toBe(403);
      await expect(page.getByTestId("summary-algorithm")).toHaveText("weighted round robin");

      const admin = await page.goto(`${baseUrl()}/admin`);
      expect(admin?.status()).toBe(403);
      await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
      await signOut(page);
    });

    await test.step("the audit trail lists the admin's changes and the viewer's refused attempt", async () => {
      await signInWithForm(page, baseUrl(), "admin", E2E_ADMIN_PASSWORD);
      await expect(page.getByTestId("signed-in-role")).toHaveText("admin");
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
      const table = page.getByRole("table", { name: "Audit trail" });
      await expect(table).toBeVisible();
      const rows = table.getByTestId("audit-row");
      const allowedRow = (action: string, target: string) =>
        rows.filter({ has: page.getByTestId("audit-action").getByText(action, { exact: true }) }).filter({ has: page.getByTestId("audit-target").getByText(target, { exact: true }) });
      for (const [action, target] of [
        ["service.create", SERVICE],
        ["instance.add", `${SERVICE}/pay-1`],
        ["instance.add", `${SERVICE}/pay-3`],
        ["service.set_algorithm", SERVICE],
        ["instance.drain", `${SERVICE}/pay-3`],
        ["breaker.force_open", `${SERVICE}/pay-1`],
        ["breaker.reset", `${SERVICE}/pay-1`],
        ["user.create", VIEWER],
      ] as const) {
        const row = allowedRow(action, target).filter({ has: page.getByTestId("audit-result").getByText("allowed") }).first();
        await expect(row, `${action} ${target}`).toBeVisible();
        await expect(row.getByTestId("audit-actor")).toHaveText("admin");
      }
      // The refused host is audited too.
      const refusedHost = allowedRow("instance.add", `${SERVICE}/pay-1`).filter({ hasText: "169.254.169.254" });
      await expect(refusedHost.getByTestId("audit-result")).toHaveText("refused");
      const refused = rows.filter({ has: page.getByTestId("audit-actor").getByText(VIEWER, { exact: true }) }).filter({ hasText: "manage.setAlgorithm" });
      await expect(refused).toHaveCount(1);
      await expect(refused.getByTestId("audit-result")).toHaveText("refused");
      await expect(refused).toContainText("this needs the operator role; you are viewer");
      // before → after, compactly, as text.
      const drain = allowedRow("instance.drain", `${SERVICE}/pay-3`).first();
      await drain.getByText("1 change").click();
      await expect(drain.getByTestId("audit-changes")).toHaveText("instances.pay-3.draining: false → true");
    });
  });

  test("a name with <script> is refused with a clear message and never renders as HTML", async ({ page }) => {
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await signInWithForm(page, baseUrl(), "admin", E2E_ADMIN_PASSWORD);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    const evil = `<script>alert("x")</script>`;

    const newService = page.getByRole("form", { name: "New service" });
    await newService.getByLabel("Service name").fill(evil);
    await newService.getByRole("button", { name: "Create service" }).click();
    await expect(newService.getByRole("alert")).toHaveText(/^Service name: a service name may contain letters, digits/);

    // An instance id on an existing service's page (the journey's "pay", else a fresh one).
    await newService.getByLabel("Service name").fill("xss-check");
    await newService.getByRole("button", { name: "Create service" }).click();
    await newService.getByRole("link", { name: "Open xss-check" }).click();
    const addForm = page.getByRole("form", { name: "Add an instance" });
    await addForm.getByLabel("Instance id").fill(evil);
    await addForm.getByLabel("Host").fill("127.0.0.1");
    await addForm.getByLabel("Port").fill("9");
    await addForm.getByRole("button", { name: "Add instance" }).click();
    await expect(addForm.getByRole("alert")).toHaveText(/^Instance id: an instance id may contain letters, digits/);

    await expect(page.locator("main script")).toHaveCount(0);
    expect(dialogs).toBe(0);
  });

  test("admin issues and revokes an API token and applies configuration as code", async ({ page, context }) => {
    await signInByApi(context, baseUrl());
    await page.goto(`${baseUrl()}/admin`);
    const tokenForm = page.getByRole("form", { name: "New API token" });
    await tokenForm.getByLabel("Token name").fill("deploy-bot");
    await tokenForm.getByLabel("Token role").selectOption("operator");
    await tokenForm.getByRole("button", { name: "Create token" }).click();
    await expect(tokenForm.getByRole("status")).toContainText("shown only this once");
    const token = await tokenForm.getByLabel("Token deploy-bot").inputValue();
    expect(token.length).toBeGreaterThan(20);
    const row = page.getByTestId("token-row-deploy-bot");
    await expect(row).toContainText("operator");
    // The token works as a bearer credential, from outside the browser.
    const me = await fetch(`${baseUrl()}/api/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    await row.getByRole("button", { name: "Revoke deploy-bot" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke deploy-bot" }).click();
    await expect(row).toContainText("revoked");
    expect((await fetch(`${baseUrl()}/api/trpc/auth.me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    await page.getByRole("button", { name: "Show configuration" }).click();
    await expect(page.getByLabel("Exported configuration")).toContainText("services:");
    await page.getByLabel("Configuration document").fill("services:\n  - name: imported\n    algorithm: least_connections\n    instances: []\n");
    await page.getByRole("form", { name: "Import" }).getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("form", { name: "Import" }).getByRole("status")).toHaveText("Applied; changed: imported.");
    await expect(page.getByLabel("Exported configuration")).toContainText("name: imported");
    await page.getByLabel("Configuration document").fill("services: [{ name: broken, algorithm: fastest }]");
    await page.getByRole("form", { name: "Import" }).getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("form", { name: "Import" }).getByRole("alert")).toContainText("algorithm");
  });
});
