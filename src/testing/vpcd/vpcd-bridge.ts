import { Worker } from 'node:worker_threads';
import type { CardEmulator } from '../../pcsc/index.js';
import { TwpkiError } from '../../shared/twpki-error.js';
import { unknownOptionProblem } from '../../shared/option-names.js';

/** Default TCP port of the first `vsmartcard-vpcd` reader ("Virtual PCD 00 00"). */
export const VPCD_DEFAULT_PORT = 35963;

/**
 * The pcscd reader a vpcd port feeds: the driver numbers its readers from the
 * first port, so 35963 is "Virtual PCD 00 00" and 35964 "Virtual PCD 00 01".
 */
export function vpcdReaderName(port: number = VPCD_DEFAULT_PORT): string {
  const index = port - VPCD_DEFAULT_PORT;
  return index >= 0 && index < 100 ? `Virtual PCD 00 ${String(index).padStart(2, '0')}` : `vpcd reader on port ${port}`;
}

/** Codes of {@link VpcdBridgeError}. */
export const VPCD_BRIDGE_ERROR_CODES = ['CONNECT_FAILED', 'READER_BUSY', 'BRIDGE_CLOSED', 'NOT_A_CARD', 'BAD_BRIDGE_OPTIONS'] as const;

/** One of {@link VPCD_BRIDGE_ERROR_CODES}. */
export type VpcdBridgeErrorCode = (typeof VPCD_BRIDGE_ERROR_CODES)[number];

/**
 * The bridge could not reach pcscd's vpcd driver (`CONNECT_FAILED`), found another card in its reader until
 * the timeout (`READER_BUSY`), or was given no card or options it cannot use (`BAD_BRIDGE_OPTIONS`).
 * `BRIDGE_CLOSED` is reserved and thrown by nothing today: a closed bridge offers only `close()`, which may be
 * called again.
 */
export class VpcdBridgeError extends TwpkiError<VpcdBridgeErrorCode> {}

/** Options of {@link VpcdBridge.connect}. */
export interface VpcdBridgeOptions {
  /** Host where pcscd's vpcd driver listens (default `127.0.0.1`). */
  host?: string;
  /** vpcd port (default {@link VPCD_DEFAULT_PORT}; the second reader is +1). */
  port?: number;
  /**
   * Give up connecting after this many ms (default 5 000), including the wait while another card holds the
   * reader (`READER_BUSY`).
   */
  timeoutMs?: number;
}

/** What the wire thread reports. */
type WireMessage =
  | { type: 'connected' }
  | { type: 'failed'; message: string; timedOut: boolean; accepted?: boolean; polled?: boolean; everPolled?: boolean; attempts?: number }
  | { type: 'apdu'; bytes: Uint8Array }
  | { type: 'reset' }
  | { type: 'closed' };

// How long an ATR query that follows a reset waits for the card to finish that reset (see WIRE_THREAD).
const RESET_WAIT_MS = 100;
// How long after vpcd's first ATR query a card waits for pcscd to power it up before it is taken out and put in
// again. pcscd powers a card up in the same pass of its reader thread that found it, so this takes milliseconds;
// pcscd polls every 400 ms, so this is several polls.
const POWER_UP_WAIT_MS = 1_500;
// How long taking a card out waits for vpcd to drop the connection (it notices at its next presence check,
// within one 400 ms poll) before closing it regardless.
const DROP_WAIT_MS = 2_000;
// After vpcd dropped a card, how long the next connection to the same reader waits, so that pcscd's reader thread
// polls the empty reader once and records the removal itself (see WIRE_THREAD).
const SETTLE_MS = 500;

