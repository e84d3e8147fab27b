import { PcscError, mapPcscError } from './errors.js';
import { closeQuietly, type NativeBinding, type NativeContext, type NativeReaderHandle } from './native-binding.js';
import { ServiceGuard, serviceGate } from './service-gate.js';

/** A PC/SC context of a session's own, with the binding's handle for the session's reader. @internal */
export interface ReaderLine {
  readonly context: NativeContext;
  readonly reader: NativeReaderHandle;
}

/**
 * The lines (a PC/SC context and a reader handle) sessions connect through,
 * one kept per reader between sessions.
 *
 * The binding makes a reader handle only by listing every reader
 * synchronously, and pcsc-lite's listing sleeps 400 ms for each reader that
 * holds a card without an ATR (a card put in upside down, or inserted that
 * instant), on the JavaScript thread; a new context per session also costs a
 * connection to pcscd each time. A line is reused by the next session on the
 * same reader, so a listing is made once per reader, not once per card
 * operation. Each reader keeps a context of its own: pcsc-lite serialises the
 * calls of one context, so sessions on different readers never wait for each
 * other. Lines are dropped when their reader goes, when the reader watch
 * reports a failure (pcscd restarted: its contexts are gone), and on close.
 * @internal
 */
export class ReaderLines {
  private readonly idle = new Map<string, ReaderLine>();
  private closed = false;

  /**
   * @param guard checks that pcscd answers before each new context (the binding's synchronous calls would
   *   otherwise wait for it on the JavaScript thread), and holds releases while it may not answer them
   */
  public constructor(
    private readonly binding: NativeBinding,
    private readonly guard: ServiceGuard = new ServiceGuard(serviceGate(binding), undefined),
  ) {}

  /**
   * The kept line of `reader` (`reused: true`), or a new context and listing.
   * @throws {@link PcscError} `UNKNOWN_READER` when the listing has no such reader, or the mapped PC/SC failure
   */
  public async take(reader: string): Promise<{ line: ReaderLine; reused: boolean }> {
    const kept = this.idle.get(reader);
    if (kept) {
      this.idle.delete(reader);
      return { line: kept, reused: true };
    }
    return { line: await this.open(reader), reused: false };
  }

  /** A new line: its own context, and the reader's handle from that context's listing. */
  public async open(reader: string): Promise<ReaderLine> {
    await this.guard.beforeContext();
    let context: NativeContext;
    try {
      context = new this.binding.Context();
    } catch (error) {
      throw mapPcscError(error, 'connecting to the card', reader);
    }
    try {
      const handle = context.listReaders().find((r) => r.name === reader);
      if (!handle) throw new PcscError('UNKNOWN_READER', `no reader named "${reader}"`, { reader });
      return { context, reader: handle };
    } catch (error) {
      closeQuietly(context);
      throw mapPcscError(error, 'connecting to the card', reader);
    }
  }

  /** Keeps `line` for the next session on its reader; closes it when one is kept already or the lines are closed. */
  public give(line: ReaderLine): void {
    const name = line.reader.name;
    if (this.closed || this.idle.has(name)) {
      this.closeLine(line);
      return;
    }
    this.idle.set(name, line);
  }

  /** Closes the kept line of `reader`, or of every reader. */
  public drop(reader?: string): void {
    for (const [name, line] of [...this.idle]) {
      if (reader !== undefined && name !== reader) continue;
      this.idle.delete(name);
      this.closeLine(line);
    }
  }

  /**
   * Releases `line`'s context once pcscd may answer the release (it waits for pcscd on the JavaScript thread):
   * lines are dropped when the reader watch fails, which is also when pcscd stopped answering.
   */
  public closeLine(line: ReaderLine): void {
    this.guard.release(() => closeQuietly(line.context));
  }

  /** Closes every kept line; lines given back later are closed at once. */
  public close(): void {
    this.closed = true;
    this.drop();
  }
}
