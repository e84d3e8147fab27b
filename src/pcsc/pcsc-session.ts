import { CardChannel, withTimeout } from './card-channel.js';
import { CardRemovedError, PcscError, mapPcscError } from './errors.js';
import type { NativeReader } from './pcsclite-binding.js';

/** PC/SC share mode of a session. */
export type ShareMode = 'exclusive' | 'shared';

/** The transmission protocol negotiated with the card. */
export type CardProtocol = 'T=0' | 'T=1' | 'other';

/** What to do with the card when a session ends. */
export type Disposition = 'leave' | 'reset' | 'unpower';

/** @internal */
export interface PcscSessionInit {
  share: ShareMode;
  timeoutMs: number;
  atr: () => Uint8Array;
  onClose: (session: PcscSession) => void;
  cardGone: () => Promise<boolean>;
}

// pcscd's answers to a transmit whose card has just been pulled.
const MAYBE_REMOVED = new Set(['PROTOCOL_ERROR', 'CARD_UNRESPONSIVE', 'CARD_RESET', 'READER_UNAVAILABLE']);

// Largest possible extended-length response: 65536 data bytes + SW.
const MAX_RESPONSE = 65_538;

/**
 * A session with the card in one PC/SC reader; implements
 * {@link Transport}. Obtain it from {@link PcscContext.connect}.
 *
 * The `pcsclite` binding exposes no SCardBeginTransaction, so
 * {@link Transport.transaction} serialises callers within this process; the
 * default `exclusive` share mode keeps other processes out.
 */
export class PcscSession extends CardChannel implements AsyncDisposable {
  /** Share mode the session was opened with. */
  public readonly share: ShareMode;
  private protocolCode = 0;
  private state: 'new' | 'open' | 'removed' | 'closed' = 'new';
  private resets = 0;

  /** @internal */
  public constructor(
    private readonly native: NativeReader,
    private readonly init: PcscSessionInit,
  ) {
    super(init.timeoutMs);
    this.share = init.share;
  }

  public get readerName(): string {
    return this.native.name;
  }

  public get atr(): Uint8Array {
    return this.init.atr();
  }

  public get epoch(): number {
    return this.resets;
  }

  /** Negotiated protocol. */
  public get protocol(): CardProtocol {
    if (this.protocolCode === this.native.SCARD_PROTOCOL_T0) return 'T=0';
    if (this.protocolCode === this.native.SCARD_PROTOCOL_T1) return 'T=1';
    return 'other';
  }

  /** Whether the session can still be used. */
  public get isOpen(): boolean {
    return this.state === 'open';
  }

  /** @internal */
  public async open(): Promise<void> {
    const shareMode = this.share === 'exclusive' ? this.native.SCARD_SHARE_EXCLUSIVE : this.native.SCARD_SHARE_SHARED;
    const protocol = this.native.SCARD_PROTOCOL_T0 | this.native.SCARD_PROTOCOL_T1;
    const connecting = new Promise<number>((resolve, reject) => {
      this.native.connect({ share_mode: shareMode, protocol }, (err, negotiated) => {
        if (err) reject(mapPcscError(err, 'connecting to the card', this.native.name));
        else resolve(negotiated);
      });
    });
    this.protocolCode = await withTimeout(connecting, this.init.timeoutMs, 'connecting to the card', this.native.name);
    this.state = 'open';
  }

  /** Warm-resets the card and reconnects; volatile card state is lost. */
  public reset(): Promise<Uint8Array> {
    return this.reconnectWith('reset');
  }

  /** Drops and re-opens the connection, leaving the card as it is. */
  public reconnect(): Promise<Uint8Array> {
    return this.reconnectWith('leave');
  }

  /** Ends the session (idempotent). */
  public disconnect(disposition: Disposition = 'leave'): Promise<void> {
    return this.locked(async () => {
      if (this.state === 'closed') return;
      const wasConnected = this.native.connected;
      this.state = 'closed';
      this.init.onClose(this);
      if (wasConnected) await this.nativeDisconnect(disposition).catch(() => undefined);
    });
  }

  /** Same as `disconnect()` (leaving the card as it is); lets `await using` end the session. */
  public [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** @internal Called by the context when the reader reports the card gone. */
  public markRemoved(): void {
    if (this.state === 'open') this.state = 'removed';
  }

  protected assertUsable(): void {
    if (this.state === 'removed') throw new CardRemovedError(this.native.name);
    if (this.state !== 'open') throw new PcscError('CLOSED', 'the session is not open', { reader: this.native.name });
  }

  protected async exchange(command: Uint8Array): Promise<Uint8Array> {
    try {
      const response = await new Promise<Uint8Array>((resolve, reject) => {
        this.native.transmit(Buffer.from(command), MAX_RESPONSE, this.protocolCode, (err, data) => {
          if (err) reject(mapPcscError(err, 'transmit', this.native.name));
          else resolve(new Uint8Array(data));
        });
      });
      // Some drivers (vpcd) hand back an empty answer when the card vanishes.
      if (response.length < 2 && (await this.init.cardGone())) {
        this.markRemoved();
        throw new CardRemovedError(this.native.name);
      }
      return response;
    } catch (error) {
      if (error instanceof PcscError && MAYBE_REMOVED.has(error.code) && (await this.init.cardGone())) {
        this.markRemoved();
        throw new CardRemovedError(this.native.name, { cause: error, pcscCode: error.pcscCode });
      }
      if (error instanceof PcscError && error.code === 'CARD_REMOVED') this.markRemoved();
      throw error;
    }
  }

  private reconnectWith(disposition: Disposition): Promise<Uint8Array> {
    return this.locked(async () => {
      this.assertUsable();
      await this.nativeDisconnect(disposition);
      this.state = 'new';
      await this.open();
      this.resets++;
      return this.atr;
    });
  }

  private nativeDisconnect(disposition: Disposition): Promise<void> {
    const code =
      disposition === 'reset'
        ? this.native.SCARD_RESET_CARD
        : disposition === 'unpower'
          ? this.native.SCARD_UNPOWER_CARD
          : this.native.SCARD_LEAVE_CARD;
    return new Promise((resolve, reject) => {
      this.native.disconnect(code, (err) => (err ? reject(mapPcscError(err, 'disconnecting', this.native.name)) : resolve()));
    });
  }
}