/**
 * The side of the bridge that talks to vpcd, run on its own thread: plain
 * JavaScript evaluated by `Worker`, so it needs no build step or loader, and
 * written to parse as a script and as a module alike (a parent started with
 * `--input-type=module` makes evaluated workers modules).
 *
 * Why a thread: pcscd asks the driver about card presence every ~400 ms, and
 * vpcd answers by asking the card for its ATR while it holds the reader's
 * lock; a reset or power-on is also followed by an ATR query under that lock.
 * PC/SC calls that a program makes synchronously on its JavaScript thread
 * (the binding's `SCardDisconnect`, with any disposition, and
 * `SCardReleaseContext`) wait for that lock; if the card answered from the
 * same JavaScript thread, neither side would move again. So this thread
 * answers ATR queries itself and hands APDUs, power-ons and resets to the
 * card on the main thread in the order they came. An ATR query that follows
 * a reset waits until the card has finished that reset, so it gets the new
 * ATR and the caller's reset returns with the card reset; but for at most
 * RESET_WAIT_MS, because a disconnect with a reset or unpower disposition
 * makes pcscd reset the card while the main thread is blocked in it. Then the
 * answer is the previous ATR, which differs only for an emulator whose ATR
 * changes from one reset to the next.
 *
 * When the card is in: vpcd accepts a connection only inside its presence
 * check (an ATR query), and that check is also how it notices a connection
 * closed. pcscd runs it from its reader thread's poll, which alone records
 * insertions and removals, but also before every power-up, reset or
 * power-down, whose callers discard the answer or write "absent" themselves.
 * When one of those sees the previous card gone, the reader thread never
 * sees the change: the next card is accepted by its next poll and polled for
 * ever, while pcscd lists the reader empty (a reset or power-down wrote
 * "absent") or still lists the previous card. A card that pcscd took in is
 * powered up at once, in the same pass that found it; so the card is in once
 * vpcd powers it up, resets it or sends it an APDU. Polled but not powered up
 * within POWER_UP_WAIT_MS, the card is taken out (this side ends the
 * connection and waits for vpcd to drop it), left out for SETTLE_MS, so that
 * the reader thread's next poll finds the reader empty and records the
 * removal, and put in again, until timeoutMs.
 *
 * Taking a card out ends this side of the connection and waits, at most
 * DROP_WAIT_MS, for vpcd to drop it, so that the bridge reports the card out
 * once vpcd no longer holds it.
 *
 * Wire format (vpcd): each frame is a 2-byte big-endian length and a
 * payload; a 1-byte payload is a control (0 off, 1 on, 2 reset, 4 ATR).
 */
