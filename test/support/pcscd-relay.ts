/**
 * pcscd for this test process only, through a relay of its own: stopping the machine's pcscd would pull the rug
 * from every other PC/SC user of the test run. pcsc-lite reads `PCSCLITE_CSOCK_NAME` at its first PC/SC call, so
 * {@link startPcscdRelay} must run before any; taking the relay down is then, for this process only, pcscd
 * stopping (every connection cut, no new one accepted), and putting it back up is pcscd answering again with the
 * same readers and cards, the case no reader event reports.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

// On its own thread: the binding makes some PC/SC calls synchronously on the JavaScript thread, which a relay
// on that same thread could never answer.
const RELAY = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const net = process.getBuiltinModule('node:net');
const fs = process.getBuiltinModule('node:fs');
const { target, path } = workerData;
const open = new Set();
/** Each connection: the client, its own connection to pcscd, and what either sent while the relay was silent. */
const pairs = new Set();
let server;
let silent = false;
const unlink = () => { try { fs.unlinkSync(path); } catch {} };
const flush = () => {
  for (const p of pairs) {
    for (const b of p.toDaemon.splice(0)) p.daemon.write(b);
    for (const b of p.toClient.splice(0)) p.client.write(b);
  }
};
parentPort.on('message', (m) => {
  if (m === 'up') {
    silent = false;
    flush();
    if (server) return parentPort.postMessage('up');
    unlink();
    server = net.createServer((client) => {
      const daemon = net.connect(target);
      const pair = { client, daemon, toDaemon: [], toClient: [] };
      open.add(client).add(daemon);
      pairs.add(pair);
      const end = () => { client.destroy(); daemon.destroy(); open.delete(client); open.delete(daemon); pairs.delete(pair); };
      for (const s of [client, daemon]) { s.on('error', end); s.on('close', end); }
      client.on('data', (b) => (silent ? pair.toDaemon.push(b) : daemon.write(b)));
      daemon.on('data', (b) => (silent ? pair.toClient.push(b) : client.write(b)));
    });
    server.listen(path, () => parentPort.postMessage('up'));
  } else if (m === 'silent') {
    silent = true;
    parentPort.postMessage('silent');
  } else if (m === 'down') {
    server?.close();
    server = undefined;
    silent = false;
    for (const s of open) s.destroy();
    open.clear();
    pairs.clear();
    unlink();
    parentPort.postMessage('down');
  }
});
`;

/**
 * The relay: `up()` is pcscd answering, `down()` pcscd gone; `silent()` is pcscd stopped (SIGSTOP) or hung: new
 * connections are accepted and whatever either side sends is held, and `up()` delivers it all, in order (SIGCONT).
 * `close()` puts it up and ends it.
 */
export interface PcscdRelay {
  up(): Promise<void>;
  down(): Promise<void>;
  silent(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the relay (up) and points this process's pcsc-lite at it; `name` tells the socket apart. */
export async function startPcscdRelay(name: string): Promise<PcscdRelay> {
  const target = process.env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
  const path = join(tmpdir(), `twpki-${name}-${process.pid}.comm`);
  const relay = new Worker(RELAY, { eval: true, workerData: { target, path } });
  const tell = (m: 'up' | 'down' | 'silent'): Promise<void> =>
    new Promise((resolve) => {
      relay.once('message', () => resolve());
      relay.postMessage(m);
    });
  await tell('up');
  process.env.PCSCLITE_CSOCK_NAME = path;
  return {
    up: () => tell('up'),
    down: () => tell('down'),
    silent: () => tell('silent'),
    close: async () => {
      await tell('up');
      await relay.terminate();
      rmSync(path, { force: true });
    },
  };
}
