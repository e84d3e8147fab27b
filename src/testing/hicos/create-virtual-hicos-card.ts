import { createTestPki, TestPkiError } from '../pki/index.js';
import type { TestPki } from '../pki/index.js';
import { virtualCardCredentials } from './card-credentials.js';
import { VirtualHiCOSCard } from './virtual-hicos-card.js';
import { checkCardIdentity, checkVirtualCardSettings } from './check-card-options.js';
import { unknownOptionProblem } from '../../shared/option-names.js';
import type { VirtualCardQuirks, VirtualHiCOSCardOptions } from './virtual-card-options.js';

/** Which real card family the virtual card's certificates mimic. */
export type VirtualCardProfile = 'moica' | 'moeaca' | 'gca' | 'xca';

/** Options of {@link createVirtualHiCOSCard}. */
export interface CreateVirtualHiCOSCardOptions {
  /** Certificate profile (default `moica`). */
  profile?: VirtualCardProfile;
  /** Card generation (default 1). */
  generation?: 1 | 2;
  /** User PIN (default `123456`). */
  pin?: string;
  /** 卡號 (default `TP03000012345678`). */
  cardNumber?: string;
  /** Subject common name for the card holder (default per profile). */
  commonName?: string;
  /**
   * A test PKI to issue from (default: a fresh one with only the profile's issuing CA). Reuse one to save key
   * generation time.
   */
  pki?: TestPki;
  /** Host-handling test switches. */
  quirks?: VirtualCardQuirks;
  /** Any other card option (retry limit, ATR, SCP03 counter policy…). */
  card?: Omit<VirtualHiCOSCardOptions, 'credentials' | 'generation' | 'pin' | 'cardNumber' | 'quirks'>;
}

/**
 * A virtual HiCOS card whose SIGN/KEYX certificates and keys come from the
 * generated test PKI (issuer names, subject layout, extensions as the real
 * profile), with the issuing CA and root stored as `CACert`/`ROOTCACert`.
 */
export async function createVirtualHiCOSCard(options: CreateVirtualHiCOSCardOptions = {}): Promise<VirtualHiCOSCard> {
  checkCardOptions(options);
  const profile = options.profile ?? 'moica';
  const pki = options.pki ?? (await createTestPki({ authorities: [profile] }));
  const holder = await pki.issueCardHolder({
    authority: profile,
    ...(options.commonName === undefined ? {} : { commonName: options.commonName }),
  });
  return new VirtualHiCOSCard({
    ...options.card,
    generation: options.generation ?? 1,
    pin: options.pin,
    cardNumber: options.cardNumber,
    quirks: options.quirks,
    credentials: virtualCardCredentials(holder),
  });
}

const CARD_OPTION_NAMES: ReadonlySet<string> = new Set(['profile', 'generation', 'pin', 'cardNumber', 'commonName', 'pki', 'quirks', 'card']);
const PROFILES: readonly VirtualCardProfile[] = ['moica', 'moeaca', 'gca', 'xca'];

/** Checked before any key is made, so a misspelt option (`cardSN`) fails at once instead of being dropped. */
function checkCardOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw new TestPkiError('BAD_OPTIONS', 'createVirtualHiCOSCard: options must be an object');
  const o = options as Record<string, unknown>;
  const unknown = unknownOptionProblem(o, CARD_OPTION_NAMES, 'the 卡號 is cardNumber, other card settings go in card');
  if (unknown !== undefined) throw new TestPkiError('BAD_OPTIONS', `createVirtualHiCOSCard: ${unknown}`);
  if (o.profile !== undefined && !(PROFILES as readonly unknown[]).includes(o.profile)) {
    throw new TestPkiError('BAD_OPTIONS', `createVirtualHiCOSCard: option "profile" must be one of ${PROFILES.join(', ')}, not ${JSON.stringify(o.profile)}`);
  }
  // A pki that is not one would fail as `pki.issueCardHolder is not a function`, far from the option.
  if (o.pki !== undefined && typeof (o.pki as { issueCardHolder?: unknown } | null)?.issueCardHolder !== 'function') {
    throw new TestPkiError('BAD_OPTIONS', 'createVirtualHiCOSCard: option "pki" must be a test PKI, as createTestPki() returns it, or left out');
  }
  // The card's own settings too, before any key is made.
  const card = o.card ?? {};
  if (typeof card !== 'object' || card === null || Array.isArray(card)) throw new TestPkiError('BAD_OPTIONS', 'createVirtualHiCOSCard: option "card" must be an object of card settings');
  const settings = card as Record<string, unknown>;
  for (const own of ['generation', 'pin', 'cardNumber', 'quirks', 'credentials']) {
    if (settings[own] !== undefined) {
      throw new TestPkiError('BAD_OPTIONS', `createVirtualHiCOSCard: option "card.${own}" is not read: ${own === 'credentials' ? 'the card holder is issued from the test PKI' : `give ${own} beside card, not in it`}`);
    }
  }
  const merged = { ...settings, generation: o.generation, pin: o.pin, cardNumber: o.cardNumber, quirks: o.quirks };
  checkCardIdentity(merged);
  checkVirtualCardSettings(merged, 'createVirtualHiCOSCard');
}
