import { fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { MeshspecError } from '../../packages/core/src/errors.js';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { ACTION_WORDING } from '../../packages/core/src/wording.js';
import { publishSmi, publishSmp, type FetchLike, type ProviderOptions } from '../../packages/core/src/provider/index.js';
import { startFakeProvider } from '../support/fake-provider.mjs';
import { encodeToken, fortioFile, smiResultFile, smpResultFile } from './fixtures.js';
import { optionsFor, type FakeProvider } from './helpers.js';

const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaS11c2VyIn0.c2lnbmF0dXJlLW9uZQ';
const REFRESH = 'refresh-token-one-9f8e7d';
const token = encodeToken({ access_token: ACCESS, refresh_token: REFRESH, expiry: '2099-01-01T00:00:00Z' });
const NEW_ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaS11c2VyIn0.c2lnbmF0dXJlLXR3bw';
const NEW_REFRESH = 'refresh-token-two-1a2b3c';
const newToken = encodeToken({ access_token: NEW_ACCESS, refresh_token: NEW_REFRESH, expiry: '2099-01-02T00:00:00Z' });
const noRefreshToken = encodeToken({ access_token: ACCESS, expiry: '2099-01-01T00:00:00Z' });
const ALL_SECRETS = [token, ACCESS, REFRESH, newToken, NEW_ACCESS, NEW_REFRESH, noRefreshToken];

const SMI = '/smi/results';
let provider: FakeProvider;
afterEach(async () => {
  await provider?.close();
});

function expectNoSecrets(...texts: string[]) {
  const all = texts.join('\n');
  for (const s of ALL_SECRETS) expect(all.includes(s), `a token leaked: …${s.slice(-8)}`).toBe(false);
}

async function failure(promise: Promise<unknown>): Promise<MeshspecError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MeshspecError);
  return e as MeshspecError;
}

const smp = (options: ProviderOptions, logger?: MemoryLogger) =>
  publishSmp({ providerOptions: options, result: { smpResult: smpResultFile(), fortio: fortioFile() }, profileName: 'checkout', logger });

describe('auth headers', () => {
  it('send the whole token as bearer and X-API-Key on every provider call, and no cookies', async () => {
    provider = await startFakeProvider({ acceptTokens: [token] });
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    await smp(optionsFor(provider, token));
    expect(provider.requests.length).toBe(6);
    for (const r of provider.requests) {
      expect(r.headers.authorization, `${r.method} ${r.path}`).toBe(`bearer ${token}`);
      expect(r.headers['x-api-key']).toBe(token);
      expect(r.headers.cookie).toBeUndefined();
    }
  });

  it('send the decoded access token in access_token mode, as older Meshery did', async () => {
    provider = await startFakeProvider({ acceptTokens: [ACCESS] });
    await smp(optionsFor(provider, token, { tokenMode: 'access_token' }));
    for (const r of provider.requests) {
      expect(r.headers.authorization).toBe(`bearer ${ACCESS}`);
      expect(r.headers['x-api-key']).toBe(ACCESS);
    }
  });

  it('send a token that does not decode as it is, in either mode', async () => {
    provider = await startFakeProvider({ acceptTokens: ['opaque-token-value'] });
    await publishSmi({ providerOptions: optionsFor(provider, 'opaque-token-value', { tokenMode: 'access_token' }), result: smiResultFile() });
    expect(provider.requestsTo(SMI)[0]!.headers.authorization).toBe('bearer opaque-token-value');
  });

  it('read a whole auth.json given as the token', async () => {
    provider = await startFakeProvider({ acceptTokens: [token] });
    const authJson = JSON.stringify({ 'meshery-provider': 'Layer5', token });
    await publishSmi({ providerOptions: optionsFor(provider, authJson), result: smiResultFile() });
    expect(provider.requestsTo(SMI)[0]!.headers.authorization).toBe(`bearer ${token}`);
  });
});

