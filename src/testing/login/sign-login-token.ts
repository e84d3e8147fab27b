import { KeyObject, sign } from 'node:crypto';
import { buildCmsSignature } from '../../agent/cms-signature.js';
import { COMPONENT_HASHES } from '../../agent/sign-request.js';
import type { LoginToken, SignHashAlgorithm } from '../../cert/index.js';
import { TestPkiError } from '../pki/errors.js';
import { isPrintableString } from '../check-input.js';
import type { CardHolderCredentials } from '../pki/types.js';

/**
 * The part of a card holder {@link signLoginToken} uses: its signing certificate and key. Both
 * `pki.issueCardHolder(...)` and a virtual card's `.credentials` have it.
 */
export interface LoginTokenSigner {
  /** The signing certificate (DER) and its private key. */
  readonly sign: Pick<CardHolderCredentials['sign'], 'certificate' | 'privateKey'>;
}

/** What {@link signLoginToken} signs and how. */
export interface SignLoginTokenOptions {
  /** The text to sign, as a page sends it to `/sign`: for a login, `buildLoginMessage({ origin, challenge })`. */
  readonly tbs: string;
  /** `PKCS7` (default, a CMS SignedData as the local component makes it) or `PKCS1` (a bare RSA signature). */
  readonly signatureType?: 'PKCS7' | 'PKCS1';
  /**
   * The card number (卡號), as `withCardSN: "true"` returns it: signed as CMS
   * attribute 2.16.886.1.100.2.204 (PKCS7) and reported as `cardSN`.
   */
  readonly cardNumber?: string;
  /** Digest; default `SHA256`. */
  readonly hashAlgorithm?: SignHashAlgorithm;
  /** The CMS signingTime; default now. */
  readonly signingTime?: Date;
}

/**
 * The login token a page posts after the local component's `/sign`, made
 * with `card`'s signing key in software: what a backend test needs to run its
 * real `LoginVerifier` (and then `cardHolderFromLogin` and the enrollment
 * flows) without a card, a reader or a browser. The CMS is built by the same
 * code as `twpki agent`'s `/sign`.
 * @throws TestPkiError `BAD_OPTIONS` naming the option.
 */
// Typed by what it reads, so a virtual card's credentials (no authority, no chain) type-check as the guide says.
export async function signLoginToken(card: LoginTokenSigner, options: SignLoginTokenOptions): Promise<LoginToken> {
  checkCard(card);
  const o = checked(options);
  const hash = COMPONENT_HASHES[o.hashAlgorithm];
  const key = card.sign.privateKey;
  const content = new Uint8Array(Buffer.from(o.tbs, 'utf8'));
  const signature =
    o.signatureType === 'PKCS1'
      ? new Uint8Array(sign(hash, content, key))
      : await buildCmsSignature({
          content,
          certificate: card.sign.certificate,
          hash,
          signingTime: o.signingTime,
          ...(o.cardNumber === undefined ? {} : { cardNumber: o.cardNumber }),
          sign: (attributes) => Promise.resolve(new Uint8Array(sign(hash, attributes, key))),
        });
  return {
    signatureType: o.signatureType,
    tbs: o.tbs,
    hashAlgorithm: o.hashAlgorithm,
    signature: Buffer.from(signature).toString('base64'),
    certb64: Buffer.from(card.sign.certificate).toString('base64'),
    ...(o.cardNumber === undefined ? {} : { cardSN: o.cardNumber }),
  };
}

/** A card holder's credentials (`pki.issueCardHolder(...)`, or a virtual card's `.credentials`), checked before use. */
function checkCard(card: unknown): asserts card is LoginTokenSigner {
  const sign = (card as Partial<LoginTokenSigner> | undefined)?.sign;
  if (!(sign?.certificate instanceof Uint8Array) || !(sign.privateKey instanceof KeyObject) || sign.privateKey.type !== 'private') {
    throw new TestPkiError(
      'BAD_OPTIONS',
      "signLoginToken: card must be a card holder's credentials, as pki.issueCardHolder(...) returns them (a virtual card's are its .credentials)",
    );
  }
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['tbs', 'signatureType', 'cardNumber', 'hashAlgorithm', 'signingTime']);

function checked(options: SignLoginTokenOptions): Required<Omit<SignLoginTokenOptions, 'cardNumber'>> & { cardNumber: string | undefined } {
  const bad = (option: string, why: string): never => {
    throw new TestPkiError('BAD_OPTIONS', `signLoginToken: ${option} ${why}`);
  };
  const o = (typeof options === 'object' && options !== null ? options : {}) as Partial<Record<keyof SignLoginTokenOptions, unknown>>;
  // The component's request and answer names (withCardSN, cardSN) are easy to pass here by mistake: they would be ignored.
  for (const name of Object.keys(o)) if (!OPTION_NAMES.has(name)) bad(name, `is not an option (they are ${[...OPTION_NAMES].join(', ')}; the card number is cardNumber)`);
  if (typeof o.tbs !== 'string' || o.tbs === '') bad('tbs', 'must be the non-empty text to sign');
  const signatureType = o.signatureType ?? 'PKCS7';
  if (signatureType !== 'PKCS7' && signatureType !== 'PKCS1') bad('signatureType', `must be PKCS7 or PKCS1, not ${String(signatureType)}`);
  const hashAlgorithm = o.hashAlgorithm ?? 'SHA256';
  if (typeof hashAlgorithm !== 'string' || !Object.hasOwn(COMPONENT_HASHES, hashAlgorithm)) bad('hashAlgorithm', `must be one of ${Object.keys(COMPONENT_HASHES).join(', ')}`);
  if (o.cardNumber !== undefined && (typeof o.cardNumber !== 'string' || !isPrintableString(o.cardNumber) || o.cardNumber.length < 1 || o.cardNumber.length > 32)) {
    // The CMS attribute is a PrintableString.
    bad('cardNumber', 'must be 1 to 32 PrintableString characters (letters, digits, space, \'()+,-./:=?), such as TP03000012345678');
  }
  const signingTime = o.signingTime ?? new Date();
  if (!(signingTime instanceof Date) || Number.isNaN(signingTime.getTime())) bad('signingTime', 'must be a valid Date');
  return {
    tbs: o.tbs as string,
    signatureType: signatureType as 'PKCS7' | 'PKCS1',
    hashAlgorithm: hashAlgorithm as SignHashAlgorithm,
    signingTime: signingTime as Date,
    cardNumber: o.cardNumber as string | undefined,
  };
}
