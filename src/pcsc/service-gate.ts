import { checkDuration } from '../shared/number-settings.js';
import { PcscError } from './errors.js';
import type { NativeBinding } from './native-binding.js';
import { probePcscService, type ServiceProbeOptions, type ServiceProbeOutcome, type ServiceProbeTarget } from './service-probe.js';

// A PC/SC call that pcsc-lite sends to pcscd waits for the answer in a socket read with no time limit, on a libuv
// thread-pool thread (connect, transmit, reconnect, the reader watch's wait) or on the JavaScript thread (the
// binding's context constructor, listing, cancel, disconnect and release). A pcscd that stops answering while the
// process runs (stopped with SIGSTOP, hung) would keep each such call, and its thread, for as long as it stays
// silent: four stuck pool calls and the whole process's crypto, zlib, dns.lookup and file I/O stop too, and a
// synchronous one stops the JavaScript thread itself. This gate bounds that: a call running longer than expected
// makes the gate ask pcscd's socket (the probe of service-probe.ts, which never blocks); when pcscd does not
// answer, every call in flight is given up with SERVICE_UNRESPONSIVE (their threads stay where they are: nothing
// can end them) and no further native call is made until a probe finds pcscd answering again. The synchronous
// releases are held meanwhile and run once it does.

/** How long a PC/SC call may run before pcscd is asked whether it still answers (see {@link ServiceProbeOptions}). */
export const DEFAULT_STALLED_CALL_MS = 3_000;

/**
 * The checked `stalledCallMs` of a `serviceProbe` option (its default when not given).
 * @throws RangeError naming `serviceProbe.stalledCallMs` when it is not a usable timer
 * @internal
 */
export function stalledCallMs(option: ServiceProbeOptions | false | undefined): number {
  const value = option === false || option === undefined ? undefined : option.stalledCallMs;
  checkDuration('serviceProbe.stalledCallMs', value, true);
  return value ?? DEFAULT_STALLED_CALL_MS;
}

/** What a native call is, for the gate's checks and errors. @internal */
export interface NativeCallInfo {
  /** What the call does, as errors name it (`transmit`, `connecting to the card`). */
  readonly operation: string;
  readonly reader?: string | undefined;
  /** How long the call may run before pcscd is asked whether it still answers, and again after each answer. */
  readonly checkAfterMs: number;
}

/** A native call made through a {@link ServiceGuard}. @internal */
export interface NativeCall<T> {
  /**
   * The call's outcome; {@link PcscError} `SERVICE_UNRESPONSIVE` when pcscd did not answer while it ran (the
   * native call is then abandoned, see `abandoned`) or when the gate refused to start it.
   */
  readonly result: Promise<T>;
  /**
   * The native call itself: its value once it ends, also when that is long after `result` gave up on it (such a
   * late value belongs to no caller: whoever made the call releases what it holds, a card handle). Rejects when
   * the call failed or was never started.
   */
  readonly native: Promise<T>;
  /** Settles once the native call has ended (at once when it was never started). */
  readonly ended: Promise<void>;
  /** Whether the native call is still running. */
  readonly running: boolean;
  /** Whether `result` gave up on the native call while it still ran (pcscd stopped answering). */
  readonly abandoned: boolean;
  /**
   * Whether the native call was made (its start function called, even if it then threw). `false` while the gate
   * asks pcscd first, and for good when it refused the call: nothing was handed to pcsc-lite.
   */
  readonly started: boolean;
}

/** One native call the gate follows while it runs. */
interface Followed {
  readonly info: NativeCallInfo;
  /** Gives the call up: its `result` rejects with `error`, the native call keeps running. */
  abandon(error: PcscError): void;
}

/**
 * The state of pcscd as the native calls of one binding (one process) see it: calls in flight, whether pcscd is
 * suspected silent, and the synchronous releases held back meanwhile. pcsc-lite talks to one pcscd per process,
 * so one gate serves every context. @internal
 */
export class PcscServiceGate {
  /** The probe that last found pcscd silent, while no probe has found it answering since. */
  private silentAt: ServiceProbeTarget | undefined;
  private readonly probes = new Map<string, Promise<ServiceProbeOutcome>>();
  private readonly followed = new Set<Followed>();
  private abandonedRunning = 0;
  /** Synchronous releases (context release, card disconnect) held while pcscd may not answer them. */
  private readonly held: Array<() => void> = [];

  public constructor(private readonly probe: (target: ServiceProbeTarget) => Promise<ServiceProbeOutcome> = probePcscService) {}

  /** Whether a probe found pcscd silent and none has found it answering since. */
  public get suspect(): boolean {
    return this.silentAt !== undefined;
  }