describe('token refresh on 401', () => {
  it('refreshes once, masks the new secrets first, and retries with the new token', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { token: newToken } });
    const masked: { secret: string; postsSoFar: number }[] = [];
    const logger = new MemoryLogger();
    const out = await publishSmi({
      providerOptions: optionsFor(provider, token, { onNewSecret: (secret) => masked.push({ secret, postsSoFar: provider.requestsTo(SMI).length }) }),
      result: smiResultFile(),
      logger,
    });
    expect(out.resultId).toBe(provider.smiResults[0]!.id);
    expect(provider.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v0.8.0/capabilities', `POST ${SMI}`, 'POST /refresh', `POST ${SMI}`]);

    const refresh = provider.requestsTo('/refresh')[0]!;
    expect(refresh.body).toEqual({ token });
    expect(refresh.headers.authorization).toBeUndefined();
    expect(refresh.headers['x-api-key']).toBeUndefined();
    expect(refresh.headers['content-type']).toMatch(/^application\/json/);

    const [first, retry] = provider.requestsTo(SMI);
    expect(first!.headers.authorization).toBe(`bearer ${token}`);
    expect(retry!.headers.authorization).toBe(`bearer ${newToken}`);
    expect(retry!.headers['x-api-key']).toBe(newToken);

    expect(masked.map((m) => m.secret)).toEqual([newToken, NEW_ACCESS, NEW_REFRESH]);
    // Masked before the retry went out.
    expect(masked.every((m) => m.postsSoFar === 1)).toBe(true);
    expectNoSecrets(logger.text());
  });

  it('leaves the one refresh to the publish call when the capabilities call gets a 401', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { token: newToken } });
    provider.addFault({ method: 'GET', path: /capabilities$/, status: 401, times: 1 });
    await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    expect(provider.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v0.8.0/capabilities', `POST ${SMI}`, 'POST /refresh', `POST ${SMI}`]);
    expect(provider.smiResults).toHaveLength(1);
  });

  it('keeps the refreshed token for the rest of an SMP publish', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { token: newToken } });
    await smp(optionsFor(provider, token));
    expect(provider.requestsTo('/refresh')).toHaveLength(1);
    const after = provider.requests.slice(provider.requests.findIndex((r) => r.path === '/refresh') + 1);
    expect(after.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, 'ID')}`)).toEqual([
      'GET /user/performance/profiles',
      'POST /user/performance/profiles',
      'POST /user/performance/profiles/ID/results',
    ]);
    for (const r of after) expect(r.headers.authorization).toBe(`bearer ${newToken}`);
  });

  it('sends the new access token after a refresh in access_token mode', async () => {
    provider = await startFakeProvider({ acceptTokens: [NEW_ACCESS], refresh: { token: newToken } });
    await publishSmi({ providerOptions: optionsFor(provider, token, { tokenMode: 'access_token' }), result: smiResultFile() });
    expect(provider.requestsTo('/refresh')[0]!.body).toEqual({ token });
    expect(provider.requestsTo(SMI).map((r) => r.headers.authorization)).toEqual([`bearer ${ACCESS}`, `bearer ${NEW_ACCESS}`]);
  });

  it('stops without a refresh when the token has no refresh token', async () => {
    provider = await startFakeProvider({ acceptTokens: [] });
    const logger = new MemoryLogger();
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, noRefreshToken), result: smiResultFile(), logger }));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/rejected the token \(HTTP 401 on POST .*\/smi\/results: token expired or invalid\)\. The token carries no refresh token\./);
    expect(e.message).toMatch(/security\/tokens.*mesheryctl system login.*MESHSPEC_PROVIDER_TOKEN secret \/ provider_token input.*try --provider-token-mode access_token/);
    expect(provider.requestsTo('/refresh')).toHaveLength(0);
    expect(provider.requestsTo(SMI)).toHaveLength(1);
    expectNoSecrets(e.message, logger.text());
    // The action names its input (src/wording.ts).
    const action = await failure(publishSmi({ providerOptions: optionsFor(provider, noRefreshToken, { wording: ACTION_WORDING }), result: smiResultFile() }));
    expect(action.message).toMatch(/try provider_token_mode: access_token/);
  });

  it('stops when the refresh is refused', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { status: 401, body: { error: 'refresh token revoked' } } });
    const logger = new MemoryLogger();
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile(), logger }));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/rejected the token \(HTTP 401.*Refreshing it failed: .*HTTP 401.*refresh token revoked.*get a new token/);
    expect(provider.requestsTo('/refresh')).toHaveLength(1);
    expect(provider.requestsTo(SMI)).toHaveLength(1);
    expectNoSecrets(e.message, logger.text());
  });

  it('retries a refresh endpoint that answers 5xx a bounded number of times', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { status: 500 } });
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() }));
    expect(e.message).toMatch(/Refreshing it failed: Could not refresh the token .* after 3 attempts/);
    expect(provider.requestsTo('/refresh')).toHaveLength(3);
  });

  it('refreshes only once when the new token is refused too', async () => {
    provider = await startFakeProvider({ acceptTokens: [], refresh: { token: 'not-accepted-either-token', accept: false } });
    const masked: string[] = [];
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token, { onNewSecret: (s) => masked.push(s) }), result: smiResultFile() }));
    expect(e.message).toMatch(/HTTP 401.*refused again after a token refresh/);
    expect(provider.requestsTo('/refresh')).toHaveLength(1);
    expect(provider.requestsTo(SMI)).toHaveLength(2);
    expect(masked).toEqual(['not-accepted-either-token']);
    expect(e.message).not.toContain('not-accepted-either-token');
  });

  it('does not refresh on 403', async () => {
    provider = await startFakeProvider({ refresh: { token: newToken } });
    provider.addFault({ method: 'POST', path: SMI, status: 403, body: { message: 'insufficient scope' }, times: 1 });
    const e = await failure(publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() }));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/rejected the token \(HTTP 403 .*insufficient scope\)\. A 403 means .*not refreshed/);
    expect(provider.requestsTo('/refresh')).toHaveLength(0);
    expect(provider.requestsTo(SMI)).toHaveLength(1);
  });
});

describe('expiry', () => {
  it('warns about an expired token before the first request', async () => {
    provider = await startFakeProvider();
    const expired = encodeToken({ access_token: ACCESS, expiry: '2020-01-01T00:00:00Z' });
    const logger = new MemoryLogger();
    const linesAtFirstRequest: number[] = [];
    const spy: FetchLike = (url, init) => {
      linesAtFirstRequest.push(logger.lines.filter((l) => l.level === 'warn').length);
      return undiciFetch(url, init);
    };
    await publishSmi({ providerOptions: optionsFor(provider, expired, { fetchImpl: spy }), result: smiResultFile(), logger });
    expect(logger.text('warn')).toMatch(/expired at 2020-01-01T00:00:00\.000Z .*no refresh token/);
    expect(linesAtFirstRequest[0]).toBe(1);
    expectNoSecrets(logger.text());
  });
});

describe('secret hygiene', () => {
  it('keeps every token out of logs, messages and bodies on each fault path', async () => {
    const logs: string[] = [];
    const scenarios: [string, () => Promise<void>][] = [
      ['400', async () => provider.addFault({ method: 'POST', path: SMI, status: 400, body: { error: `bad token ${token}` } })],
      ['503 x3', async () => provider.addFault({ method: 'POST', path: SMI, status: 503, body: `echo ${ACCESS}`, times: 3 })],
      ['close', async () => provider.addFault({ method: 'POST', path: SMI, close: true })],
      ['401+refresh', async () => {
        provider.config.acceptTokens = [];
        provider.config.refresh = { status: 200, token: newToken };
      }],
    ];
    for (const [name, arrange] of scenarios) {
      provider = await startFakeProvider({ acceptTokens: undefined });
      await arrange();
      const logger = new MemoryLogger();
      const outcome = await publishSmi({ providerOptions: optionsFor(provider, token, { retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 } }), result: smiResultFile(), logger }).then(
        (r) => JSON.stringify(r),
        (e: Error) => e.message,
      );
      logs.push(`${name}: ${outcome}`, logger.text());
      const bodies = provider.requests.filter((r) => r.path !== '/refresh').map((r) => r.raw);
      expectNoSecrets(outcome, logger.text(), ...bodies);
      await provider.close();
    }
    expect(logs.join('\n')).toMatch(/bad token \[redacted\]/);
    expect(logs.join('\n')).toMatch(/echo \[redacted\]/);
    provider = await startFakeProvider();
  });
});
