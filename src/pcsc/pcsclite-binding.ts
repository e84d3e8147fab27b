import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { PcscError } from './errors.js';

/**
 * The slice of the `pcsclite` npm binding twpki uses, typed locally so the
 * binding's loose `any` types never reach the public API.
 * @internal
 */
export interface NativeReader extends EventEmitter {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_EMPTY: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  connect(options: { share_mode: number; protocol?: number }, cb: (err: Error | null | undefined, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null | undefined, response: Buffer) => void): void;
  close(): void;
}

/** @internal */
export interface NativeContext extends EventEmitter {
  start(cb: (err: Error | null | undefined, data: Buffer | undefined) => void): void;
  close(): void;
  readers: Record<string, NativeReader>;
}

/**
 * Creates a binding context and calls `onListing` after each reader listing
 * the native monitor completes (including the first, which may be empty).
 *
 * The binding starts its monitor on the next tick and offers no "initial
 * listing done" signal, so we wrap its `start` before that tick. This relies
 * on pcsclite 1.0.x internals, pinned in package.json.
 * @internal
 */
export function createNativeContext(onListing: (error: Error | undefined) => void): NativeContext {
  const require = createRequire(import.meta.url);
  let factory: () => NativeContext;
  try {
    factory = require('pcsclite') as () => NativeContext;
  } catch (error) {
    // pcsclite is an optional dependency: servers that only verify logins never need it.
    throw new PcscError(
      'BINDING_UNAVAILABLE',
      'the pcsclite native binding is not installed (install libpcsclite-dev, then reinstall twpki)',
      { cause: error },
    );
  }
  const context = factory();
  const start = context.start.bind(context);
  context.start = (cb) =>
    start((err, data) => {
      cb(err, data);
      onListing(err ?? undefined);
    });
  return context;
}
