import { describe, expect, it } from 'vitest';
import { ACTION_WORDING } from '../wording.js';
import { MeshspecError, exitCodeOf } from '../errors.js';
import { MemoryLogger } from '../log.js';
import {
  DEFAULT_ENDPOINTS,
  capabilitiesPath,
  checkMesheryVersion,
  endpointFor,
  isLoopbackHost,
  parseCapabilities,
  resolveBaseUrl,
} from './endpoints.js';

function refusal(fn: () => unknown): MeshspecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MeshspecError) return e;
    throw e;
  }
  throw new Error('expected a MeshspecError');
}

describe('resolveBaseUrl', () => {
  it('maps provider names, Layer5 by default', () => {
    expect(resolveBaseUrl({})).toBe('https://cloud.layer5.io');
    expect(resolveBaseUrl({ providerName: 'Layer5' })).toBe('https://cloud.layer5.io');
    expect(resolveBaseUrl({ providerName: 'meshery' })).toBe('https://cloud.meshery.io');
  });

  it('lets provider_url override the name and drops a trailing slash', () => {
    expect(resolveBaseUrl({ providerName: 'Meshery', baseUrl: 'https://provider.example.com/base/' })).toBe('https://provider.example.com/base');
  });

  it('allows plain http only to loopback hosts', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://127.9.8.7', 'http://[::1]:9000', 'http://localhost:1234', 'http://api.localhost']) {
      expect(resolveBaseUrl({ baseUrl: url })).toBe(url);
    }
  });

  it('refuses plain http elsewhere, other schemes, credentials and queries with exit 2', () => {
    const cases: [string, RegExp][] = [
      ['http://provider.example.invalid', /plain http.*Use https/],
      ['http://10.0.0.1', /plain http/],
      ['http://127.0.0.1.example.invalid', /plain http/],
      ['ftp://provider.example.invalid', /must use https/],
      ['https://user:secret-pw@provider.example.invalid', /contains credentials/],
      ['https://provider.example.invalid/?token=abc', /query or fragment/],
      ['not a url', /is not a URL/],
    ];
    for (const [url, message] of cases) {
      const e = refusal(() => resolveBaseUrl({ baseUrl: url }));
      expect(e.kind, url).toBe('input');
      expect(exitCodeOf(e.kind)).toBe(2);
      expect(e.message, url).toMatch(message);
      expect(e.message).not.toContain('secret-pw');
      // Each names what the user set: the CLI's flag, or the action's input.
      expect(e.message, url).toMatch(/^--provider-url /);
      expect(refusal(() => resolveBaseUrl({ baseUrl: url, wording: ACTION_WORDING })).message, url).toMatch(/^provider_url /);
    }
  });

  it('refuses unknown provider names and lists the known ones', () => {
    const e = refusal(() => resolveBaseUrl({ providerName: 'Nope' }));
    expect(e.kind).toBe('input');
    expect(e.message).toMatch(/Layer5 \(https:\/\/cloud\.layer5\.io\), Meshery/);
    // The CLI's fix names its flag, the action's its input (src/wording.ts).
    expect(e.message).toMatch(/; or set --provider-url to the provider's https address/);
    expect(e.message).not.toMatch(/provider_url/);
    const action = refusal(() => resolveBaseUrl({ providerName: 'Nope', wording: ACTION_WORDING }));
    expect(action.message).toMatch(/; or set provider_url to the provider's https address/);
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example.invalid')).toBe(false);
    expect(isLoopbackHost('::2')).toBe(false);
  });
});

describe('capabilities', () => {
  it('builds the versioned capabilities path and checks the version', () => {
    expect(capabilitiesPath()).toBe('/v0.8.0/capabilities?os=meshery&playground=false');
    expect(capabilitiesPath('v0.7.1-rc.1')).toBe('/v0.7.1-rc.1/capabilities?os=meshery&playground=false');
    for (const bad of ['0.8.0', 'v0.8', 'v0.8.0/../x', 'v1.2.3?x=1']) {
      expect(() => checkMesheryVersion(bad)).toThrow(/not a release tag/);
    }
  });

  it('reads camelCase and snake_case responses', () => {
    const caps = [
      { feature: 'persist-smi-results', endpoint: '/api/smi/results' },
      { feature: 'persist-performance-profiles', endpoint: '/api/performance/profiles/' },
      { feature: 'persist-results', endpoint: '/results' },
    ];
    const camel = parseCapabilities({ providerName: 'Layer5', providerType: 'remote', capabilities: caps });
    const snake = parseCapabilities({ provider_name: 'Layer5', provider_type: 'remote', capabilities: caps });
    for (const c of [camel, snake]) {
      expect(c?.providerName).toBe('Layer5');
      expect(c?.endpoints).toEqual({ smiResults: '/api/smi/results', performanceProfiles: '/api/performance/profiles' });
      expect(c?.advertised.has('persist-results')).toBe(true);
    }
    expect(parseCapabilities({ providerName: 'x' })).toBeUndefined();
    expect(parseCapabilities('nope')).toBeUndefined();
  });

  it('never takes an endpoint that leaves the provider', () => {
    const logger = new MemoryLogger();
    for (const endpoint of ['https://elsewhere.example.invalid/smi', '//elsewhere.example.invalid/smi', '/a/../../b', 'smi/results', '/smi?x=1']) {
      const c = parseCapabilities({ capabilities: [{ feature: 'persist-smi-results', endpoint }] }, logger);
      expect(c?.endpoints.smiResults, endpoint).toBeUndefined();
    }
    expect(logger.text('warn')).toMatch(/not a plain path/);
  });

  it('falls back to the documented defaults', () => {
    const defaults = { source: 'defaults' as const, advertised: new Set<string>(), endpoints: {} };
    expect(endpointFor(defaults, 'smiResults')).toBe(DEFAULT_ENDPOINTS.smiResults);
    expect(endpointFor(defaults, 'performanceProfiles')).toBe('/user/performance/profiles');
  });

  it('takes an SMI endpoint the provider does not advertise only when forced', () => {
    const caps = { source: 'provider' as const, advertised: new Set(['persist-results']), endpoints: {} };
    const e = refusal(() => endpointFor(caps, 'smiResults'));
    expect(e.kind).toBe('publish');
    expect(e.message).toMatch(/does not advertise persist-smi-results.*smi_endpoint_enabled: true/);
    const logger = new MemoryLogger();
    expect(endpointFor(caps, 'smiResults', { force: true, logger })).toBe('/smi/results');
    expect(endpointFor(caps, 'performanceProfiles', { logger })).toBe('/user/performance/profiles');
    expect(logger.text('warn')).toMatch(/does not advertise persist-performance-profiles/);
  });
});
