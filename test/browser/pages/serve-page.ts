import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves one HTML page at every path on 127.0.0.1 (a free port): a "government site" for browser tests. */
export function servePage(html: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The origin a page served by {@link servePage} runs under. */
export function originOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
