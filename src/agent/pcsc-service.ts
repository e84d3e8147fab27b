import { PcscContext, PcscError, type PcscContextOptions } from '../pcsc/index.js';

/**
 * Whether a PC/SC failure says pcscd itself is gone (stopped, restarting) or does not answer (hung, stopped with
 * SIGSTOP), rather than a reader or card: either way no reader can be used.
 */
export function pcscServiceGone(error: unknown): boolean {
  return error instanceof PcscError && (error.code === 'SERVICE_UNAVAILABLE' || error.code === 'SERVICE_UNRESPONSIVE');
}

// Short: it runs inside a page's request, and a pcscd that answers at all lists its readers in milliseconds.
const PROBE_TIMEOUT_MS = 2_000;

/**
 * What the agent knows of pcscd's health. While pcscd is away its context
 * still lists the readers it last saw, and every card operation fails;
 * pages must then be told 無可用讀卡機 (no reader), not shown a reader
 * whose card is an "unknown token".
 *
 * Once pcscd is known gone and the reader watch has failed, only the watch
 * says when it is back (`watchRecovered`, also when no reader changed):
 * until then the context's readers are what the watch last saw, and pcscd
 * answering a probe says nothing of a second outage that comes before the
 * watch has reconnected (the watch reports that one as the same failure,
 * once). Only while pcscd is known gone with the watch working (a connect
 * said so) does each listing first ask pcscd directly whether it answers
 * again (one short-lived context; nothing is sent to any card).
 */
export class PcscServiceHealth {
  private gone = false;
  /** The reader watch reported a failure and has not said since that it follows the readers again. */
  private watchDown = false;
  private probing: Promise<boolean> | undefined;

  public constructor(private readonly contextOptions: PcscContextOptions) {}

  /** pcscd failed (the reader watch or a connect said so). */
  public markGone(): void {
    this.gone = true;
  }

  /** pcscd answered (a reader event, a connect). */
  public markUp(): void {
    this.gone = false;
  }

  /** The reader watch reported a failure (of any kind: what the context lists may be out of date). */
  public watchFailed(): void {
    this.watchDown = true;
  }

  /** The reader watch follows the readers again: pcscd answers it. */
  public watchRecovered(): void {
    this.watchDown = false;
    this.gone = false;
  }

  /**
   * Whether pcscd answers: no while it is known gone and the reader watch has not recovered; asks pcscd only
   * while it is known gone with the watch working (concurrent callers share one probe).
   */
  public available(): Promise<boolean> {
    if (!this.gone) return Promise.resolve(true);
    if (this.watchDown) return Promise.resolve(false);
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probe(): Promise<boolean> {
    try {
      const context = await PcscContext.establish({ ...this.contextOptions, startupTimeoutMs: PROBE_TIMEOUT_MS });
      await context.close();
      this.gone = false;
      return true;
    } catch {
      return false;
    }
  }
}