  /** Native calls given up that still run, each holding a thread (a libuv pool thread, for the calls made here). */
  public get abandonedCalls(): number {
    return this.abandonedRunning;
  }

  /** Synchronous releases waiting for pcscd to answer. */
  public get heldReleases(): number {
    return this.held.length;
  }

  /**
   * Asks pcscd's socket whether it answers (callers at the same moment share one probe) and records the outcome:
   * silence gives up every call in flight; an answer, or no pcscd at all (the binding then fails at once on its
   * own, and calls on a pcscd that went away ended with it), clears the suspicion and runs the held releases.
   */
  public async check(target: ServiceProbeTarget): Promise<ServiceProbeOutcome> {
    let probing = this.probes.get(target.socketPath);
    if (!probing) {
      probing = this.probe(target).finally(() => this.probes.delete(target.socketPath));
      this.probes.set(target.socketPath, probing);
    }
    const outcome = await probing;
    if (outcome === 'silent') this.markSilent(target);
    else this.markAnswering();
    return outcome;
  }

  /**
   * Before a native call: while pcscd is suspected silent, asks it first.
   * @throws {@link PcscError} `SERVICE_UNRESPONSIVE` when it still does not answer
   */
  public async admit(target: ServiceProbeTarget, operation: string, reader?: string): Promise<void> {
    if (!this.suspect) return;
    if ((await this.check(target)) === 'silent') throw this.unresponsive(target, operation, reader, false);
  }

  /** Follows a started native call; see {@link ServiceGuard.call}. */
  public follow<T>(target: ServiceProbeTarget, native: Promise<T>, info: NativeCallInfo): NativeCall<T> {
    let state: 'running' | 'done' | 'abandoned' = 'running';
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const endedPromise = native.then(
      () => void (ended = true),
      () => void (ended = true),
    );
    const result = new Promise<T>((resolve, reject) => {
      const entry: Followed = {
        info,
        abandon: (error) => {
          if (state !== 'running') return;
          state = 'abandoned';
          this.stopFollowing(entry, timer);
          this.abandonedRunning++;
          void endedPromise.then(() => this.abandonedRunning--);
          reject(error);
        },
      };
      this.followed.add(entry);
      native.then(
        (value) => {
          if (state !== 'running') return;
          state = 'done';
          this.stopFollowing(entry, timer);
          resolve(value);
        },
        (error: unknown) => {
          if (state !== 'running') return;
          state = 'done';
          this.stopFollowing(entry, timer);
          reject(error);
        },
      );
      const checkLater = (): void => {
        timer = setTimeout(() => {
          // A silent answer gives up this call with every other in flight (markSilent); an answer means a slow
          // card or a busy thread pool, not pcscd: ask again later, for as long as the call runs.
          void this.check(target).then((outcome) => {
            if (state === 'running' && outcome !== 'silent') checkLater();
          });
        }, info.checkAfterMs);
        // The native call keeps the process alive while it runs; this check must not keep it alive after.
        timer.unref();
      };
      checkLater();
    });
    return {
      result,
      native,
      ended: endedPromise,
      get running() {
        return !ended;
      },
      get abandoned() {
        return state === 'abandoned';
      },
      started: true,
    };
  }

  /** Runs `release` now, or once a probe finds pcscd answering when it is suspected silent. */
  public release(release: () => void): void {
    if (this.suspect) this.held.push(release);
    else release();
  }

  private stopFollowing(entry: Followed, timer: NodeJS.Timeout | undefined): void {
    this.followed.delete(entry);
    clearTimeout(timer);
  }

  private markSilent(target: ServiceProbeTarget): void {
    this.silentAt = target;
    for (const entry of [...this.followed]) entry.abandon(this.unresponsive(target, entry.info.operation, entry.info.reader, true));
  }

  private markAnswering(): void {
    if (!this.silentAt) return;
    this.silentAt = undefined;
    for (const release of this.held.splice(0)) {
      try {
        release();
      } catch {
        // A release that fails has nothing left to release (its handle went with pcscd).
      }
    }
  }

  private unresponsive(target: ServiceProbeTarget, operation: string, reader: string | undefined, abandoned: boolean): PcscError {
    const where = reader ? ` on "${reader}"` : '';
    // Counted as the error is made: the call being given up is counted already.
    const stuck = this.abandonedRunning + (abandoned ? 1 : 0);
    const threads =
      stuck === 0
        ? ''
        : ` ${stuck} PC/SC ${stuck === 1 ? 'call given up waits' : 'calls given up wait'} for it, each on one of Node's ` +
          'thread-pool threads (UV_THREADPOOL_SIZE, 4 by default).';
    return new PcscError(
      'SERVICE_UNRESPONSIVE',
      `${operation}${where}: the PC/SC service (pcscd) stopped answering (no answer on ${target.socketPath} within ` +
        `${target.timeoutMs} ms): it is hung, stopped or overloaded.${threads} Restart it (e.g. "sudo systemctl restart ` +
        'pcscd"), then try again',
      { reader },
    );
  }
}

