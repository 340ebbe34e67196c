import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshspecError, exitCodeOf } from '../../packages/core/src/errors.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { ACTION_WORDING } from '../../packages/core/src/wording.js';
import { publishSmi, publishSmp } from '../../packages/core/src/provider/index.js';
import { startFakeProvider } from '../support/fake-provider.mjs';
import { encodeToken, fortioFile, smiResultFile, smpResultFile } from './fixtures.js';
import { optionsFor, schemaErrors, type FakeProvider } from './helpers.js';

// Timing bounds are loose on purpose (a busy 2-core machine): they prove that waits are bounded by
// the deadline and that Retry-After is honoured, not how fast anything is.

const token = encodeToken({ access_token: 'acc.jwt.value', expiry: '2099-01-01T00:00:00Z' });
const SMI = '/smi/results';
const PROFILES = '/user/performance/profiles';
const smpFiles = () => ({ smpResult: smpResultFile(), fortio: fortioFile() });

let provider: FakeProvider;
beforeEach(async () => {
  provider = await startFakeProvider();
});
afterEach(async () => {
  await provider.close();
});

async function failure(promise: Promise<unknown>): Promise<MeshspecError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MeshspecError);
  return e as MeshspecError;
}

const elapsedSince = (start: number) => performance.now() - start;

describe('retries', () => {
  it('retries a 503 with Retry-After twice, then publishes once', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: 0, times: 2 });
    const out = await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    const posts = provider.requestsTo(SMI, 'POST');
    expect(posts).toHaveLength(3);
    expect(provider.smiResults).toHaveLength(1);
    expect(out.resultId).toBe(provider.smiResults[0]!.id);
    for (const p of posts) expect(schemaErrors('smi-result', 'camel', p.body)).toEqual([]);
  });

  it('retries a 429 with Retry-After', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 429, retryAfter: 0, times: 1 });
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(2);
  });

  it('honours Retry-After in seconds', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: 1, times: 1 });
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    const [a, b] = provider.requestsTo(SMI, 'POST');
    // Backoff alone would wait 10-20 ms here.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(900);
    expect(b!.at - a!.at).toBeLessThan(5000);
  });

  it('honours Retry-After as an HTTP date', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: new Date(Date.now() + 2000).toUTCString(), times: 1 });
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    const [a, b] = provider.requestsTo(SMI, 'POST');
    // The date has whole seconds, so the wait is between 1 and 2 s.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(800);
    expect(b!.at - a!.at).toBeLessThan(5000);
  });

  it('gives up at once when Retry-After points past the deadline', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: 120, times: 5 });
    const start = performance.now();
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token, { deadlineMs: 5000 }), result: smiResultFile() }));
    expect(elapsedSince(start)).toBeLessThan(3000);
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/after 1 attempt .*HTTP 503.*asked to retry after 120 s, past the deadline/);
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(1);
  });

  it('stops at the deadline when the provider keeps failing, with exit code 3', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: 0, times: 1000, body: { message: 'maintenance window' } });
    const start = performance.now();
    const retry = { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 1000 };
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token, { deadlineMs: 1500, retry }), result: smiResultFile() }));
    const elapsed = elapsedSince(start);
    // It stops when the next wait would end past the deadline: at most one backoff step early.
    expect(elapsed).toBeGreaterThanOrEqual(1500 - 200 - 100);
    expect(elapsed).toBeLessThan(1500 + 1500);
    expect(e.kind).toBe('publish');
    expect(exitCodeOf(e.kind)).toBe(3);
    const attempts = provider.requestsTo(SMI, 'POST').length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(e.message).toContain(`after ${attempts} attempts`);
    expect(e.message).toMatch(/deadline 1\.5 s.*HTTP 503: maintenance window.*re-run later.*--publish-failure warn/);
    expect(provider.smiResults).toHaveLength(0);
  });

  it('stops after maxAttempts', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 503, retryAfter: 0, times: 1000 });
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token, { retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 4 } }), result: smiResultFile() }));
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(4);
    expect(e.message).toMatch(/after 4 attempts/);
  });
});

