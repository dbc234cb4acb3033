// Layout checks a designed page must pass in a real browser, measured on the rendered page (not on the markup):
// no horizontal overflow, no two text boxes of one chart axis overlapping, and contour frames with the domain's
// aspect ratio. Shared by the report and lab browser tests.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** The page is no wider than the viewport (nothing scrolls sideways but the tables' own boxes). */
export async function assertNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth }));
  assert.ok(m.scroll <= m.view && m.body <= m.view, `${what}: the page is ${Math.max(m.scroll, m.body)} px wide in a ${m.view} px viewport`);
}

/**
 * Within each visible `g.axis` of every SVG chart: the rendered boxes of its texts (tick labels and the axis
 * label) pairwise disjoint. Returns how many axes were checked.
 */
export async function assertNoAxisTextOverlap(page: Page, what: string): Promise<number> {
  const r = await page.evaluate(() => {
    const bad: string[] = [];
    let axes = 0;
    for (const g of Array.from(document.querySelectorAll('svg g.axis'))) {
      const boxes = Array.from(g.querySelectorAll('text')).map((t) => ({ t: t.textContent ?? '', b: t.getBoundingClientRect() })).filter((q) => q.b.width > 0 && q.b.height > 0);
      if (!boxes.length) continue;
      axes++;
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].b, b = boxes[j].b;
          const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (ox > 0.5 && oy > 0.5) bad.push(`'${boxes[i].t}' and '${boxes[j].t}' (${ox.toFixed(1)}×${oy.toFixed(1)} px)`);
        }
    }
    return { bad, axes };
  });
  assert.deepEqual(r.bad, [], `${what}: overlapping axis texts`);
  return r.axes;
}

/**
 * The rendered frame of the contour plot `selector` (its axis lines) has width/height within 2% of the
 * domain's (x span)/(y span).
 */
export async function assertContourAspect(page: Page, selector: string, xSpan: number, ySpan: number, what: string): Promise<void> {
  const box = await page.evaluate((sel) => {
    // the frame's extent as rendered: the x axis line spans its width, the y axis line its height
    const svg = document.querySelector(sel);
    const xl = svg?.querySelector('g.x-axis > line');
    const yl = svg?.querySelector('g.y-axis > line');
    if (!xl || !yl) return null;
    return { w: xl.getBoundingClientRect().width, h: yl.getBoundingClientRect().height };
  }, selector);
  assert.ok(box && box.w > 0 && box.h > 0, `${what}: no contour frame at ${selector}`);
  const want = xSpan / ySpan;
  const got = box.w / box.h;
  assert.ok(Math.abs(got / want - 1) <= 0.02, `${what}: frame ${box.w.toFixed(1)}×${box.h.toFixed(1)} px, aspect ${got.toFixed(4)} vs the domain's ${want.toFixed(4)}`);
}
