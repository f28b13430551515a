/**
 * Reading recharts charts the way an operator does: hover across the plot and
 * read the tooltip.
 */
import type { Locator, Page } from "@playwright/test";

export interface TooltipReading {
  label: string;
  /** Tooltip item name → its text value ("p95" → "58.3 ms"). */
  items: Record<string, string>;
}

/**
 * Moves the mouse across `chart` (a figure holding one recharts chart) in
 * `steps` positions, left to right, and returns the first tooltip reading
 * `accept` takes, with every reading seen. Bounded: `steps` moves.
 */
export async function sweepTooltip(
  page: Page,
  chart: Locator,
  accept: (reading: TooltipReading) => boolean,
  steps = 60,
): Promise<{ found: TooltipReading | undefined; seen: TooltipReading[] }> {
  const wrapper = chart.locator(".recharts-wrapper").first();
  await wrapper.scrollIntoViewIfNeeded();
  const box = await wrapper.boundingBox();
  if (box === null) throw new Error("chart is not drawn");
  const tooltip = chart.locator(".recharts-tooltip-wrapper");
  const seen: TooltipReading[] = [];
  const left = box.x + 72;
  const right = box.x + box.width - 20;
  const y = box.y + box.height * 0.4;
  for (let step = 0; step < steps; step++) {
    const x = left + ((right - left) * step) / Math.max(1, steps - 1);
    await page.mouse.move(x, y);
    await page.waitForTimeout(40);
    if (!(await tooltip.isVisible())) continue;
    const reading = await tooltip.evaluate((el) => {
      const items: Record<string, string> = {};
      for (const item of el.querySelectorAll(".recharts-tooltip-item")) {
        const name = item.querySelector(".recharts-tooltip-item-name")?.textContent ?? "";
        const value = item.querySelector(".recharts-tooltip-item-value")?.textContent ?? "";
        items[name] = value;
      }
      return { label: el.querySelector(".recharts-tooltip-label")?.textContent ?? "", items };
    });
    seen.push(reading);
    if (accept(reading)) return { found: reading, seen };
  }
  return { found: undefined, seen };
}
