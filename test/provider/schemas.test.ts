import { describe, expect, it } from 'vitest';
import { mesheryResultBody, performanceProfileBody, runnerResultsFrom, smiResultBody } from '../../packages/core/src/provider/index.js';
import { dashboardEntry, fortioFile, smiResultFile } from './fixtures.js';
import { schemaErrors } from './helpers.js';

// The schemas in schemas/provider/ are the shapes Meshery's Go structs accept (provider-protocol.md
// §5, §6). These tests show that they tell the casings apart and refuse what the structs would not
// take, so that the publish tests' "validates" means something.

const profileId = '0b5f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';

describe('provider body schemas', () => {
  it('accept what the body builders make, in the matching casing only', () => {
    for (const casing of ['camel', 'snake'] as const) {
      const other = casing === 'camel' ? 'snake' : 'camel';
      const smi = smiResultBody(smiResultFile(), casing);
      const profile = performanceProfileBody({ name: 'p', loadGenerators: ['fortio'], endpoints: ['https://x.example.invalid'], serviceMesh: 'ISTIO', concurrentRequest: 2, qps: 5, duration: '1m' }, casing);
      const result = mesheryResultBody({ name: 'p', testId: 't', performanceProfile: profileId, runnerResults: runnerResultsFrom(fortioFile()), testStartTime: '2031-01-01T00:00:00Z' }, casing);
      expect(schemaErrors('smi-result', casing, smi)).toEqual([]);
      expect(schemaErrors('performance-profile', casing, profile)).toEqual([]);
      expect(schemaErrors('meshery-result', casing, result)).toEqual([]);
      expect(schemaErrors('smi-result', other, smi)).not.toEqual([]);
      expect(schemaErrors('performance-profile', other, profile)).not.toEqual([]);
      expect(schemaErrors('meshery-result', other, result)).not.toEqual([]);
    }
  });

  it('refuse our own result file as an SMI body: extra fields and non-UUID ids', () => {
    expect(schemaErrors('smi-result', 'snake', smiResultFile()).join('\n')).toMatch(/additional properties.*cases_total/);
    expect(schemaErrors('smi-result', 'snake', { ...smiResultBody(dashboardEntry, 'snake'), id: '2' }).join('\n')).toMatch(/uuid/);
    expect(schemaErrors('smi-result', 'snake', { cases_passed: 10 }).join('\n')).toMatch(/must be string/);
  });

  it('refuse runner results Meshery could not convert, and credentials in URLs', () => {
    const base = { testId: 't', runnerResults: runnerResultsFrom(fortioFile()) };
    expect(schemaErrors('meshery-result', 'camel', base)).toEqual([]);
    const { RunType: _r, ...noRunType } = fortioFile();
    expect(schemaErrors('meshery-result', 'camel', { ...base, runnerResults: noRunType }).join('\n')).toMatch(/RunType/);
    expect(schemaErrors('meshery-result', 'camel', { ...base, runnerResults: { ...fortioFile(), RequestedQPS: 100 } }).join('\n')).toMatch(/RequestedQPS/);
    expect(schemaErrors('meshery-result', 'camel', { ...base, runnerResults: { ...fortioFile(), URL: 'https://a:b@x.example.invalid/' } })).not.toEqual([]);
    expect(schemaErrors('meshery-result', 'camel', { runnerResults: base.runnerResults }).join('\n')).toMatch(/testId/);
    expect(schemaErrors('performance-profile', 'camel', { name: 'p', endpoints: ['https://a:b@x.example.invalid/'] })).not.toEqual([]);
    expect(schemaErrors('performance-profile', 'camel', { name: 'p', endpoints: ['https://redacted@x.example.invalid/'] })).toEqual([]);
    expect(schemaErrors('performance-profile', 'camel', { name: 'p', qps: 1.5 }).join('\n')).toMatch(/integer/);
  });
});
