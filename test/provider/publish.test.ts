import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../packages/core/src/log.js';
import { fetchProfileByName, publishSmi, publishSmp } from '../../packages/core/src/provider/index.js';
import { buildProfile } from '../../packages/core/src/smp/profile.js';
import { startFakeProvider } from '../support/fake-provider.mjs';
import { encodeToken, fortioFile, smiResultFile, smpResultFile } from './fixtures.js';
import { apiRequests, optionsFor, schemaErrors, type FakeProvider } from './helpers.js';

const token = encodeToken({ access_token: 'acc.jwt.value', refresh_token: 'refresh-1', expiry: '2099-01-01T00:00:00Z' });
const files = () => ({ smpResult: smpResultFile(), fortio: fortioFile() });

let provider: FakeProvider;
afterEach(async () => {
  await provider?.close();
});

describe('SMI publishing', () => {
  beforeEach(async () => {
    provider = await startFakeProvider();
  });

  for (const casing of ['camel', 'snake'] as const) {
    it(`posts a ${casing}Case SmiResult that matches Meshery's struct and returns the id`, async () => {
      const out = await publishSmi({ providerOptions: optionsFor(provider, token, { casing }), result: smiResultFile() });
      expect(provider.smiResults).toHaveLength(1);
      expect(out).toEqual({ resultId: provider.smiResults[0]!.id, providerUrl: provider.url });
      const post = provider.requestsTo('/smi/results', 'POST');
      expect(post).toHaveLength(1);
      expect(schemaErrors('smi-result', casing, post[0]!.body)).toEqual([]);
      // Our extra detail stays in the file.
      expect(post[0]!.raw).not.toMatch(/steps|cases_total|casesTotal|specs/);
    });
  }

  it('reads the capabilities at the versioned path first, and uses the endpoint they advertise', async () => {
    await provider.close();
    provider = await startFakeProvider({ capabilitiesCasing: 'snake', endpoints: { smiResults: '/api/smi/results' } });
    await publishSmi({ providerOptions: optionsFor(provider, token, { mesheryVersion: 'v0.7.2' }), result: smiResultFile() });
    expect(provider.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v0.7.2/capabilities', 'POST /api/smi/results']);
    expect(provider.requests[0]!.query).toEqual({ os: 'meshery', playground: 'false' });
  });

  it('falls back to the default endpoint when the provider serves no capabilities', async () => {
    await provider.close();
    provider = await startFakeProvider({ capabilitiesStatus: 404 });
    const out = await publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() });
    expect(out.resultId).toBe(provider.smiResults[0]!.id);
    expect(provider.requestsTo(/capabilities$/)).toHaveLength(1);
  });

  it('does not post SMI results the provider does not advertise, unless told to', async () => {
    await provider.close();
    provider = await startFakeProvider({ advertiseSmi: false });
    await expect(publishSmi({ providerOptions: optionsFor(provider, token), result: smiResultFile() })).rejects.toMatchObject({
      kind: 'publish',
      message: expect.stringMatching(/does not advertise persist-smi-results.*smi_endpoint_enabled: true/),
    });
    expect(provider.requestsTo('/smi/results')).toHaveLength(0);
    const out = await publishSmi({ providerOptions: optionsFor(provider, token, { smiEndpointEnabled: true }), result: smiResultFile() });
    expect(out.resultId).toBe(provider.smiResults[0]!.id);
  });
});