/**
 * One context's way to the process's {@link PcscServiceGate}: the gate with the probe its options give. Without a
 * probe (`serviceProbe: false`, or a platform with no known socket) nothing can tell a silent pcscd from a slow
 * card, and calls are made and awaited as they come, with the binding's own waits; releases are still held while
 * another context's probe has found pcscd silent.
 * @internal
 */
export class ServiceGuard {
  public constructor(
    public readonly gate: PcscServiceGate,
    public readonly target: ServiceProbeTarget | undefined,
    /** How long a call may run before pcscd is asked whether it still answers (the wait of the reader watch: on top of its slice). */
    public readonly stalledCallMs: number = DEFAULT_STALLED_CALL_MS,
  ) {}

  /**
   * Before a new PC/SC context (the binding opens it synchronously, waiting for pcscd on the JavaScript thread):
   * asks pcscd's socket.
   * @throws {@link PcscError} `SERVICE_UNRESPONSIVE` when pcscd accepts the connection and does not answer
   */
  public async beforeContext(): Promise<void> {
    if (this.target === undefined) return;
    if ((await this.gate.check(this.target)) !== 'silent') return;
    throw new PcscError(
      'SERVICE_UNRESPONSIVE',
      `the PC/SC service (pcscd) accepted a connection on ${this.target.socketPath} but did not answer within ` +
        `${this.target.timeoutMs} ms: it is hung, stopped or overloaded. Restart it (e.g. "sudo systemctl restart pcscd"), ` +
        'then try again',
    );
  }

  /**
   * Makes a native call (`start`) under the gate: refused without calling `start` while pcscd is suspected silent
   * and a probe says it still is; given up (its `result` rejects with `SERVICE_UNRESPONSIVE`, the native call runs
   * on) when it runs past `info.checkAfterMs` and pcscd does not answer a probe then. While pcscd is not suspected,
   * `start` is called at once, in the same tick.
   */
  public call<T>(start: () => Promise<T>, info: NativeCallInfo): NativeCall<T> {
    const target = this.target;
    if (target === undefined) return unfollowed(invoke(start));
    if (!this.gate.suspect) return this.gate.follow(target, invoke(start), info);
    let inner: NativeCall<T> | undefined;
    const admitted = this.gate.admit(target, info.operation, info.reader).then(() => (inner = this.gate.follow(target, invoke(start), info)));
    const native = admitted.then((call) => call.native);
    // A refusal reaches the caller through `result`; `native` is there for late values only.
    native.catch(() => undefined);
    return {
      result: admitted.then((call) => call.result),
      native,
      ended: admitted.then(
        (call) => call.ended,
        () => undefined,
      ),
      get running() {
        return inner?.running ?? false;
      },
      get abandoned() {
        return inner?.abandoned ?? false;
      },
      get started() {
        return inner !== undefined;
      },
    };
  }

  /**
   * Runs a synchronous release that waits for pcscd's answer on the JavaScript thread (a context's release, a
   * card's disconnect), once pcscd is known to answer: right after `after` has ended (the last native call on
   * that context, which pcsc-lite's lock on the context makes the release wait for anyway, and which pcscd has
   * just answered), else after a probe answered. While pcscd is suspected silent, or the probe finds it so, the
   * release is held, with the objects it releases (the binding's finalizers would otherwise release them on the
   * JavaScript thread when they are collected), and runs once a probe finds pcscd answering again. Resolves
   * once it ran or was held.
   */
  public async release(release: () => void, after?: Promise<unknown>): Promise<void> {
    if (after !== undefined) {
      await after.then(
        () => undefined,
        () => undefined,
      );
    } else if (this.target !== undefined && !this.gate.suspect) {
      await this.gate.check(this.target);
    }
    this.gate.release(release);
  }
}

function invoke<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A call made without a probe: awaited as the binding gives it. */
function unfollowed<T>(native: Promise<T>): NativeCall<T> {
  let ended = false;
  const endedPromise = native.then(
    () => void (ended = true),
    () => void (ended = true),
  );
  return {
    result: native,
    native,
    ended: endedPromise,
    get running() {
      return !ended;
    },
    abandoned: false,
    started: true,
  };
}

const gates = new WeakMap<NativeBinding, PcscServiceGate>();

/** The process's gate over `binding`. @internal */
export function serviceGate(binding: NativeBinding): PcscServiceGate {
  let gate = gates.get(binding);
  if (!gate) {
    gate = new PcscServiceGate();
    gates.set(binding, gate);
  }
  return gate;
}