const WIRE_THREAD = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const net = process.getBuiltinModule('node:net');
const { host, port, timeoutMs, delayMs } = workerData;
const POWER_ON = 1, RESET = 2, GET_ATR = 4;
let atr = Buffer.from(workerData.atr);
let resetsPending = 0;
let atrQueriesHeld = 0;
let holdTimer;
const answerHeld = () => {
  clearTimeout(holdTimer);
  holdTimer = undefined;
  for (; atrQueriesHeld > 0; atrQueriesHeld--) send(atr);
};
// The current connection, and what vpcd did with it.
let socket;
let buffer = Buffer.alloc(0);
// The TCP handshake alone proves nothing: the kernel completes it from vpcd's listen backlog while another
// connection (another card) holds the reader, and vpcd then says nothing until that one ends.
let accepted = false;
// vpcd asked this connection for the ATR: it holds the card, but pcscd may not have taken it in.
let polled = false;
let everPolled = false;
let attempts = 0;
let connected = false;
let failed = false;
let powerTimer;
let closing = false;
const fail = (failure) => {
  if (connected || failed) return;
  failed = true;
  clearTimeout(deadline);
  clearTimeout(powerTimer);
  parentPort.postMessage({ type: 'failed', accepted, polled, everPolled, attempts, ...failure });
};
// Set when the first attempt starts: timeoutMs is the card's own time, not the settle wait before it.
let deadline;
const inserted = () => {
  if (connected || failed) return;
  connected = true;
  clearTimeout(deadline);
  clearTimeout(powerTimer);
  parentPort.postMessage({ type: 'connected' });
};
const send = (payload) => {
  if (!socket || socket.destroyed || socket.writableEnded) return;
  const frame = Buffer.alloc(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, 2);
  socket.write(frame);
};
// Ends this side of the connection and resolves once vpcd has dropped it (or after DROP_WAIT_MS).
const drop = (s) => new Promise((resolve) => {
  if (s.destroyed) return resolve();
  const timer = setTimeout(() => s.destroy(), ${DROP_WAIT_MS});
  s.once('close', () => {
    clearTimeout(timer);
    resolve();
  });
  s.end();
});
// Polled but never taken in: out, a poll with the reader empty, in again.
const again = () => {
  clearTimeout(powerTimer);
  const old = socket;
  if (connected || failed || !old) return;
  socket = undefined;
  drop(old).then(() => setTimeout(() => {
    if (!connected && !failed) attempt();
  }, ${SETTLE_MS}));
};
const attempt = () => {
  attempts++;
  accepted = false;
  polled = false;
  buffer = Buffer.alloc(0);
  resetsPending = 0;
  atrQueriesHeld = 0;
  clearTimeout(holdTimer);
  holdTimer = undefined;
  const s = net.connect({ host, port });
  socket = s;
  s.setNoDelay(true);
  s.once('connect', () => {
    if (s === socket) accepted = true;
  });
  // Once connected, a reset by pcscd going away is a removal, reported by 'close'.
  s.on('error', (error) => {
    if (s === socket) fail({ timedOut: false, message: error.message });
  });
  s.on('close', () => {
    if (s !== socket) return;
    if (connected) parentPort.postMessage({ type: 'closed' });
    else if (polled) again();
    else fail({ timedOut: false, message: 'the driver closed the connection before asking for the card' });
  });
  s.on('data', (chunk) => {
    if (s !== socket || closing) return;
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2) {
      const length = buffer.readUInt16BE(0);
      if (buffer.length < 2 + length) break;
      const frame = Buffer.from(buffer.subarray(2, 2 + length));
      buffer = buffer.subarray(2 + length);
      if (!connected) {
        if (frame.length !== 1 || frame[0] === POWER_ON || frame[0] === RESET) inserted();
        else if (frame[0] === GET_ATR && !polled) {
          polled = everPolled = true;
          powerTimer = setTimeout(again, ${POWER_UP_WAIT_MS});
        }
        if (failed) return;
      }
      if (frame.length !== 1) parentPort.postMessage({ type: 'apdu', bytes: frame });
      else if (frame[0] === POWER_ON || frame[0] === RESET) {
        resetsPending++;
        parentPort.postMessage({ type: 'reset' });
      } else if (frame[0] === GET_ATR) {
        if (resetsPending === 0) send(atr);
        else {
          atrQueriesHeld++;
          holdTimer ??= setTimeout(answerHeld, ${RESET_WAIT_MS});
        }
      }
    }
  });
};
setTimeout(() => {
  deadline = setTimeout(() => {
    fail({ timedOut: true, message: '' });
    if (socket) socket.destroy();
  }, timeoutMs);
  attempt();
}, delayMs);
parentPort.on('message', (m) => {
  if (m.type === 'answer') send(Buffer.from(m.bytes));
  else if (m.type === 'atr') {
    atr = Buffer.from(m.bytes);
    resetsPending--;
    if (resetsPending === 0) answerHeld();
  } else if (m.type === 'close') {
    closing = true;
    if (socket) drop(socket);
  }
});
`;

/**
 * Plugs a {@link CardEmulator} into a running pcscd through the
 * `vsmartcard-vpcd` reader driver, so the card shows up in the reader
 * "Virtual PCD 00 00" for every PC/SC program on the machine. The TCP
 * connection is the card: connecting inserts it, {@link VpcdBridge.close}
 * removes it. The connection is kept by a small thread of its own, which
 * answers pcscd's presence checks even while this thread is blocked in a
 * synchronous PC/SC call; the card itself runs here.
 */
export class VpcdBridge {
  /** Number of APDUs the card has processed through this bridge. */
  public apduCount = 0;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private ended = false;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly wire: Worker,
    private readonly card: CardEmulator,
    private atr: Uint8Array,
  ) {
    this.closedPromise = new Promise((resolve) => {
      const end = (): void => {
        if (this.ended) return;
        this.ended = true;
        void wire.terminate();
        resolve();
      };
      wire.on('message', (m: WireMessage) => {
        if (m.type === 'closed') end();
        // Keep frames in order even when the card answers asynchronously.
        else if (m.type === 'apdu' || m.type === 'reset') this.queue = this.queue.then(() => this.handle(m));
      });
      // A thread that dies takes the connection, and so the card, with it.
      wire.on('error', end);
      wire.on('exit', end);
    });
  }

  /**
   * Connects `card` to the vpcd driver and resolves once pcscd has taken it in: vpcd asked for it and pcscd
   * powered it up (or reset it, or sent it a command), so pcscd lists it in the reader. While another bridge
   * holds the reader, waits for its turn, up to `timeoutMs`. A card that vpcd polls but pcscd does not take in
   * (pcscd missed the previous card leaving, see the wire thread's notes) is taken out and put in again, up to
   * `timeoutMs`.
   * @throws VpcdBridgeError `CONNECT_FAILED` (no driver there, or pcscd never took the card in), `READER_BUSY`
   * (another card stayed in), `NOT_A_CARD`, `BAD_BRIDGE_OPTIONS` (naming the option).
   */
  public static connect(card: CardEmulator, options: VpcdBridgeOptions = {}): Promise<VpcdBridge> {
    const bad = optionsProblem(options);
    if (bad !== undefined) return Promise.reject(new VpcdBridgeError('BAD_BRIDGE_OPTIONS', `VpcdBridge.connect: ${bad}`));
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? VPCD_DEFAULT_PORT;
    const timeoutMs = options.timeoutMs ?? 5_000;
    // Checked before connecting: a missing card would otherwise surface as a
    // TypeError inside the socket's connect callback, outside the caller's await.
    if (!isCardEmulator(card)) {
      return Promise.reject(new VpcdBridgeError('NOT_A_CARD', 'card: expected a card emulator (an object with reset() and process()), got ' + describe(card)));
    }
    const atr = card.reset();
    const endpoint = `${host}:${port}`;
    // Right after a card of this process left the reader, give pcscd's reader thread one poll of the empty reader.
    const delayMs = Math.max(0, Math.min(SETTLE_MS, (droppedAt.get(endpoint) ?? -Infinity) + SETTLE_MS - Date.now()));
    const wire = new Worker(WIRE_THREAD, { eval: true, execArgv: [], workerData: { host, port, timeoutMs, atr, delayMs } });
    return new Promise((resolve, reject) => {
      const first = (m: WireMessage): void => {
        if (m.type === 'connected') {
          wire.off('message', first);
          const bridge = new VpcdBridge(wire, card, atr);
          void bridge.closed.then(() => droppedAt.set(endpoint, Date.now()));
          resolve(bridge);
        } else if (m.type === 'failed') {
          wire.off('message', first);
          void wire.terminate();
          if (m.accepted === true) droppedAt.set(endpoint, Date.now());
          reject(
            m.timedOut && m.accepted === true && m.polled !== true
              ? new VpcdBridgeError(
                  'READER_BUSY',
                  `another card held ${vpcdReaderName(port)} (${host}:${port}) for all of timeoutMs (${timeoutMs} ms): ` +
                    'another VpcdBridge (a parallel test process?) or `twpki virtual-card` is connected to it. ' +
                    'Take turns on the reader (close the other bridge first, or give a longer timeoutMs to wait for it), ' +
                    'or give each process its own vpcd port',
                )
              : m.timedOut && m.everPolled === true
              ? new VpcdBridgeError(
                  'CONNECT_FAILED',
                  `vpcd asked for the card on ${host}:${port}, but pcscd never took it into ${vpcdReaderName(port)} ` +
                    `(never powered it up) within ${timeoutMs} ms, though the bridge put it in ${m.attempts ?? 1} times; ` +
                    'pcscd missed a card leaving, or was built without powering cards up on insertion. ' +
                    'Leave the reader empty for a second and try again, or give a longer timeoutMs',
                )
              : m.timedOut
              ? new VpcdBridgeError(
                  'CONNECT_FAILED',
                  `no vpcd driver answered on ${host}:${port} within ${timeoutMs} ms (is pcscd running with vsmartcard-vpcd? ` +
                    'Several cards already waiting for this reader also end here)',
                )
              : new VpcdBridgeError(
                  'CONNECT_FAILED',
                  `cannot reach pcscd's vpcd driver at ${host}:${port} (is pcscd running with vsmartcard-vpcd?): ${m.message}`,
                ),
          );
        }
      };
      wire.on('message', first);
      wire.once('error', (error) => reject(new VpcdBridgeError('CONNECT_FAILED', `the vpcd bridge thread failed: ${error.message}`, { cause: error })));
      // After a settled connect this is a no-op; before it, a thread that ended without a word is a failure too.
      wire.once('exit', (code) => reject(new VpcdBridgeError('CONNECT_FAILED', `the vpcd bridge thread ended (exit code ${code}) before connecting`)));
    });
  }

  /** Whether the card is still connected. */
  public get connected(): boolean {
    return !this.closing && !this.ended;
  }

  /** Resolves when pcscd or {@link VpcdBridge.close} ends the connection. */
  public get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Removes the card from the reader. */
  public async close(): Promise<void> {
    this.closing = true;
    if (!this.ended) this.wire.postMessage({ type: 'close' });
    await this.closedPromise;
  }

  private async handle(m: { type: 'apdu'; bytes: Uint8Array } | { type: 'reset' }): Promise<void> {
    if (this.closing) return;
    if (m.type === 'reset') {
      try {
        this.atr = this.card.reset();
      } catch {
        // An emulator bug must not take the card out of the reader: keep answering with the last ATR.
      }
      this.wire.postMessage({ type: 'atr', bytes: this.atr });
      return;
    }
    this.apduCount++;
    let answer: Uint8Array;
    try {
      answer = await this.card.process(m.bytes);
    } catch {
      // An emulator bug must look like a card error, not kill the reader.
      answer = Uint8Array.of(0x6f, 0x00);
    }
    this.wire.postMessage({ type: 'answer', bytes: answer });
  }
}

