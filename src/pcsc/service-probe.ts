import { connect } from 'node:net';
import { endianness } from 'node:os';
import { checkDuration } from '../shared/number-settings.js';

/**
 * How {@link PcscContext.establish} checks that pcscd answers: before the
 * native binding's synchronous calls, which wait for pcscd on the JavaScript
 * thread with no time limit, and while PC/SC calls run on libuv's thread
 * pool, which wait for it the same way (see
 * {@link PcscContextOptions.serviceProbe}).
 */
export interface ServiceProbeOptions {
  /**
   * pcscd's socket. Default on Linux: `PCSCLITE_CSOCK_NAME` when set (read
   * once per process, as pcsc-lite reads it), else `/run/pcscd/pcscd.comm`. Elsewhere there is no
   * default (macOS and Windows have no pcscd socket; other systems place it
   * where their build says) and nothing is probed unless this is given.
   */
  socketPath?: string;
  /** How long pcscd may take to answer (default 3 000 ms). */
  timeoutMs?: number;
  /**
   * How long a PC/SC call (a connect, a command, a reconnect, a listing) may
   * run before pcscd is asked whether it still answers (default 3 000 ms; a
   * wait of the reader watch gets its one-second slice on top). A call whose
   * pcscd answers is a slow card or a busy thread pool, not a silent pcscd: it
   * runs on (its session's own timeout still applies), and is checked again as
   * often. A call whose pcscd does not answer fails with `SERVICE_UNRESPONSIVE`
   * after this plus `timeoutMs`. Each check costs one local round trip (well
   * under a millisecond while pcscd answers).
   */
  stalledCallMs?: number;
}

/** A resolved probe: where and how long. @internal */
export interface ServiceProbeTarget {
  readonly socketPath: string;
  readonly timeoutMs: number;
}

/** How a probe ended. @internal */
export type ServiceProbeOutcome =
  /** pcscd wrote back. */
  | 'answered'
  /** No connection (no socket, nobody listening, refused) or closed unanswered: the binding fails fast on its own. */
  | 'unreachable'
  /** Connected (or queued, unaccepted) and no answer in time: the binding would wait for ever. */
  | 'silent';

// A pcscd that answers at all answers in milliseconds (measured here: 2 to 7 ms for the first probe of a process,
// 0.35 ms each after); the rest allows for a loaded machine, or a pcscd that systemd is just starting.
const DEFAULT_TIMEOUT_MS = 3_000;

// pcsc-lite's default socket on Linux (Debian and others; /var/run is a link to /run).
const LINUX_SOCKET = '/run/pcscd/pcscd.comm';

/** `PCSCLITE_CSOCK_NAME` of this process as first read, kept (`null`: not read yet). */
let processSocketVariable: string | undefined | null = null;

/**
 * `PCSCLITE_CSOCK_NAME`. pcsc-lite reads the process's variable once, at its first call, and keeps that socket: a
 * probe that read it again after a change would ask another socket than the one the binding waits on. So the
 * process's own environment is read once, at the first probe target asked for (before the first context, so no
 * later than pcsc-lite); an environment passed in (tests) is read as given.
 */
function socketVariable(env: NodeJS.ProcessEnv): string | undefined {
  if (env !== process.env) return env.PCSCLITE_CSOCK_NAME;
  if (processSocketVariable === null) processSocketVariable = env.PCSCLITE_CSOCK_NAME;
  return processSocketVariable;
}

/**
 * Where to probe, or `undefined` for no probe (`false`, or a platform with no
 * known socket and none given).
 * @throws RangeError when `timeoutMs` is not a usable timer; TypeError when `socketPath` is not a non-empty string
 * @internal
 */
export function serviceProbeTarget(
  option: ServiceProbeOptions | false | undefined,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): ServiceProbeTarget | undefined {
  // Read first, also when nothing is probed: a later context that does probe must ask the socket pcsc-lite kept.
  const variable = socketVariable(env);
  if (option === false) return undefined;
  const timeoutMs = option?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  checkDuration('serviceProbe.timeoutMs', timeoutMs, true);
  const given = option?.socketPath;
  if (given !== undefined && (typeof given !== 'string' || given === '')) {
    throw new TypeError(`serviceProbe.socketPath must be a non-empty string, not ${JSON.stringify(given)}`);
  }
  // pcsc-lite uses the variable whenever it is set, even empty (its connect then fails at once): an empty one is left
  // to the binding's own error, as a missing socket is.
  const socketPath = given ?? (platform === 'linux' ? (variable ?? LINUX_SOCKET) : undefined);
  return socketPath === undefined || socketPath === '' ? undefined : { socketPath, timeoutMs };
}

// pcsc-lite's message header is two 32-bit words in the host's byte order: the size of the body that follows, and
// the command. Command 0x12 (CMD_GET_READERS_STATE) has no body; pcscd answers it with its table of reader states
// (about 3 KB), whatever the client's protocol version, and logs it at debug level only. The version exchange a
// real client starts with was not used: a version other than the daemon's own is logged as a critical error.
const GET_READERS_STATE = 0x12;

function readersStateRequest(): Buffer {
  const header = Buffer.alloc(8);
  if (endianness() === 'LE') {
    header.writeUInt32LE(0, 0);
    header.writeUInt32LE(GET_READERS_STATE, 4);
  } else {
    header.writeUInt32BE(0, 0);
    header.writeUInt32BE(GET_READERS_STATE, 4);
  }
  return header;
}

/**
 * Connects to pcscd's socket, asks for the readers' state and waits for the
 * first byte of the answer; the connection is closed either way (pcscd ends
 * that client as it ends any that leaves). Never rejects.
 * @internal
 */
export function probePcscService(target: ServiceProbeTarget): Promise<ServiceProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect(target.socketPath);
    let done = false;
    const finish = (outcome: ServiceProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('silent'), target.timeoutMs);
    socket.once('connect', () => socket.write(readersStateRequest()));
    socket.once('data', () => finish('answered'));
    // Closed without a word (pcscd refused this client, or is exiting): pcsc-lite's own read ends the same way.
    socket.once('end', () => finish('unreachable'));
    socket.once('close', () => finish('unreachable'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // EAGAIN: the listen queue is full, so nobody has been accepting for a while; pcsc-lite's blocking connect
      // would wait there for ever. Any other error (no such socket, nobody listening) it reports at once itself.
      finish(error.code === 'EAGAIN' ? 'silent' : 'unreachable');
    });
  });
}
