/**
 * A free loopback port for a server that is started by port number some time after the port is chosen
 * (PostgreSQL's `-p`, after an initdb of several seconds).
 *
 * A port asked of the OS with listen(0) and let go comes from the ephemeral range, the range every outgoing
 * connection and every other listen(0) of a busy suite draws from: one of them took it before PostgreSQL bound it,
 * now and then. This one is chosen below that range, where neither ever lands, and checked free on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port a chosen one may have: below this are the well-known and commonly configured services. */
const LOWEST = 20_000;

/** The first port of the OS's ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether nothing listens on `port` at 127.0.0.1 (by binding it for a moment). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A free port between {@link LOWEST} and the start of the ephemeral range, picked at random. */
export async function quietPort(): Promise<number> {
  const end = ephemeralStart();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${end} after 50 tries`);
}
