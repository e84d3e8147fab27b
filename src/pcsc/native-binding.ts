import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { PcscError } from './errors.js';

/**
 * The slice of the `smartcard` npm binding (N-API, pinned in package.json)
 * twpki uses, typed locally so the binding's own types never reach the public
 * API and a backend that never opens a reader never loads it.
 * @internal
 */
export interface NativeCard {
  /** Negotiated protocol (`SCARD_PROTOCOL_*`). */
  readonly protocol: number;
  readonly connected: boolean;
  /** Runs on the libuv thread pool; rejects with an `Error` whose message names the PC/SC code. */
  transmit(command: Buffer, options: { maxRecvLength: number }): Promise<Buffer>;
  /** Synchronous `SCardDisconnect`; throws when pcscd refuses. */
  disconnect(disposition: number): void;
  /** `SCardReconnect`; resolves with the negotiated protocol. */
  reconnect(shareMode: number, protocols: number, initialization: number): Promise<number>;
}

/** @internal */
export interface NativeReaderHandle {
  readonly name: string;
  connect(shareMode: number, protocols: number): Promise<NativeCard>;
}

/** A reader's state as `SCardGetStatusChange` reports it. @internal */
export interface NativeReaderState {
  readonly name: string;
  /** `SCARD_STATE_*` flags; pcsc-lite counts card events in the upper 16 bits. */
  readonly state: number;
  readonly atr: Buffer | null;
}

/** One PC/SC context (`SCardEstablishContext`, which the constructor runs and which throws when pcscd is down). @internal */
export interface NativeContext {
  /** Reader names with their state right now (`SCardListReaders` + a zero-timeout `SCardGetStatusChange`). */
  listReaders(): Array<NativeReaderHandle & NativeReaderState>;
  /**
   * `SCardGetStatusChange` on the libuv thread pool: resolves with every
   * reader's new state once one differs from `state`, `[]` on timeout, `null`
   * when cancelled.
   */
  waitForChange(readers: Array<{ name: string; state: number }>, timeoutMs: number): Promise<NativeReaderState[] | null>;
  /** `SCardCancel`: ends a pending `waitForChange` if it is inside its wait. */
  cancel(): void;
  close(): void;
}

/** @internal */
export interface NativeBinding {
  readonly Context: new () => NativeContext;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_CHANGED: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
}

/**
 * Releases a PC/SC context. One pcscd has dropped already (restarted, gone)
 * makes the binding throw, and then there is nothing left to release.
 * @internal
 */
export function closeQuietly(context: NativeContext): void {
  try {
    context.close();
  } catch {
    // Released already.
  }
}

let loaded: NativeBinding | undefined;

/** Where {@link nativeBinding} may load the binding. @internal */
export interface BindingThreadRule {
  /** Whether this thread is the process's main thread (`worker_threads.isMainThread`). */
  readonly isMainThread: boolean;
  /** The caller vouches that this worker is the only thread of the process that uses PC/SC. */
  readonly allowWorkerThread: boolean;
}

/**
 * Loads the native binding once per thread.
 *
 * `smartcard` 3.7.0 keeps the constructors of its context, reader and card
 * objects in process-wide statics that each thread loading it overwrites
 * with its own: once a second thread has loaded it, the first one's next
 * reader listing or connect builds objects from another thread's JavaScript
 * engine and the process dies (a segmentation fault or V8's fatal "no
 * HandleScope"; tried: main thread, then a worker). So PC/SC stays on the
 * main thread unless the caller says this worker is the only thread that
 * will ever use it.
 * @throws {@link PcscError} `WRONG_THREAD` in a worker thread without `allowWorkerThread`;
 *   `BINDING_UNAVAILABLE` when `smartcard` is not installed or did not build
 * @internal
 */
export function nativeBinding(thread: BindingThreadRule = { isMainThread, allowWorkerThread: false }): NativeBinding {
  if (!thread.isMainThread && !thread.allowWorkerThread) {
    throw new PcscError(
      'WRONG_THREAD',
      'PC/SC was opened from a worker thread: the smartcard binding keeps per-process state that a second thread ' +
        'overwrites, which crashes the process. Open PcscContext on the main thread (in Vitest: pool "forks"), or pass ' +
        '{ allowWorkerThread: true } when this worker is the only thread of the process that uses PC/SC.',
    );
  }
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('smartcard') as NativeBinding;
  } catch (error) {
    // The binding is an optional dependency: servers that only verify logins never need it.
    throw new PcscError(
      'BINDING_UNAVAILABLE',
      'the smartcard native binding is not installed (install libpcsclite-dev and a C++ toolchain, then reinstall twpki)',
      { cause: error },
    );
  }
  return loaded;
}
