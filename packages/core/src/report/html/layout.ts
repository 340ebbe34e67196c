import type { ChartSpec } from './chart.js';
import { PAGE_ASSETS } from './embedded-assets.js';
import { badge, esc, html, scriptJson, type Html, type Tone } from './markup.js';

/**
 * The page shell every result kind shares: one self-contained HTML document with inline styles,
 * uPlot, the page script and the charts' data. It loads nothing: no fonts, no scripts, no images,
 * and a Content-Security-Policy that forbids any request, so it opens the same from disk, from an
 * unzipped artifact, or offline.
 */

/** What one result kind's renderer (smp-page.ts, smi-page.ts, ...) hands the layout. */
export interface ReportPart {
  /** smp, smi, gamma: also the anchor of the part in the page. */
  kind: string;
  title: string;
  status: { tone: Tone; label: string; detail: string };
  subtitle: string[];
  body: Html;
  charts: ChartSpec[];
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function partMarkup(part: ReportPart): Html {
  return html`<article class="run ${part.status.tone}" id="${part.kind}">
<header class="run-head"><div class="title-row"><h1>${part.title}</h1>${badge(part.status.tone, part.status.label)}</div>
<p class="verdict">${part.status.detail}</p><p class="subtitle">${part.subtitle.join(' · ')}</p></header>
${part.body}
</article>`;
}

export function renderDocument(parts: readonly ReportPart[], generator: { version: string; generatedAt: Date }): string {
  const title = parts.map((p) => `${p.status.label}: ${p.title}`).join(' · ');
  const charts = parts.flatMap((p) => p.charts);
  const ids = new Set<string>();
  for (const c of charts) {
    if (ids.has(c.id)) throw new Error(`two charts share the id "${c.id}"`);
    ids.add(c.id);
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="meshspec ${esc(generator.version)}">
<title>${esc(title)}</title>
<style>${PAGE_ASSETS.uplotCss}</style>
<style>${PAGE_ASSETS.pageCss}</style>
</head>
<body>
<main>
${parts.map(partMarkup).join('\n')}
<footer>Made by meshspec ${esc(generator.version)} on ${esc(generator.generatedAt.toISOString())} from the result files beside this page. Charts by uPlot ${esc(PAGE_ASSETS.uplotVersion)} (MIT licence, included in this file).</footer>
</main>
<script type="application/json" id="meshspec-data">${scriptJson({ charts })}</script>
<script>
/*! ${PAGE_ASSETS.uplotLicense.replace(/\*\//g, '* /')} */
${PAGE_ASSETS.uplotJs}
</script>
<script>
${PAGE_ASSETS.pageJs}
</script>
</body>
</html>
`;
}
