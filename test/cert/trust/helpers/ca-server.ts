import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one path of the CA server. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A CA's HTTP server on 127.0.0.1 whose paths a test programs one by one (404 for the others). */
export interface CaServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Handlers by path (`/crl/moica.crl`, `/ocsp`). */
  readonly routes: Map<string, Handler>;
  /** Requests seen by path. */
  readonly hits: Map<string, number>;
  /** Forgets the routes and the hits (between tests). */
  reset(): void;
  /** Drops open connections (dripping answers, black holes) and stops. */
  close(): Promise<void>;
}

/** Starts a {@link CaServer}: real sockets, so the revocation fetch meets what a CA server in the world does. */
export async function startCaServer(): Promise<CaServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) res.writeHead(404).end();
    else handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    hits,
    reset: () => {
      routes.clear();
      hits.clear();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
