import { expect, test } from "@playwright/test";
import pg from "pg";
import { signInByApi } from "./support/auth";

test.describe("overview on the embedded defaults", () => {
  test("shows the node running on the embedded database and broker, with no services yet", async ({ page, context }) => {
    const baseUrl = process.env.E2E_BASE_URL!;
    await signInByApi(context, baseUrl);
    await page.goto(baseUrl);
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("node-ready")).toHaveText("ready");
    await expect(page.getByTestId("node-database")).toContainText("embedded PGlite");
    await expect(page.getByTestId("node-broker")).toContainText(/embedded mqtt:\/\/127\.0\.0\.1:\d+ \(connected\)/);
    await expect(page.getByTestId("no-services")).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" })).toBeVisible();
  });
});

test.describe("overview on PostgreSQL and an external broker", () => {
  test.skip(!process.env.E2E_PG_BASE_URL, "DATABASE_URL not given to this test run (CI always gives it)");

  test("lists the services stored in the database with their algorithm and instances", async ({ page, context }) => {
    await signInByApi(context, process.env.E2E_PG_BASE_URL!);
    const db = new pg.Client({ connectionString: process.env.E2E_PG_DATABASE_URL });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO services (name, algorithm, health_check_methods, updated_at)
         VALUES ('orders', 'least_connections', ARRAY['http','tcp'], now()), ('billing', 'weighted_round_robin', ARRAY['http'], now())`,
      );
      await db.query(
        `INSERT INTO instances (service_id, instance_id, host, port, weight, updated_at)
         SELECT id, 'orders-' || n, '127.0.0.1', 9000 + n, 1, now() FROM services, generate_series(1, 2) AS n WHERE name = 'orders'`,
      );
    } finally {
      await db.end();
    }
    await page.goto(process.env.E2E_PG_BASE_URL!);
    await expect(page.getByTestId("node-database")).toContainText("PostgreSQL postgresql://");
    await expect(page.getByTestId("node-broker")).not.toContainText("embedded");
    const orders = page.getByTestId("service-row-orders");
    await expect(orders).toBeVisible();
    await expect(orders.getByRole("cell")).toHaveText(["least connections", "2", "0", "0", "http → tcp"]);
    const billing = page.getByTestId("service-row-billing");
    await expect(billing.getByRole("cell").first()).toHaveText("weighted round robin");
    // Sorted by name: billing before orders.
    await expect(page.getByRole("table", { name: "Services" }).getByRole("rowheader")).toHaveText(["billing", "orders"]);
  });
});
