/**
 * descent's one visual language: the type scale, spacing, the neutral palette (light and dark) and the styled
 * controls shared by the compare report, the lab and the CLI's standalone figures. The optimizer colours
 * stay those of optimizer-colors.ts. Pure strings (no DOM): the report inlines `pageCss`, the lab adopts it
 * as a constructed stylesheet, and the SVG helpers use `INK` for standalone files (which have no page CSS).
 */

/** Type scale (px): chart ticks, chart labels, body, section titles, page title. */
export const TYPE = { tick: 11, label: 12, body: 15, h2: 19, h1: 26 } as const;

/** Spacing scale (px). */
export const SPACE = [0, 4, 8, 12, 16, 24, 32, 48] as const;

/** The chart font: the system UI face, as the pages use. */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/** Light-theme inks of a standalone SVG (a file has no page CSS; inside a page, `pageCss` restyles them). */
export const INK = { bg: '#ffffff', text: '#1f2430', muted: '#5b6474', axis: '#5b6474', grid: '#e6e8ee', minimum: '#1f2430' } as const;

/** The neutral palette of both themes as CSS custom properties. */
const LIGHT = `--bg:#f6f7f9;--surface:#ffffff;--surface-2:#eef0f4;--line:#d9dde5;--text:#1f2430;--muted:#5b6474;--accent:#2f6fde;--accent-ink:#ffffff;--good:#1a7f37;--bad:#b42318;--plot-bg:#ffffff;--plot-ink:#1f2430;--plot-axis:#5b6474;--plot-grid:#e6e8ee;--shadow:0 1px 2px rgba(20,30,50,.06),0 2px 8px rgba(20,30,50,.05)`;
const DARK = `--bg:#10141c;--surface:#171d28;--surface-2:#202838;--line:#2c3546;--text:#e6e9ef;--muted:#9aa4b5;--accent:#7aa7ff;--accent-ink:#0b1220;--good:#4ac26b;--bad:#ff7b72;--plot-bg:#141a24;--plot-ink:#dfe4ec;--plot-axis:#9aa4b5;--plot-grid:#273042;--shadow:none`;

/**
 * The page stylesheet: themes by `prefers-color-scheme`, the type scale, cards, styled buttons, sliders,
 * selects and inputs, tables that scroll inside their own box (`.table-wrap`), responsive charts (an SVG never
 * wider than its box) and HTML legends, and print rules (no controls, no page-breaks inside a figure).
 */
export const pageCss = `:root{${LIGHT};color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{${DARK}}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:${TYPE.body}px/1.5 ${FONT};overflow-wrap:break-word}
h1{font-size:${TYPE.h1}px;line-height:1.2;margin:${SPACE[5]}px 0 ${SPACE[2]}px;font-weight:650;letter-spacing:-.01em}
h2{font-size:${TYPE.h2}px;line-height:1.3;margin:${SPACE[6]}px 0 ${SPACE[3]}px;font-weight:600}
h3{font-size:${TYPE.body}px;margin:${SPACE[4]}px 0 ${SPACE[2]}px;font-weight:600}
p{margin:${SPACE[2]}px 0 ${SPACE[3]}px}
small,.muted,.hint{color:var(--muted)}
.hint{font-size:13px}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--surface-2);padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
a{color:var(--accent)}
.card{background:var(--surface);border:1px solid var(--line);border-radius:10px;padding:${SPACE[3]}px ${SPACE[4]}px;box-shadow:var(--shadow);min-width:0}
button,.button{font:inherit;font-size:14px;line-height:1.2;color:var(--text);background:var(--surface-2);border:1px solid var(--line);border-radius:7px;padding:7px 14px;cursor:pointer;min-height:34px}
button:hover,.button:hover{border-color:var(--muted)}
button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
button.primary{background:var(--accent);color:var(--accent-ink);border-color:var(--accent);font-weight:600}
button.ghost{background:transparent}
select,input[type=number],input[type=text],textarea{font:inherit;font-size:14px;color:var(--text);background:var(--surface);border:1px solid var(--line);border-radius:7px;padding:6px 8px;min-height:34px;max-width:100%}
input[type=range]{accent-color:var(--accent);width:100%;min-width:0}
input[type=checkbox]{accent-color:var(--accent);width:16px;height:16px}
output{color:var(--accent);font-variant-numeric:tabular-nums;font-size:13px}
.table-wrap{max-width:100%;overflow-x:auto;border:1px solid var(--line);border-radius:8px;margin:${SPACE[3]}px 0;background:var(--surface)}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;min-width:100%}
th,td{padding:6px 10px;text-align:right;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--surface-2);font-weight:600;white-space:normal;overflow-wrap:normal;word-break:normal;hyphens:manual;min-width:5.5em;max-width:14em}
td{white-space:nowrap;overflow-wrap:normal}
td.l,th.l{text-align:left}
tr:last-child td{border-bottom:0}
.yes{color:var(--good);font-weight:600}.no{color:var(--bad);font-weight:600}
.swatch{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:6px;vertical-align:-1px;flex-shrink:0}
svg.descent-plot{display:block;max-width:100%;height:auto}
.descent-plot .bg{fill:var(--plot-bg)}
.descent-plot text{fill:var(--plot-ink)}
.descent-plot .axis line,.descent-plot .axis path{stroke:var(--plot-axis)}
.descent-plot .grid line{stroke:var(--plot-grid)}
.descent-plot .minimum{fill:var(--plot-ink);stroke:var(--plot-bg)}
.descent-plot .mark-key{fill:var(--muted)}
.descent-plot .mark-key circle[fill=none],.descent-plot .mark-key path{stroke:var(--muted)}
.legend-html{display:flex;flex-wrap:wrap;gap:4px 14px;margin:${SPACE[2]}px 0 0;padding:0;list-style:none;font-size:13px}
.legend-html li{display:flex;align-items:center}
.figure{margin:0;min-width:0}
.figure figcaption{font-size:13px;color:var(--muted);margin-top:${SPACE[1]}px}
.export{display:flex;gap:6px;margin-top:${SPACE[2]}px}
.export button{font-size:12px;padding:3px 9px;min-height:26px}
@media print{
  :root{${LIGHT}}
  body{background:#fff}
  .controls,.export,button,nav{display:none!important}
  .card{box-shadow:none;break-inside:avoid}
  .figure,table,svg{break-inside:avoid}
  .table-wrap{overflow:visible}
  td{white-space:normal}
  a{color:inherit}
}`;
