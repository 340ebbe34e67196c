import type { AppMetrics, CallRecord, HttpAnswer } from './sample-app.js';
import { CheckFailed, type StepContext } from './test-case.js';
import type { AppName } from './workloads.js';

/**
 * Traffic checks: app-a (or another app) calls a service, and the verdict comes from what the
 * calling app recorded, as in Meshery's suite, with one fix: a refused or reset connection (the
 * app's /call fails with no RespFailed entry, a transport error Meshery never recorded) counts as
 * denied, since that is how many meshes deny a connection.
 */

export interface Probe {
  from: AppName;
  /** The Service called, by name; the URL is its FQDN in the case's namespace. */
  service: string;
  path: string;
  method?: string;
}

export type Verdict = 'allowed' | 'denied';

export interface ProbeResult extends Probe {
  url: string;
  method: string;
  verdict: Verdict;
  /** How the verdict was reached, for the step's reason (status, record, transport error). */
  how: string;
}

const sameCall = (r: CallRecord, url: string, method: string) => r.URL === url && (r.Method ?? 'GET').toUpperCase() === method;

/**
 * Sends the probes in order and classifies each one from the callers' records. The callers' records
 * must have been reset first (ctx.apps.reset), so the records are exactly these calls.
 */
export async function sendProbes(ctx: StepContext, probes: Probe[]): Promise<ProbeResult[]> {
  const answers: HttpAnswer[] = [];
  for (const p of probes) {
    answers.push(await ctx.apps.call(p.from, { url: ctx.apps.url(p.service, p.path), method: p.method ?? 'GET', signal: ctx.signal }));
  }
  const records = new Map<AppName, AppMetrics>();
  for (const from of new Set(probes.map((p) => p.from))) records.set(from, await ctx.apps.metrics(from, ctx.signal));

  return probes.map((p, i) => {
    const url = ctx.apps.url(p.service, p.path);
    const method = (p.method ?? 'GET').toUpperCase();
    const answer = answers[i]!;
    const m = records.get(p.from)!;
    // Consume the matching record, so identical calls are each matched once, in order.
    const ok = m.RespSucceeded.findIndex((r) => sameCall(r, url, method));
    if (ok >= 0) {
      m.RespSucceeded.splice(ok, 1);
      return { ...p, url, method, verdict: 'allowed', how: `recorded as succeeded` };
    }
    const failed = m.RespFailed.findIndex((r) => sameCall(r, url, method));
    if (failed >= 0) {
      m.RespFailed.splice(failed, 1);
      return { ...p, url, method, verdict: 'denied', how: `recorded as failed${brief(answer.body, ', the answer was')}` };
    }
    if (answer.status >= 200 && answer.status < 400) {
      return { ...p, url, method, verdict: 'allowed', how: `/call answered ${answer.status} but ${p.from} recorded nothing` };
    }
    return { ...p, url, method, verdict: 'denied', how: `a transport error (refused or reset), nothing recorded; /call answered ${answer.status}${brief(answer.body)}` };
  });
}

function brief(body: string, lead = ':'): string {
  const text = body.trim().replace(/\s+/g, ' ');
  return text === '' ? '' : `${lead} ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`;
}

export const describeProbe = (r: ProbeResult): string => `${r.from} → ${r.method} ${r.url}: ${r.verdict}, ${r.how}`;

export function expectVerdict(r: ProbeResult, wanted: Verdict): void {
  if (r.verdict !== wanted) throw new CheckFailed(`${r.from} → ${r.method} ${r.url} was ${r.verdict} (${r.how}); expected ${wanted}`);
}

/** How many requests `app` received from `from` (the sample app records the caller's ServiceName header). */
export async function receivedFrom(ctx: StepContext, app: AppName, from: AppName): Promise<number> {
  const m = await ctx.apps.metrics(app, ctx.signal);
  return m.ReqReceived.filter((n) => n === from).length;
}
