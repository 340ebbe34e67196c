import { ACTION_WORDING } from '../wording.js';
import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { MemoryLogger } from '../log.js';
import { ProviderHttp, extractMessage, parseRetryAfter, type FetchInit, type FetchLike } from './http.js';
import { decodeToken } from './token.js';

type Reply = { status: number; body?: string; headers?: Record<string, string> } | Error;

/** A fetch spy that answers from a script and records every call. */
function scripted(replies: Reply[]) {
  const calls: { url: string; init: FetchInit }[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const r = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (r instanceof Error) throw r;
    const headers = new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return { status: r.status, headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null }, text: async () => r.body ?? '' };
  };
  return { calls, fetchImpl };
}

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

function client(fetchImpl: FetchLike, extra: Partial<ConstructorParameters<typeof ProviderHttp>[0]> = {}) {
  return new ProviderHttp({ baseUrl: 'https://provider.example.invalid', token: decodeToken('tok-1234'), fetchImpl, retry: fast, ...extra });
}

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('extractMessage', () => {
  it("finds the provider's words", () => {
    expect(extractMessage('{"message":"bad casing"}')).toBe('bad casing');
    expect(extractMessage('{"error":"token expired or invalid"}')).toBe('token expired or invalid');
    expect(extractMessage('{"error":{"message":"nested"}}')).toBe('nested');
    expect(extractMessage('plain   text\nline')).toBe('plain text line');
    expect(extractMessage('<!DOCTYPE html><html>…</html>')).toBe('(an HTML page)');
    expect(extractMessage('x'.repeat(400))).toHaveLength(301);
    expect(extractMessage('')).toBe('');
  });
});

