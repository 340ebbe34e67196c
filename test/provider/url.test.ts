import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshspecError, exitCodeOf } from '../../packages/core/src/errors.js';
import { fetchProfileByName, publishSmi, publishSmp, type FetchLike, type ProviderOptions } from '../../packages/core/src/provider/index.js';
import { startFakeProvider } from '../support/fake-provider.mjs';
import { encodeToken, fortioFile, smiResultFile, smpResultFile } from './fixtures.js';

// A plain-http provider URL that is not loopback is refused before a token could travel: no
// connection is attempted. Hosts are under the reserved .invalid name, never a real address.

const token = encodeToken({ access_token: 'access-for-url-tests', refresh_token: 'refresh-for-url-tests' });

/** An undici dispatcher that records every request that reaches it: proof that no request takes the global path. */
class SpyAgent extends Agent {
  readonly origins: string[] = [];
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.origins.push(String(options.origin));
    return super.dispatch(options, handler);
  }
}

let spyAgent: SpyAgent;
let previous: Dispatcher;
beforeEach(() => {
  previous = getGlobalDispatcher();
  spyAgent = new SpyAgent();
  setGlobalDispatcher(spyAgent);
});
afterEach(async () => {
  setGlobalDispatcher(previous);
  await spyAgent.close();
});

function fetchSpy() {
  const urls: string[] = [];
  const fetchImpl: FetchLike = async (url) => {
    urls.push(url);
    return { status: 201, headers: { get: () => null }, text: async () => '{"id":"5d2c9a4e-8f7b-4c1e-9a0b-2f6e1d3c4b5a"}' };
  };
  return { urls, fetchImpl };
}

const calls = (options: ProviderOptions) => [
  () => publishSmi({ providerOptions: options, result: smiResultFile() }),
  () => publishSmp({ providerOptions: options, result: { smpResult: smpResultFile(), fortio: fortioFile() }, profileName: 'p' }),
  () => fetchProfileByName({ providerOptions: options, name: 'p' }),
];

describe('provider URL policy', () => {
  for (const baseUrl of ['http://provider.example.invalid', 'http://provider.example.invalid:8080/base', 'http://127.0.0.1.example.invalid', 'ftp://provider.example.invalid']) {
    it(`refuses ${baseUrl} with exit 2 before any connection`, async () => {
      const spy = fetchSpy();
      for (const withSpy of [true, false]) {
        const options: ProviderOptions = { baseUrl, token, ...(withSpy ? { fetchImpl: spy.fetchImpl } : {}) };
        for (const call of calls(options)) {
          const e = await call().then(
            () => undefined,
            (x: unknown) => x,
          );
          expect(e).toBeInstanceOf(MeshspecError);
          expect((e as MeshspecError).kind).toBe('input');
          expect(exitCodeOf((e as MeshspecError).kind)).toBe(2);
          expect((e as MeshspecError).message).toMatch(/--provider-url .*(plain http|must use https)/);
          expect((e as MeshspecError).message).not.toContain('access-for-url-tests');
        }
      }
      expect(spy.urls).toEqual([]);
      expect(spyAgent.origins).toEqual([]);
    });
  }

  it('lets an https URL through (the spy sees the requests)', async () => {
    const spy = fetchSpy();
    await publishSmi({ providerOptions: { baseUrl: 'https://provider.example.invalid/', token, fetchImpl: spy.fetchImpl }, result: smiResultFile() });
    expect(spy.urls).toEqual(['https://provider.example.invalid/v0.8.0/capabilities?os=meshery&playground=false', 'https://provider.example.invalid/smi/results']);
  });

  it('uses its own undici Agent by default (not the global dispatcher), and allows plain http to loopback', async () => {
    const provider = await startFakeProvider();
    try {
      await publishSmi({ providerOptions: { baseUrl: provider.url, token }, result: smiResultFile() });
      expect(provider.smiResults).toHaveLength(1);
      // Both requests were sent (through the provider's own Agent), and none through the global dispatcher.
      expect(provider.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v0.8.0/capabilities', 'POST /smi/results']);
      expect(spyAgent.origins).toEqual([]);
    } finally {
      await provider.close();
    }
  });

  it('refuses an unknown provider name from a whole auth.json before any connection', async () => {
    const spy = fetchSpy();
    const authJson = JSON.stringify({ 'meshery-provider': 'Nowhere', token });
    await expect(publishSmi({ providerOptions: { token: authJson, fetchImpl: spy.fetchImpl }, result: smiResultFile() })).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringMatching(/unknown provider "Nowhere"/),
    });
    expect(spy.urls).toEqual([]);
  });

  it('refuses a bad token, version or casing before any connection', async () => {
    const spy = fetchSpy();
    const base = { baseUrl: 'https://provider.example.invalid', fetchImpl: spy.fetchImpl };
    for (const options of [
      { ...base, token: '' },
      { ...base, token: 'two words' },
      { ...base, token, mesheryVersion: 'latest' },
      { ...base, token, casing: 'kebab' as never },
      { ...base, token, tokenMode: 'jwt' as never },
    ]) {
      await expect(publishSmi({ providerOptions: options, result: smiResultFile() })).rejects.toMatchObject({ kind: 'input' });
    }
    expect(spy.urls).toEqual([]);
  });
});
