import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The local target `meshspec demo` loads: a small HTTP service on 127.0.0.1 with a home page and
 * a JSON endpoint, so the demo needs nothing but Node. Bodies are prebuilt: the target should not
 * be what limits a run.
 */
export interface DemoTarget {
  url: string;
  close(): Promise<void>;
}

const HOME = Buffer.from('<!doctype html><title>meshspec demo</title><p>hello from the meshspec demo target</p>\n');
const ITEMS = Buffer.from(JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` })) }));

export async function startDemoTarget(): Promise<DemoTarget> {
  const server: Server = createServer((req, res) => {
    // Drain any body so keep-alive connections stay usable.
    req.resume();
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': HOME.length });
      res.end(HOME);
    } else if (req.url?.startsWith('/api/items')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': ITEMS.length });
      res.end(ITEMS);
    } else {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