describe('ProviderHttp', () => {
  it('sends the whole token as bearer and X-API-Key, JSON bodies with a content type', async () => {
    const { calls, fetchImpl } = scripted([{ status: 201, body: '{"id":"1"}' }]);
    const res = await client(fetchImpl).request({ method: 'POST', path: '/smi/results', body: { a: 1 }, what: 'post' });
    expect(res).toMatchObject({ status: 201, body: { id: '1' }, attempts: 1 });
    expect(calls[0]!.url).toBe('https://provider.example.invalid/smi/results');
    expect(calls[0]!.init.headers).toMatchObject({ Authorization: 'bearer tok-1234', 'X-API-Key': 'tok-1234', 'Content-Type': 'application/json' });
    expect(calls[0]!.init.redirect).toBe('manual');
    expect(calls[0]!.init.body).toBe('{"a":1}');
  });

  it('retries network errors, 5xx and 429, then succeeds', async () => {
    const { calls, fetchImpl } = scripted([new TypeError('fetch failed'), { status: 502 }, { status: 429 }, { status: 200, body: '{}' }]);
    const res = await client(fetchImpl).request({ method: 'GET', path: '/x', what: 'get' });
    expect(res.attempts).toBe(4);
    expect(calls).toHaveLength(4);
  });

  it('does not retry other 4xx, and shows the provider message', async () => {
    const { calls, fetchImpl } = scripted([{ status: 422, body: '{"message":"meshName is required"}' }]);
    const e = await client(fetchImpl).request({ method: 'POST', path: '/smi/results', body: {}, what: 'publish the SMI result' }).catch((x) => x);
    expect(e).toBeInstanceOf(MeshspecError);
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/refused to publish the SMI result \(HTTP 422 on POST https:\/\/provider\.example\.invalid\/smi\/results\): meshName is required\..*--provider-casing snake/);
    expect(calls).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    const { calls, fetchImpl } = scripted([{ status: 302, headers: { Location: 'https://elsewhere.example.invalid/login' } }]);
    const e = await client(fetchImpl).request({ method: 'GET', path: '/x', what: 'get' }).catch((x) => x);
    expect(e.message).toMatch(/redirects to https:\/\/elsewhere\.example\.invalid\/login; set --provider-url/);
    expect(calls).toHaveLength(1);
    // The action names its input instead (src/wording.ts).
    const { fetchImpl: again } = scripted([{ status: 302, headers: { Location: 'https://elsewhere.example.invalid/login' } }]);
    const a = await client(again, { wording: ACTION_WORDING }).request({ method: 'GET', path: '/x', what: 'get' }).catch((x) => x);
    expect(a.message).toMatch(/redirects to https:\/\/elsewhere\.example\.invalid\/login; set provider_url to/);
  });

  it('names the provider URL as the caller sets it when an endpoint is missing (404)', async () => {
    const cli = await client(scripted([{ status: 404 }]).fetchImpl).request({ method: 'GET', path: '/x', what: 'get' }).catch((x) => x);
    expect(cli.message).toMatch(/does not exist at this provider: check --provider-url,/);
    expect(cli.message).not.toMatch(/provider_url/);
    const action = await client(scripted([{ status: 404 }]).fetchImpl, { wording: ACTION_WORDING }).request({ method: 'GET', path: '/x', what: 'get' }).catch((x) => x);
    expect(action.message).toMatch(/does not exist at this provider: check provider_url,/);
  });

  it('stops at maxAttempts with a message that says what to do', async () => {
    const { calls, fetchImpl } = scripted([{ status: 503, body: 'down for maintenance' }]);
    const e = await client(fetchImpl, { retry: { ...fast, maxAttempts: 3 } }).request({ method: 'GET', path: '/x', what: 'read x' }).catch((x) => x);
    expect(calls).toHaveLength(3);
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/Could not read x .* after 3 attempts .*last problem: HTTP 503: down for maintenance.*raise --provider-deadline, or pass --publish-failure warn/);
  });

  it('names the action\'s inputs in the action, and never suggests warn when it is already set', async () => {
    const { fetchImpl } = scripted([{ status: 503, body: 'down' }]);
    const e = await client(fetchImpl, { retry: { ...fast, maxAttempts: 2 }, wording: ACTION_WORDING }).request({ method: 'GET', path: '/x', what: 'read x' }).catch((x) => x);
    expect(e.message).toMatch(/raise provider_deadline, or set publish_failure: warn so that/);
    expect(e.message).not.toMatch(/--/);
    const w = await client(scripted([{ status: 503 }]).fetchImpl, { retry: { ...fast, maxAttempts: 2 }, wording: ACTION_WORDING, warnOnFailure: true }).request({ method: 'GET', path: '/x', what: 'read x' }).catch((x) => x);
    expect(w.message).toMatch(/raise provider_deadline\.$/);
    expect(w.message).not.toMatch(/publish_failure/);
  });

  it('grows backoff delays exponentially up to the cap, with jitter in the upper half', async () => {
    const delaysWith = async (random: number) => {
      const { fetchImpl } = scripted([{ status: 503 }]);
      const logger = new MemoryLogger();
      const http = client(fetchImpl, { logger, random: () => random, retry: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 5 } });
      await http.request({ method: 'GET', path: '/x', what: 'x' }).catch(() => undefined);
      return logger.lines.filter((l) => l.message.includes('retrying in')).map((l) => l.message.replace(/.*retrying in /, ''));
    };
    expect(await delaysWith(1)).toEqual(['10 ms', '20 ms', '40 ms', '40 ms']);
    expect(await delaysWith(0)).toEqual(['5 ms', '10 ms', '20 ms', '20 ms']);
  });

  it('scrubs the token from bodies and from quoted provider messages', async () => {
    const { calls, fetchImpl } = scripted([{ status: 400, body: '{"message":"bad token tok-1234"}' }]);
    const e = await client(fetchImpl).request({ method: 'POST', path: '/x', body: { note: 'tok-1234' }, what: 'x' }).catch((x) => x);
    expect(calls[0]!.init.body).toBe('{"note":"[redacted]"}');
    expect(e.message).toContain('bad token [redacted]');
    expect(e.message).not.toContain('tok-1234');
  });

  it('is cancelled by its signal during a backoff wait', async () => {
    const { fetchImpl } = scripted([{ status: 503, headers: { 'Retry-After': '30' } }]);
    const controller = new AbortController();
    const http = client(fetchImpl, { signal: controller.signal });
    const pending = http.request({ method: 'GET', path: '/x', what: 'x' }).catch((x) => x);
    setTimeout(() => controller.abort(), 20);
    const e = await pending;
    expect(e).toBeInstanceOf(MeshspecError);
    expect(e.kind).toBe('cancelled');
  });
});
