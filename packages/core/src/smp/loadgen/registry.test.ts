import { describe, expect, it } from 'vitest';
import { MeshspecError } from '../../errors.js';
import { LOAD_GENERATOR_NAMES, resolveLoadGenerator } from './registry.js';

describe('resolveLoadGenerator', () => {
  it('runs native by default and for "native", without a notice', () => {
    for (const name of [undefined, '', 'native', ' Native ']) {
      const r = resolveLoadGenerator(name);
      expect(r.generator.id).toBe('native');
      expect(r.notice).toBeUndefined();
    }
  });

  it("maps Meshery's generator names onto native with a notice", () => {
    for (const name of ['fortio', 'wrk2', 'nighthawk', 'FORTIO']) {
      const r = resolveLoadGenerator(name);
      expect(r.generator.id).toBe('native');
      expect(r.notice).toContain(`"${name.toLowerCase()}"`);
      expect(r.notice).toMatch(/native/);
    }
    expect(LOAD_GENERATOR_NAMES).toEqual(['native', 'fortio', 'wrk2', 'nighthawk']);
  });

  it('rejects an unknown name as an input error that lists the choices', () => {
    try {
      resolveLoadGenerator('jmeter');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MeshspecError);
      expect((e as MeshspecError).kind).toBe('input');
      expect((e as Error).message).toBe('unknown load generator "jmeter": use one of native, fortio, wrk2, nighthawk');
    }
  });
});
