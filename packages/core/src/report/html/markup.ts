/**
 * The HTML building blocks every report page shares. Text from result files (names, URLs, error
 * messages, reasons) is untrusted: it only enters the page through `esc`, or inside the JSON data
 * block through `scriptJson`, so a result cannot inject markup or script.
 */

/** Markup that is already safe; anything else passed to `html` is escaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function flatten(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(flatten).join('');
  return esc(part as string | number);
}

/** Tagged template: interpolated values are escaped unless they are `Html`; arrays are joined. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((p, i) => {
    out += flatten(p) + strings[i + 1]!;
  });
  return new Html(out);
}

/** JSON for an inline `<script type="application/json">`: `<` is escaped so `</script>` cannot appear. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A pass/fail/warn state, used for badges, figure accents and row markers. */
export type Tone = 'pass' | 'fail' | 'warn' | 'info' | 'muted';

export function badge(tone: Tone, label: string): Html {
  return html`<span class="badge ${tone}">${label}</span>`;
}

/** One headline figure: a label, a big value with its unit, and a line of context. */
export interface Figure {
  label: string;
  value: string;
  unit?: string;
  note?: string;
  tone?: Tone;
}

export function figures(items: readonly Figure[]): Html {
  return html`<div class="figures">${items.map(
    (f) => html`<div class="figure ${f.tone ?? ''}"><div class="label">${f.label}</div><div class="value">${f.value}${f.unit ? html`<span class="unit">${f.unit}</span>` : ''}</div>${f.note ? html`<div class="note">${f.note}</div>` : ''}</div>`,
  )}</div>`;
}

/** A table cell: what it shows, and the raw value the page exposes in `window.__meshspec.tables`. */
export interface Cell {
  text: string | Html;
  value?: string | number | boolean | null;
  num?: boolean;
  tone?: Tone;
}

type CellInput = Cell | string | number;

function cellOf(input: CellInput): Cell {
  if (typeof input === 'string') return { text: input, value: input };
  if (typeof input === 'number') return { text: String(input), value: input, num: true };
  return input;
}

interface Column {
  label: string;
  num?: boolean;
}

/**
 * A data table. `id` names it in `window.__meshspec.tables`, where each row is the cells' raw
 * values (`data-v`), so tests compare what is shown with the JSON it came from.
 */
export function table(id: string, columns: readonly (Column | string)[], rows: readonly (readonly CellInput[])[], rowTone?: (index: number) => Tone | undefined): Html {
  const cols = columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  return html`<div class="table-wrap"><table data-table="${id}"><thead><tr>${cols.map((c) => html`<th${c.num ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead><tbody>${rows.map((row, i) => {
    const tone = rowTone?.(i);
    return html`<tr${tone ? html` class="${tone}"` : ''}>${row.map((input, j) => {
      const c = cellOf(input);
      const classes = [c.num || cols[j]?.num ? 'num' : '', c.tone ?? ''].filter(Boolean).join(' ');
      const value = c.value === undefined ? (typeof c.text === 'string' ? c.text : null) : c.value;
      return html`<td${classes ? html` class="${classes}"` : ''} data-v="${JSON.stringify(value)}">${c.text}</td>`;
    })}</tr>`;
  })}</tbody></table></div>`;
}

export function section(id: string, title: string, body: Part, note?: Part): Html {
  return html`<section id="${id}"><h2>${title}</h2>${note ? html`<p class="section-note">${note}</p>` : ''}${body}</section>`;
}

/** A box for a chart the page script draws; `note` says what is plotted (and any downsampling). */
export function chartBox(id: string, title: string, note?: string): Html {
  return html`<figure class="chart"><figcaption>${title}</figcaption><div class="chart-area" data-chart="${id}"></div>${note ? html`<p class="chart-note">${note}</p>` : ''}</figure>`;
}

export function callout(tone: Tone, title: string, body: Part): Html {
  return html`<div class="callout ${tone}"><strong>${title}</strong> ${body}</div>`;
}

/** `key: value` pairs as a definition list. */
export function facts(pairs: ReadonlyArray<readonly [string, Part]>): Html {
  return html`<dl class="facts">${pairs.filter(([, v]) => v !== undefined && v !== '' && v !== null).map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}
