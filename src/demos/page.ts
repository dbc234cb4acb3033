/**
 * The demo report page: self-contained HTML like the compare report (inline CSS and SVG, no script, no
 * external resource), its charts drawn by src/viz. A demo fills in sections; this lays them out.
 */
import { esc } from '../viz/index.js';

/** A table on a demo page: header cells and rows (numbers printed as given). */
export interface DemoTable {
  head: string[];
  rows: (string | number)[][];
  /** Marks the table for tests and styling (data-table attribute). */
  name?: string;
}

/** A section of a demo page: a heading, paragraphs, figures and tables, in that order. */
export interface DemoSection {
  heading: string;
  /** Paragraphs of plain text (escaped). */
  text?: string[];
  /** SVG figures, drawn side by side where they fit. */
  figures?: string[];
  tables?: DemoTable[];
}

/** A demo's standalone HTML page, as {@link demoPageHtml} renders it. */
export interface DemoPage {
  title: string;
  command: string;
  /** The lecture's claim, quoted at the top. */
  claim: string;
  /** What was measured, in one line, with the numbers. */
  verdict: string;
  sections: DemoSection[];
  createdAt?: string;
}

const css = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
blockquote{border-left:3px solid #bbb;margin:8px 0;padding:2px 12px;color:#444}
.verdict{background:#f4f8f4;border:1px solid #cde3cd;padding:6px 10px}
table{border-collapse:collapse;margin:12px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}.charts svg{flex:0 1 auto;max-width:100%;height:auto}code{background:#f4f4f4;padding:1px 4px}`;

/** A number for a table cell: 4 significant digits, exponent form when tiny or huge. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e6 ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
}

function tableHtml(t: DemoTable): string {
  let h = `<table${t.name ? ` data-table="${esc(t.name)}"` : ''}><tr>${t.head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  for (const r of t.rows) h += `<tr>${r.map((c) => `<td>${esc(typeof c === 'number' ? fmt(c) : c)}</td>`).join('')}</tr>`;
  return h + '</table>';
}

/** The whole page. */
export function demoPageHtml(p: DemoPage): string {
  let body = `<h1>${esc(p.title)}</h1><p><code>${esc(p.command)}</code></p><blockquote>${esc(p.claim)}</blockquote><p class="verdict">${esc(p.verdict)}</p>`;
  for (const s of p.sections) {
    body += `<section><h2>${esc(s.heading)}</h2>`;
    for (const t of s.text ?? []) body += `<p>${esc(t)}</p>`;
    if (s.figures?.length) body += `<div class="charts">${s.figures.join('')}</div>`;
    for (const t of s.tables ?? []) body += tableHtml(t);
    body += '</section>';
  }
  body += `<p><small>descent demo${p.createdAt ? ' · ' + esc(p.createdAt) : ''}</small></p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(p.title)}</title><style>${css}</style></head><body>${body}</body></html>\n`;
}
