import { Socket, connect as tcpConnect } from 'node:net';
import type { CardEmulator } from '../../pcsc/index.js';
import { TwpkiError } from '../../shared/twpki-error.js';

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
export const VPCD_BRIDGE_ERROR_CODES = ['CONNECT_FAILED', 'BRIDGE_CLOSED', 'NOT_A_CARD'] as const;

/** One of {@link VPCD_BRIDGE_ERROR_CODES}. */
export type VpcdBridgeErrorCode = (typeof VPCD_BRIDGE_ERROR_CODES)[number];

/** The bridge could not reach pcscd's vpcd driver, was used after closing, or was given no card. */
export class VpcdBridgeError extends TwpkiError<VpcdBridgeErrorCode> {}

/** Options of {@link VpcdBridge.connect}. */
export interface VpcdBridgeOptions {
  /** Host where pcscd's vpcd driver listens (default `127.0.0.1`). */
  host?: string;
  /** vpcd port (default {@link VPCD_DEFAULT_PORT}; the second reader is +1). */
  port?: number;
  /** Give up connecting after this many ms (default 5 000). */
  timeoutMs?: number;
}

// vpcd control frames are one byte long; anything longer is an APDU.
const CTRL_POWER_OFF = 0;
const CTRL_POWER_ON = 1;
const CTRL_RESET = 2;
const CTRL_GET_ATR = 4;

/**
 * Plugs a {@link CardEmulator} into a running pcscd through the
 * `vsmartcard-vpcd` reader driver, so the card shows up in the reader
 * "Virtual PCD 00 00" for every PC/SC program on the machine. The TCP
 * connection is the card: connecting inserts it, {@link VpcdBridge.close}
 * removes it.
 *
 * Wire format (vpcd): each frame is a 2-byte big-endian length and a
 * payload; a 1-byte payload is a control (0 off, 1 on, 2 reset, 4 ATR).
 */
export class VpcdBridge {
  /** Number of APDUs the card has processed through this bridge. */
  public apduCount = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private atr: Uint8Array;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly card: CardEmulator,
  ) {
    this.atr = card.reset();
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A reset by pcscd going away is a removal, not a crash.
    socket.on('error', () => undefined);
  }

  /** Connects `card` to the vpcd driver (the card appears as inserted). */
  public static connect(card: CardEmulator, options: VpcdBridgeOptions = {}): Promise<VpcdBridge> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? VPCD_DEFAULT_PORT;
    const timeoutMs = options.timeoutMs ?? 5_000;
    // Checked before connecting: a missing card would otherwise surface as a
    // TypeError inside the socket's connect callback, outside the caller's await.
    if (!isCardEmulator(card)) {
      return Promise.reject(new VpcdBridgeError('NOT_A_CARD', 'card: expected a card emulator (an object with reset() and process()), got ' + describe(card)));
    }
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new VpcdBridgeError('CONNECT_FAILED', `no vpcd driver answered on ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new VpcdBridge(socket, card));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new VpcdBridgeError(
            'CONNECT_FAILED',
            `cannot reach pcscd's vpcd driver at ${host}:${port} (is pcscd running with vsmartcard-vpcd?): ${error.message}`,
            { cause: error },
          ),
        );
      });
    });
  }

  /** Whether the card is still connected. */
  public get connected(): boolean {
    return !this.closing && !this.socket.destroyed;
  }

  /** Resolves when pcscd or {@link VpcdBridge.close} ends the connection. */
  public get closed(): Promise<void> {
    return this.closedPromise;
  }

  /** Removes the card from the reader. */
  public async close(): Promise<void> {
    this.closing = true;
    this.socket.end();
    this.socket.destroySoon();
    await this.closedPromise;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const length = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + length) break;
      const frame = Buffer.from(this.buffer.subarray(2, 2 + length));
      this.buffer = this.buffer.subarray(2 + length);
      // Keep frames in order even when the card answers asynchronously.
      this.queue = this.queue.then(() => this.handle(frame));
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closing) return;
    if (frame.length === 1) {
      switch (frame[0]) {
        case CTRL_POWER_ON:
        case CTRL_RESET:
          this.atr = this.card.reset();
          return;
        case CTRL_GET_ATR:
          this.send(this.atr);
          return;
        case CTRL_POWER_OFF:
        default:
          return;
      }
    }
    this.apduCount++;
    let answer: Uint8Array;
    try {
      answer = await this.card.process(frame);
    } catch {
      // An emulator bug must look like a card error, not kill the reader.
      answer = Uint8Array.of(0x6f, 0x00);
    }
    this.send(answer);
  }

  private send(payload: Uint8Array): void {
    if (this.closing || this.socket.destroyed) return;
    const frame = Buffer.alloc(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    frame.set(payload, 2);
    this.socket.write(frame);
  }
}

function isCardEmulator(value: unknown): value is CardEmulator {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof CardEmulator, unknown>>;
  return typeof candidate.reset === 'function' && typeof candidate.process === 'function';
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
