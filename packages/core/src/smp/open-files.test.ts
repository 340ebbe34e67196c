import { describe, expect, it } from 'vitest';
import { parseMaxOpenFiles } from './open-files.js';

describe('Max open files', () => {
  it('reads the soft limit of /proc/self/limits', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             127557               127557               processes ',
      'Max open files            20000                524288               files     ',
    ].join('\n');
    expect(parseMaxOpenFiles(text)).toBe(20000);
    expect(parseMaxOpenFiles('Max open files            unlimited            unlimited            files')).toBeUndefined();
    expect(parseMaxOpenFiles('')).toBeUndefined();
  });
});
