import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../errors.js';
import { ApiVersions, chooseVersion, compareKubeVersions, parseSmiVersion, sortNewestFirst, type Served } from './versions.js';

describe('SMI versions', () => {
  it('defaults to auto and accepts v0.6.0; other releases are an input error naming the input', () => {
    expect(parseSmiVersion(undefined, 'input smi_version')).toBe('auto');
    expect(parseSmiVersion('', 'input smi_version')).toBe('auto');
    expect(parseSmiVersion('0.6.0', 'input smi_version')).toBe('v0.6.0');
    expect(parseSmiVersion('AUTO', 'input smi_version')).toBe('auto');
    expect(() => parseSmiVersion('v0.5.0', 'input smi_version')).toThrow(MeshspecError);
    expect(() => parseSmiVersion('v0.5.0', 'input smi_version')).toThrow(/^input smi_version: unsupported SMI version "v0.5.0"; use v0.6.0 or auto/);
  });

  it('orders Kubernetes versions by priority', () => {
    expect(sortNewestFirst(['v1alpha1', 'v1beta1', 'v1alpha3', 'v1', 'v2alpha1', 'v1alpha2'])).toEqual(['v2alpha1', 'v1', 'v1beta1', 'v1alpha3', 'v1alpha2', 'v1alpha1']);
    expect(compareKubeVersions('v1alpha10', 'v1alpha9')).toBeGreaterThan(0);
  });

  it('v0.6.0 tests access v1alpha3, specs v1alpha4, split v1alpha4, metrics v1alpha1', () => {
    const all: Served = { installed: true, versions: ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha4'] };
    expect(chooseVersion('v0.6.0', 'TrafficTarget', all)).toMatchObject({ ok: true, apiVersion: 'access.smi-spec.io/v1alpha3' });
    expect(chooseVersion('v0.6.0', 'HTTPRouteGroup', all)).toMatchObject({ ok: true, apiVersion: 'specs.smi-spec.io/v1alpha4' });
    expect(chooseVersion('v0.6.0', 'TrafficSplit', all)).toMatchObject({ ok: true, apiVersion: 'split.smi-spec.io/v1alpha4' });
    expect(chooseVersion('v0.6.0', 'TrafficMetrics', all)).toMatchObject({ ok: true, apiVersion: 'metrics.smi-spec.io/v1alpha1' });
  });

  it('a version the CRD does not serve is a failure that lists what it serves', () => {
    const r = chooseVersion('v0.6.0', 'TrafficTarget', { installed: true, versions: ['v1alpha1', 'v1alpha2'] });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toBe(
      'TrafficTarget access.smi-spec.io/v1alpha3 (SMI v0.6.0) is not served; CRD traffictargets.access.smi-spec.io serves v1alpha2, v1alpha1. Use smi_version: auto to test the newest served version',
    );
    expect(chooseVersion('v0.6.0', 'TrafficSplit', { installed: false })).toMatchObject({
      ok: false,
      reason: 'the mesh serves no split.smi-spec.io API: CRD trafficsplits.split.smi-spec.io is not installed, so TrafficSplit cannot be tested',
    });
  });

  it('a group served in no version at all: "the mesh serves no <group> API", under auto as under a release', () => {
    expect(chooseVersion('auto', 'HTTPRouteGroup', { installed: true, versions: [] })).toMatchObject({
      ok: false,
      reason: 'the mesh serves no specs.smi-spec.io API: CRD httproutegroups.specs.smi-spec.io serves no version of HTTPRouteGroup',
    });
    expect(chooseVersion('auto', 'TrafficMetrics', { installed: false, detail: 'discovery (/apis) does not list the group metrics.smi-spec.io' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the mesh serves no metrics\.smi-spec\.io API: /),
    });
  });

  it('auto takes the newest served version', () => {
    expect(chooseVersion('auto', 'TrafficTarget', { installed: true, versions: ['v1alpha1', 'v1alpha2'] })).toMatchObject({ ok: true, apiVersion: 'access.smi-spec.io/v1alpha2' });
  });

  it('records the tested versions, and helper kinds fall back to the newest served version with a note', async () => {
    const served: Record<string, Served> = {
      TrafficTarget: { installed: true, versions: ['v1alpha2'] },
      TCPRoute: { installed: true, versions: ['v1alpha4'] },
      TrafficSplit: { installed: false },
    };
    const v = new ApiVersions('v0.6.0', async (kind) => served[kind] ?? { installed: false });
    await expect(v.apiVersion('TCPRoute')).resolves.toBe('specs.smi-spec.io/v1alpha4');
    await expect(v.apiVersion('TrafficTarget')).rejects.toThrow(/not served/);
    const helper = await v.helperApiVersion('TrafficTarget');
    expect(helper).toMatchObject({ apiVersion: 'access.smi-spec.io/v1alpha2' });
    expect('note' in helper && helper.note).toMatch(/newest version the cluster serves/);
    expect(await v.helperApiVersion('TrafficSplit')).toMatchObject({ error: expect.stringMatching(/not installed/) });
    expect(v.tested()).toEqual({ TCPRoute: 'specs.smi-spec.io/v1alpha4' });
  });
});