describe('SMP publishing', () => {
  beforeEach(async () => {
    provider = await startFakeProvider();
  });

  for (const casing of ['camel', 'snake'] as const) {
    it(`creates the profile, then posts a ${casing}Case MesheryResult with the Fortio JSON`, async () => {
      const logger = new MemoryLogger();
      const out = await publishSmp({ providerOptions: optionsFor(provider, token, { casing }), result: files(), profileName: 'checkout', mesh: 'osm', logger });
      expect(provider.profiles).toHaveLength(1);
      expect(provider.results).toHaveLength(1);
      expect(out).toEqual({ resultId: provider.results[0]!.id, profileId: provider.profiles[0]!.id, profileCreated: true, providerUrl: provider.url });

      const [lookup, create, publish] = apiRequests(provider);
      expect(lookup).toMatchObject({ method: 'GET', path: '/user/performance/profiles', query: { search: 'checkout', page: '0' } });
      expect(create).toMatchObject({ method: 'POST', path: '/user/performance/profiles' });
      expect(publish).toMatchObject({ method: 'POST', path: `/user/performance/profiles/${out.profileId}/results` });

      expect(schemaErrors('performance-profile', casing, create!.body)).toEqual([]);
      expect(schemaErrors('meshery-result', casing, publish!.body)).toEqual([]);
      const k = (camel: string, snake: string) => (casing === 'camel' ? camel : snake);
      expect(create!.body).toMatchObject({
        name: 'checkout',
        [k('serviceMesh', 'service_mesh')]: 'OPEN_SERVICE_MESH',
        [k('concurrentRequest', 'concurrent_request')]: 4,
        qps: 100,
        duration: '30s',
        endpoints: ['https://shop.example.invalid/checkout'],
      });
      const result = publish!.body as Record<string, unknown>;
      expect(result).toMatchObject({
        name: 'checkout',
        mesh: 'OPEN_SERVICE_MESH',
        [k('performanceProfile', 'performance_profile')]: out.profileId,
        [k('testId', 'test_id')]: smpResultFile().id,
        [k('testStartTime', 'test_start_time')]: smpResultFile().start_time,
      });
      expect(result[k('runnerResults', 'runner_results')]).toEqual({ ...fortioFile(), 'load-generator': 'fortio' });
      expect(logger.text('info')).toMatch(/Created the performance profile "checkout"/);
    });
  }

  it('adds a re-run to the same profile instead of creating a duplicate', async () => {
    const options = optionsFor(provider, token);
    // A profile whose name contains ours must not be taken for it: the provider's search matches substrings.
    await publishSmp({ providerOptions: options, result: files(), profileName: 'checkout-nightly' });
    const first = await publishSmp({ providerOptions: options, result: files(), profileName: 'checkout' });
    const second = await publishSmp({ providerOptions: options, result: files(), profileName: 'checkout' });
    expect(provider.profiles.map((p) => p.name)).toEqual(['checkout-nightly', 'checkout']);
    expect(first.profileCreated).toBe(true);
    expect(second.profileCreated).toBe(false);
    expect(second.profileId).toBe(first.profileId);
    expect(second.resultId).not.toBe(first.resultId);
    expect(provider.results.filter((r) => r.profileId === first.profileId)).toHaveLength(2);
    expect(provider.requestsTo('/user/performance/profiles', 'POST')).toHaveLength(2);
  });

  it('finds profiles listed in snake_case too, and follows the advertised endpoint', async () => {
    await provider.close();
    provider = await startFakeProvider({ listCasing: 'snake', capabilitiesCasing: 'snake', endpoints: { performanceProfiles: '/api/performance/profiles' } });
    const options = optionsFor(provider, token, { casing: 'snake' });
    const a = await publishSmp({ providerOptions: options, result: files(), profileName: 'checkout' });
    const b = await publishSmp({ providerOptions: options, result: files(), profileName: 'checkout' });
    expect(b.profileId).toBe(a.profileId);
    expect(provider.profiles).toHaveLength(1);
    expect(apiRequests(provider).every((r) => r.path.startsWith('/api/performance/profiles'))).toBe(true);
  });

  it('returns a result URL when the provider gives one', async () => {
    await provider.close();
    provider = await startFakeProvider({ resultUrlBase: 'https://cloud.example.invalid/performance/results' });
    const out = await publishSmp({ providerOptions: optionsFor(provider, token), result: files(), profileName: 'checkout' });
    expect(out.resultUrl).toBe(`https://cloud.example.invalid/performance/results/${out.resultId}`);
  });

  it('builds the profile from fortio.json when the SMP result carries no test', async () => {
    const { test: _test, ...smpResult } = smpResultFile();
    await publishSmp({ providerOptions: optionsFor(provider, token), result: { smpResult, fortio: fortioFile() }, profileName: 'from-fortio' });
    const create = provider.requestsTo('/user/performance/profiles', 'POST')[0]!;
    expect(create.body).toEqual({ name: 'from-fortio', loadGenerators: ['fortio'], endpoints: ['https://shop.example.invalid/checkout'], concurrentRequest: 4, qps: 100, duration: '30s' });
    expect(schemaErrors('performance-profile', 'camel', create.body)).toEqual([]);
  });

  it('keeps secrets of the profile and the endpoint out of every provider body', async () => {
    const profile = {
      test: {
        name: 'secret-check',
        duration: '10s',
        clients: [
          {
            load_generator: 'fortio',
            connections: 1,
            rps: 5,
            endpoint_urls: ['https://bob:hunter2-pw@shop.example.invalid/checkout?api_key=k3y-value'],
            headers: { Authorization: 'Bearer profile-header-secret', 'X-Trace': 'yes' },
            cookies: { session: 'cookie-secret-value' },
          },
        ],
      },
      mesh: { type: 3 },
    };
    const fortio = fortioFile('https://bob:hunter2-pw@shop.example.invalid/checkout?api_key=k3y-value');
    await publishSmp({ providerOptions: optionsFor(provider, token), result: { smpResult: smpResultFile(), fortio }, profileName: 'secret-check', profile });
    const raw = provider.requests.map((r) => r.raw).join('\n');
    for (const secret of ['hunter2-pw', 'profile-header-secret', 'cookie-secret-value', 'k3y-value', token, 'acc.jwt.value', 'refresh-1']) {
      expect(raw, secret).not.toContain(secret);
    }
    const create = provider.requestsTo('/user/performance/profiles', 'POST')[0]!.body as Record<string, unknown>;
    expect(JSON.parse(create.requestHeaders as string)).toEqual({ Authorization: '[redacted]', 'X-Trace': 'yes' });
    expect(create.endpoints).toEqual(['https://redacted@shop.example.invalid/checkout?api_key=%5Bredacted%5D']);
    expect(schemaErrors('performance-profile', 'camel', create)).toEqual([]);
    const result = provider.requestsTo(/\/results$/, 'POST')[0]!.body;
    expect(schemaErrors('meshery-result', 'camel', result)).toEqual([]);
  });
});

