import type { Transport } from '../../pcsc/transport.js';
import { exchange, selectSucceeded } from '../card-io.js';
import { selectGen2Applet } from '../commands/select.js';
import { diversifyHiCOSStaticKeys } from '../crypto/hicos-static-keys.js';
import type { Scp03SessionKeys } from '../crypto/scp03-session-keys.js';
import {
  authenticateScp03,
  cardCryptogramMismatch,
  initializeScp03,
  readGen2CardId,
  type Scp03Initiation,
  scp03SessionKeysFor,
} from './open-scp03.js';
import type { Scp03Options } from './scp03-options.js';
import type { Scp03Session } from './scp03-session.js';

/** Whatever tracks the applet's file selection (told when the applet is re-selected). */
export interface SelectionTracker {
  /** The applet root is selected and no file below it. */
  atRoot(): void;
  /** Whether the applet root is known to be the current DF. */
  readonly isAtRoot: boolean;
}

/**
 * The Gen2 applet's secure-messaging state as the host knows it, for one
 * card session.
 *
 * What the applet does with a plain command while an SCP03 session is open
 * is unknown (GlobalPlatform lets it refuse with `6982` and drop the
 * session). So no plain command is ever sent while a session may be open:
 * {@link beforePlainCommand} re-selects the applet first, which ends the
 * session under any behaviour. "May be open" starts with INITIALIZE UPDATE
 * (a half-opened session counts) and ends only with an applet SELECT; the
 * same re-select also recovers from an interrupted card-ID read, which
 * leaves another application selected.
 */
export class Gen2Channel {
  private session: Scp03Session | undefined;
  private pinVerified = false;
  private mustReselect = false;
  private cardId: Uint8Array | undefined;

  public constructor(
    private readonly options: Scp03Options,
    private readonly selection: SelectionTracker,
  ) {}

  /** The open session in which the PIN was verified, if there is one. */
  public get verifiedSession(): Scp03Session | undefined {
    return this.pinVerified ? this.session : undefined;
  }

  /** Ends a possibly open session (one applet SELECT) so that a plain command may follow. */
  public async beforePlainCommand(tx: Transport): Promise<void> {
    if (!this.mustReselect) return;
    await this.selectApplet(tx, 'SELECT Gen2 applet (ending the secure session)');
  }

  /**
   * Opens a fresh SCP03 session with the applet, ending any previous one.
   * The card ID is read once per card session (or taken from INITIALIZE
   * UPDATE, see {@link Scp03Options.cardIdSource}). The session starts with
   * the applet root current (the applet is re-selected first when it may
   * not be), so that the secured SELECTs of a private-key operation are
   * `5030` then `0810`, as the middleware sends them: no root FID is sent
   * under secure messaging, and re-selecting the applet there would end the
   * session.
   */
  public async open(tx: Transport): Promise<Scp03Session> {
    const fromInitializeUpdate = this.cardId === undefined && this.options.cardIdSource === 'initialize-update';
    if (this.cardId === undefined && !fromInitializeUpdate) await this.readCardId(tx);
    else if (this.mustReselect || !this.selection.isAtRoot) await this.selectApplet(tx, 'SELECT Gen2 applet');

    let init = await this.initialize(tx);
    let keys = this.sessionKeys(this.cardId ?? init.diversificationData, init);
    if (!keys && fromInitializeUpdate) {
      // The card's diversification data is not its card ID: ask for the ID (this also ends the half-open session).
      await this.readCardId(tx);
      init = await this.initialize(tx);
      keys = this.sessionKeys(this.cardId!, init);
    } else if (keys && this.cardId === undefined) {
      this.cardId = init.diversificationData;
    }
    if (!keys) throw cardCryptogramMismatch();
    // Without an explicit policy the session refuses the one case where the unknown policy would matter.
    this.session = await authenticateScp03(tx, keys, init, this.options.counterPolicy ?? 'unsettled');
    return this.session;
  }

  /** Records the VERIFY outcome inside the current session. */
  public pinResult(ok: boolean): void {
    this.pinVerified = ok && this.session !== undefined;
  }

  /**
   * Forgets the host's session (keys zeroed): after a failed secured command,
   * after a private-key operation, or on a new card session. The card may
   * still hold it open, so the next plain command still re-selects first.
   */
  public discard(): void {
    this.session?.close();
    this.session = undefined;
    this.pinVerified = false;
  }

  private async readCardId(tx: Transport): Promise<void> {
    this.discard();
    // Selecting the ISD ends any session; until the applet is selected again, plain file commands would go astray.
    this.mustReselect = true;
    this.cardId = await readGen2CardId(tx);
    await this.selectApplet(tx, 'SELECT Gen2 applet');
  }

  /** Selects the applet by AID: ends any session, and makes the applet root current. */
  private async selectApplet(tx: Transport, step: string): Promise<void> {
    this.discard();
    await exchange(tx, selectGen2Applet(), step, selectSucceeded);
    this.mustReselect = false;
    this.selection.atRoot();
  }

  private initialize(tx: Transport): Promise<Scp03Initiation> {
    this.mustReselect = true;
    return initializeScp03(tx);
  }

  private sessionKeys(cardId: Uint8Array, init: Scp03Initiation): Scp03SessionKeys | undefined {
    const keys = diversifyHiCOSStaticKeys(cardId);
    try {
      return scp03SessionKeysFor(keys, init);
    } finally {
      keys.enc.fill(0);
      keys.mac.fill(0);
    }
  }
}
