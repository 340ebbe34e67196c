import { describe, expect, it } from 'vitest';
import { formatResultLine, parseResultLine, RESULT_MARKER } from './result-line.js';

describe('the result line', () => {
  const payload = { v: 1, index: 2, text: 'ünïcode ✓', list: Array.from({ length: 50 }, (_, i) => i) };

  it('round-trips through a log with other lines around it', () => {
    const log = `starting\n${formatResultLine(payload)}\nbye\n`;
    expect(parseResultLine(log)).toEqual(payload);
    expect(formatResultLine(payload).startsWith(`${RESULT_MARKER} v1 `)).toBe(true);
  });

  it('refuses a line with a flipped byte, a cut line, none or two', () => {
    const line = formatResultLine(payload);
    const at = line.length - 20;
    const flipped = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
    expect(() => parseResultLine(flipped)).toThrow(/checksum does not match/);
    expect(() => parseResultLine(line.slice(0, line.length - 7))).toThrow(/checksum does not match/);
    expect(() => parseResultLine('hello\n')).toThrow(/no MESHSPEC-RESULT line/);
    expect(() => parseResultLine(`${line}\n${line}\n`)).toThrow(/2 MESHSPEC-RESULT lines/);
    expect(() => parseResultLine(line.replace(' v1 ', ' v2 '))).toThrow(/version "v2"/);
  });

  it('survives being split into 16 KiB records and joined again (a 200 KB line)', () => {
    const big = { samples: Array.from({ length: 4000 }, (_, i) => `error sample number ${i} with some text`) };
    const line = formatResultLine(big);
    expect(line.length).toBeGreaterThan(200_000);
    const records: string[] = [];
    for (let i = 0; i < line.length; i += 16 * 1024) records.push(line.slice(i, i + 16 * 1024));
    expect(parseResultLine(`${records.join('')}\n`)).toEqual(big);
    // What tailLines=1 would give back: only the last record.
    expect(() => parseResultLine(records[records.length - 1]!)).toThrow();
  });
});