describe('broken connections and slow answers', () => {
  it('retries a GET whose connection closed mid-response', async () => {
    provider.addFault({ method: 'GET', path: PROFILES, close: true, times: 1 });
    await publishSmp({ providerOptions: optionsFor(provider, token), result: smpFiles(), profileName: 'p' });
    expect(provider.requestsTo(PROFILES, 'GET')).toHaveLength(2);
    expect(provider.results).toHaveLength(1);
  });

  it('reports a connection that keeps breaking as a network error', async () => {
    provider.addFault({ method: 'GET', path: PROFILES, close: true, times: 1000 });
    const e = await failure(publishSmp({ providerOptions: optionsFor(provider, token, { deadlineMs: 1000 }), result: smpFiles(), profileName: 'p' }));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/last problem: network error/);
    expect(provider.requestsTo(PROFILES, 'GET').length).toBeGreaterThanOrEqual(2);
  });

  it('times out a slow GET and retries it', async () => {
    provider.addFault({ method: 'GET', path: PROFILES, delayMs: 2000, times: 1 });
    const start = performance.now();
    const out = await publishSmp({ providerOptions: optionsFor(provider, token, { timeoutMs: 300 }), result: smpFiles(), profileName: 'p' });
    expect(elapsedSince(start)).toBeLessThan(2000);
    expect(provider.requestsTo(PROFILES, 'GET')).toHaveLength(2);
    expect(out.resultId).toBeTruthy();
  });

  it('gives up on a provider that is always too slow, within the deadline', async () => {
    provider.addFault({ method: 'GET', path: PROFILES, delayMs: 5000, times: 1000 });
    const start = performance.now();
    const e = await failure(publishSmp({ providerOptions: optionsFor(provider, token, { timeoutMs: 400, deadlineMs: 1200 }), result: smpFiles(), profileName: 'p' }));
    expect(elapsedSince(start)).toBeLessThan(1200 + 1500);
    // The last attempt gets what is left of the deadline, so its timeout may be shorter than 0.4 s.
    expect(e.message).toMatch(/last problem: no complete answer within 0\.[0-4] s/);
  });

  it('reports an unreachable provider', async () => {
    const url = provider.url;
    await provider.close();
    const e = await failure(publishSmi({ providerOptions: { ...optionsFor(provider, token, { deadlineMs: 800 }), baseUrl: url }, result: smiResultFile() }));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/network error: ECONNREFUSED/);
    provider = await startFakeProvider(); // for afterEach
  });

  it('falls back to default endpoints when capabilities keep failing, after two attempts', async () => {
    provider.addFault({ method: 'GET', path: /capabilities$/, status: 503, times: 1000 });
    const logger = new MemoryLogger();
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile(), logger });
    expect(provider.requestsTo(/capabilities$/)).toHaveLength(2);
    expect(provider.smiResults).toHaveLength(1);
    expect(logger.text('debug')).toMatch(/using the known default endpoints/);
  });
});

describe('refusals', () => {
  it('does not retry a 400 and shows the provider message', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 400, body: { error: 'meshName must not be empty' }, times: 1 });
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() }));
    expect(e.kind).toBe('publish');
    expect(exitCodeOf(e.kind)).toBe(3);
    expect(e.message).toMatch(/refused to publish the SMI result \(HTTP 400 on POST http:\/\/127\.0\.0\.1:\d+\/smi\/results\): meshName must not be empty\..*--provider-casing snake/);
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(1);
  });

  it('says what a 404 means', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, status: 404, body: 'page not found', times: 1 });
    const e = await failure(publishSmp({ providerOptions: optionsFor(provider, token), result: { smpResult: smpResultFile(), fortio: fortioFile() }, profileName: 'p' }));
    expect(e.message).toMatch(/refused to publish the SMP result \(HTTP 404 .*\): page not found\. The endpoint does not exist/);
  });

  it('retries each step of an SMP publish on its own', async () => {
    provider.addFault({ method: 'POST', path: '/user/performance/profiles', status: 503, retryAfter: 0, times: 1 });
    provider.addFault({ method: 'POST', path: /\/results$/, status: 429, retryAfter: 0, times: 2 });
    provider.addFault({ method: 'GET', path: '/user/performance/profiles', close: true, times: 1 });
    const out = await publishSmp({ providerOptions: optionsFor(provider, token), result: { smpResult: smpResultFile(), fortio: fortioFile() }, profileName: 'p' });
    expect(provider.requestsTo('/user/performance/profiles', 'GET')).toHaveLength(2);
    expect(provider.requestsTo('/user/performance/profiles', 'POST')).toHaveLength(2);
    expect(provider.requestsTo(/\/results$/, 'POST')).toHaveLength(3);
    expect(provider.profiles).toHaveLength(1);
    expect(provider.results).toHaveLength(1);
    expect(out).toMatchObject({ profileId: provider.profiles[0]!.id, resultId: provider.results[0]!.id, profileCreated: true });
  });
});

