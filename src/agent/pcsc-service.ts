import { PcscContext, PcscError, type PcscContextOptions } from '../pcsc/index.js';

/** Whether a PC/SC failure says pcscd itself is gone (stopped, restarting), rather than a reader or card. */
export function pcscServiceGone(error: unknown): boolean {
  return error instanceof PcscError && error.code === 'SERVICE_UNAVAILABLE';
}

// Short: it runs inside a page's request, and a pcscd that answers at all lists its readers in milliseconds.
const PROBE_TIMEOUT_MS = 2_000;

/**
 * What the agent knows of pcscd's health. While pcscd is away its context
 * still lists the readers it last saw, and every card operation fails;
 * pages must then be told 無可用讀卡機 (no reader), not shown a reader
 * whose card is an "unknown token". pcscd coming back may change nothing a
 * reader watch reports (same readers, same cards), so no event can be
 * waited for: while pcscd is known gone, each listing first asks pcscd
 * directly whether it answers again (one short-lived context; nothing is
 * sent to any card).
 */
export class PcscServiceHealth {
  private gone = false;
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

  /** Whether pcscd answers; asks it only while it is known gone (concurrent callers share one probe). */
  public available(): Promise<boolean> {
    if (!this.gone) return Promise.resolve(true);
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
