import { describe, expect, it } from 'vitest';
import { MemoryLogger } from './log.js';
import { runChecked, runCommand } from './exec.js';

// A child that writes bytes exactly as given, one chunk at a time, pausing between chunks so the
// pipe delivers them separately.
const writeChunks = (chunks: number[][]) =>
  `const c=${JSON.stringify(chunks)};let i=0;const next=()=>{if(i===c.length)return;process.stdout.write(Buffer.from(c[i++]),()=>setTimeout(next,50))};next();`;

describe('runCommand', () => {
  it('keeps a 3-byte UTF-8 character whole when it is split across chunks', async () => {
    const logger = new MemoryLogger();
    // "→" is e2 86 92: the first chunk ends after its first byte, the second after its second.
    const chunks = [[0x61, 0xe2], [0x86], [0x92, 0x62, 0x0a]];
    const result = await runCommand(process.execPath, ['-e', writeChunks(chunks)], { logger });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('a→b\n');
    expect(result.tail).toEqual(['a→b']);
    const logged = logger.lines.map((l) => l.message);
    expect(logged).toContain('a→b');
    expect(logged.join('\n')).not.toContain('\ufffd');
  });

  it('reports a child killed by its timeout as "killed after D", not as an exit code', async () => {
    const logger = new MemoryLogger();
    const result = await runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { logger, timeoutMs: 300 });
    expect(result.killedAfterMs).toBeGreaterThanOrEqual(300);
    await expect(runChecked(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { logger, timeoutMs: 300, what: 'the sleeper' })).rejects.toThrow(
      /^the sleeper failed \(killed after \d+(\.\d+)?m?s\)/,
    );
  });

  it('redacts every logged and kept line', async () => {
    const logger = new MemoryLogger();
    const result = await runCommand(process.execPath, ['-e', 'console.log("token=s3cr3t-value")'], { logger, redact: (l) => l.replaceAll('s3cr3t-value', '[redacted]') });
    expect(result.tail).toEqual(['token=[redacted]']);
    expect(logger.lines.map((l) => l.message).join('\n')).not.toContain('s3cr3t-value');
  });

  it('rejects with the cancellation reason when the run is cancelled', async () => {
    const controller = new AbortController();
    const running = runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { logger: new MemoryLogger(), signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by SIGINT')), 100);
    await expect(running).rejects.toThrow('cancelled by SIGINT');
  });
});