// docs/provider.md, "Retries": a POST is sent again only when it provably did not arrive.
describe('a POST is never stored twice', () => {
  it('does not resend a POST after a 5xx without Retry-After: it may have been stored (exit 3)', async () => {
    provider.addFault({ method: 'POST', path: SMI, status: 500, times: 1, storeFirst: true });
    const result = smiResultFile();
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token), result }));
    expect(e.kind).toBe('publish');
    expect(exitCodeOf(e.kind)).toBe(3);
    expect(e.message).toContain(`may have been stored; result id ${String(result.id)}`);
    expect(e.message).toMatch(/\(POST http:\/\/127\.0\.0\.1:\d+\/smi\/results, 1 attempt; HTTP 500/);
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(1);
    expect(provider.smiResults).toHaveLength(1);
  });

  it('does not resend a POST that timed out', async () => {
    provider.addFault({ method: 'POST', path: SMI, delayMs: 1500, times: 1 });
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token, { timeoutMs: 300 }), result: smiResultFile() }));
    expect(e.message).toMatch(/1 attempt; no complete answer within 0\.3 s\): it may have been stored/);
    expect(provider.requestsTo(SMI, 'POST')).toHaveLength(1);
  });

  it('stores a result whose answer is lost once, and names its id', async () => {
    provider.addFault({ method: 'POST', path: /\/results$/, close: true, times: 1, storeFirst: true });
    const files = smpFiles();
    const e = await failure(publishSmp({ providerOptions: optionsFor(provider, token), result: files, profileName: 'p' }));
    expect(e.message).toContain(`may have been stored; result id ${String(files.smpResult.id)}`);
    expect(e.message).toMatch(/the result files are kept/);
    expect(provider.requestsTo(/\/results$/, 'POST')).toHaveLength(1);
    expect(provider.results).toHaveLength(1);
  });

  it('looks a profile up by name when the answer to its create is lost, and creates it once', async () => {
    provider.addFault({ method: 'POST', path: PROFILES, close: true, times: 1, storeFirst: true });
    const logger = new MemoryLogger();
    const out = await publishSmp({ providerOptions: optionsFor(provider, token), result: smpFiles(), profileName: 'p', logger });
    expect(provider.requestsTo(PROFILES, 'POST')).toHaveLength(1);
    expect(provider.profiles).toHaveLength(1);
    expect(provider.results).toHaveLength(1);
    expect(out).toMatchObject({ profileId: provider.profiles[0]!.id, profileCreated: true });
    expect(logger.text('info')).toMatch(/did store the performance profile "p"/);
  });

  it('creates the profile again when the lookup shows the lost create never arrived', async () => {
    provider.addFault({ method: 'POST', path: PROFILES, close: true, times: 1 });
    await publishSmp({ providerOptions: optionsFor(provider, token), result: smpFiles(), profileName: 'p' });
    expect(provider.requestsTo(PROFILES, 'POST')).toHaveLength(2);
    expect(provider.profiles).toHaveLength(1);
  });

  it('resends a POST that was refused at connect time (it never arrived)', async () => {
    const url = provider.url;
    await provider.close();
    const e = await failure(publishSmi({ providerOptions: { ...optionsFor(provider, token, { deadlineMs: 600 }), baseUrl: url }, result: smiResultFile() }));
    expect(e.message).toMatch(/after [2-9]\d* attempts .*ECONNREFUSED/);
    provider = await startFakeProvider(); // for afterEach
  });
});

describe('a created profile without an id', () => {
  it('fails the publish with the casing hint in the words of the caller: a flag for the CLI, an input for the action', async () => {
    provider.addFault({ method: 'POST', path: PROFILES, status: 201, body: {}, times: 2 });
    const cli = await failure(publishSmp({ providerOptions: optionsFor(provider, token), result: smpFiles(), profileName: 'p' }));
    expect(cli.kind).toBe('publish');
    expect(cli.message).toMatch(/returned no profile id.*try --provider-casing snake \(or camel\)\./);
    expect(cli.message).not.toMatch(/provider_casing/);
    const action = await failure(publishSmp({ providerOptions: optionsFor(provider, token, { wording: ACTION_WORDING }), result: smpFiles(), profileName: 'p' }));
    expect(action.message).toMatch(/returned no profile id.*try provider_casing: snake \(or camel\)\./);
    expect(provider.results).toHaveLength(0);
  });
});