/** When a card of this process last left each vpcd endpoint (`host:port`), for {@link SETTLE_MS}. */
const droppedAt = new Map<string, number>();

const OPTION_NAMES: ReadonlySet<string> = new Set(['host', 'port', 'timeoutMs']);

/**
 * What is wrong with `options`, checked before the wire thread starts: a bad port would otherwise surface as the
 * thread's own failure, a negative timeout as "no driver answered within -1 ms", and a misspelt name
 * (`timeout`, `reader`) would be dropped.
 */
function optionsProblem(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return 'options must be an object';
  const o = options as Record<string, unknown>;
  const unknown = unknownOptionProblem(o, OPTION_NAMES, 'the reader follows from the port, see vpcdReaderName');
  if (unknown !== undefined) return unknown;
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) return 'option "host" must be a non-empty host name or address';
  if (o.port !== undefined && !(Number.isInteger(o.port) && (o.port as number) > 0 && (o.port as number) < 65_536)) {
    return `option "port" must be an integer from 1 to 65535 (vpcd's first reader is ${VPCD_DEFAULT_PORT}), not ${String(o.port)}`;
  }
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === 'number' && Number.isFinite(o.timeoutMs) && o.timeoutMs > 0)) {
    return `option "timeoutMs" must be a positive number of milliseconds, not ${String(o.timeoutMs)}`;
  }
  return undefined;
}

function isCardEmulator(value: unknown): value is CardEmulator {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof CardEmulator, unknown>>;
  return typeof candidate.reset === 'function' && typeof candidate.process === 'function';
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