describe("Meshery's profile_name", () => {
  beforeEach(async () => {
    provider = await startFakeProvider();
  });

  it('fetches a saved profile and returns an SMP profile that the SMP parser accepts', async () => {
    provider.profiles.push(
      { id: '11111111-1111-4111-8111-111111111111', name: 'checkout-soak-old', endpoints: ['https://other.example.invalid'], updatedAt: '2030-01-01T00:00:00Z' },
      {
        id: '22222222-2222-4222-8222-222222222222',
        name: 'checkout-soak',
        loadGenerators: ['fortio'],
        endpoints: ['https://shop.example.invalid/checkout'],
        serviceMesh: 'ISTIO',
        concurrentRequest: 3,
        qps: 40,
        duration: '45s',
        requestHeaders: '{"X-Env":"ci"}',
        updatedAt: '2030-01-01T00:00:00Z',
      },
    );
    const profile = await fetchProfileByName({ providerOptions: optionsFor(provider, token), name: 'checkout-soak' });
    expect(profile).toMatchObject({
      test: { name: 'checkout-soak', duration: '45s', clients: [{ connections: 3, rps: 40, endpoint_urls: ['https://shop.example.invalid/checkout'], headers: { 'X-Env': 'ci' }, load_generator: 'fortio' }] },
      mesh: { type: 3 },
    });
    const parsed = buildProfile(profile, 'provider profile "checkout-soak"');
    expect(parsed).toMatchObject({ name: 'checkout-soak', duration: '45s', durationMs: 45_000, mesh: { type: 3 } });
    expect(parsed.clients[0]).toMatchObject({ connections: 3, rps: 40, endpoint_urls: ['https://shop.example.invalid/checkout'] });
  });

  it('is an input error, listing similar names, when the provider has no such profile', async () => {
    provider.profiles.push({ id: '33333333-3333-4333-8333-333333333333', name: 'Checkout-Soak', endpoints: ['https://x.example.invalid'] });
    await expect(fetchProfileByName({ providerOptions: optionsFor(provider, token), name: 'checkout-soak' })).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringMatching(/no performance profile named "checkout-soak"; similar names: "Checkout-Soak"/),
    });
  });

  it('picks the most recently updated of several profiles with the same name', async () => {
    const logger = new MemoryLogger();
    provider.profiles.push(
      { id: '44444444-4444-4444-8444-444444444444', name: 'dup', endpoints: ['https://old.example.invalid'], updatedAt: '2030-01-01T00:00:00Z' },
      { id: '55555555-5555-4555-8555-555555555555', name: 'dup', endpoints: ['https://new.example.invalid'], updatedAt: '2031-01-01T00:00:00Z' },
    );
    const profile = await fetchProfileByName({ providerOptions: optionsFor(provider, token), name: 'dup', logger });
    expect(profile.test.clients[0]!.endpoint_urls).toEqual(['https://new.example.invalid']);
    expect(logger.text('notice')).toMatch(/2 performance profiles named "dup"/);
  });
});
