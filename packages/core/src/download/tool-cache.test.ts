import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../log.js';
import { createToolCache } from './tool-cache.js';

describe('the plain tool cache (the CLI\'s)', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => servers.forEach((s) => s.close()));

  it('aborts a download when the run is cancelled, closing the connection and leaving no file', async () => {
    let closed: () => void = () => {};
    const connectionClosed = new Promise<void>((r) => (closed = r));
    let started: () => void = () => {};
    const bodyStarted = new Promise<void>((r) => (started = r));
    // A server that starts the body and then stalls, as a hung mirror does.
    const server = createServer((_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000), () => started());
      res.on('close', () => closed());
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'meshspec-tc-'));
    const cache = createToolCache({ logger: new MemoryLogger(), toolCacheDir: join(dir, 'cache'), tempDir: join(dir, 'tmp') });

    const cancel = new AbortController();
    const download = cache.download(`http://127.0.0.1:${port}/minikube-linux-amd64`, undefined, cancel.signal);
    await bodyStarted;
    cancel.abort(new Error('cancelled by SIGINT'));

    await expect(download).rejects.toThrow(/download of http:\/\/127\.0\.0\.1:\d+\/minikube-linux-amd64 failed/);
    await connectionClosed;
    const left = readdirSync(join(dir, 'tmp'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(left).toEqual([]);
  });
});
