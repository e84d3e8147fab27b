/**
 * OCSP responses and CRLs built field by field, for what the test kit's
 * builders cannot express: a producedAt apart from thisUpdate, extensions
 * (critical or not) on the response and on a single answer, and a CRL whose
 * tbsCertList elements are out of order. Each is signed for real, so the
 * refusal tested is about its content, not its signature. Where an extension
 * is given as bytes, they are written as they are: a malformed Extension.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { RevocationChecker, type RevocationFetch, type TrustedCertificate } from '../../../../src/cert/index.js';
import { enumerated, explicit, generalizedTime, integerFromHex, NULL, objectIdentifier, octetString, sequence, smallInteger, tlv, x509Time } from '../../../../src/testing/der/der-writer.js';
import { signTbs } from '../../../../src/testing/revocation/signing.js';

/** One extension to write: its OID, critical flag (DEFAULT FALSE is left out) and the DER inside extnValue. */
export interface HandExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

function extension(e: HandExtension | Uint8Array): Uint8Array {
  if (e instanceof Uint8Array) return e;
  return sequence(objectIdentifier(e.oid), ...(e.critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(e.value));
}

/** An EXPLICIT `[n]` holding `list`, then whatever `after` adds (a wrapper that should hold the list alone). */
function wrap(n: number, list: Uint8Array, after: readonly Uint8Array[] = []): Uint8Array {
  return tlv(0xa0 | n, new Uint8Array(Buffer.concat([list, ...after])));
}

/** An unregistered private OID, marked critical: no verifier can know what it means. */
export const UNKNOWN_CRITICAL: HandExtension = { oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.of(0x05, 0x00) };

/** A `good` OCSP answer about one CertID, signed by `signer` (the CA or a delegate), responderID by key. */
export function handOcspResponse(o: {
  readonly signer: TrustedCertificate;
  readonly signerKey: KeyObject;
  readonly certId: Uint8Array;
  readonly producedAt: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly responseExtensions?: readonly (HandExtension | Uint8Array)[];
  readonly singleExtensions?: readonly (HandExtension | Uint8Array)[];
  /** Elements written inside the `[1]` of responseExtensions / singleExtensions, after the list. */
  readonly afterResponseExtensions?: readonly Uint8Array[];
  readonly afterSingleExtensions?: readonly Uint8Array[];
  /** An element appended to tbsResponseData after everything RFC 6960 puts there. */
  readonly trailing?: Uint8Array;
  /** The single answer's certStatus element (default `good`: `[0]` NULL). */
  readonly certStatus?: Uint8Array;
  /** Writes producedAt, thisUpdate and nextUpdate (default: GeneralizedTime in whole seconds). */
  readonly writeTime?: (date: Date) => Uint8Array;
}): Uint8Array {
  const keyHash = new Uint8Array(createHash('sha1').update(o.signer.publicKeyBits).digest());
  const time = o.writeTime ?? generalizedTime;
  const single = sequence(
    o.certId,
    o.certStatus ?? tlv(0x80, new Uint8Array(0)),
    time(o.thisUpdate),
    explicit(0, time(o.nextUpdate)),
    ...(o.singleExtensions === undefined ? [] : [wrap(1, sequence(...o.singleExtensions.map(extension)), o.afterSingleExtensions)]),
  );
  const tbs = sequence(
    explicit(2, octetString(keyHash)),
    time(o.producedAt),
    sequence(single),
    ...(o.responseExtensions === undefined ? [] : [wrap(1, sequence(...o.responseExtensions.map(extension)), o.afterResponseExtensions)]),
    ...(o.trailing === undefined ? [] : [o.trailing]),
  );
  const { algorithm, signature } = signTbs(tbs, o.signerKey, 'SHA-256');
  const basic = sequence(tbs, algorithm, signature);
  return sequence(enumerated(0), explicit(0, sequence(objectIdentifier('1.3.6.1.5.5.7.48.1.1'), octetString(basic))));
}

/**
 * A v2 CRL of `issuer` listing `serials`, with its revokedCertificates placed
 * before crlExtensions (as RFC 5280 orders them) or after them.
 */
export function handCrl(o: {
  readonly issuer: TrustedCertificate;
  readonly issuerKey: KeyObject;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly serials: readonly string[];
  readonly revokedAt: Date;
  readonly entriesAfterExtensions: boolean;
  /** Revoked entries written as given, after those of `serials`. */
  readonly rawEntries?: readonly Uint8Array[];
  /** crlExtensions after authorityKeyIdentifier and cRLNumber. */
  readonly extensions?: readonly (HandExtension | Uint8Array)[];
  /** Elements written inside `[0]` after the crlExtensions list. */
  readonly afterExtensions?: readonly Uint8Array[];
  /** Time elements written as given instead of the dates' `x509Time` (revocationDate: of the `serials` entries). */
  readonly times?: { readonly thisUpdate?: Uint8Array; readonly nextUpdate?: Uint8Array; readonly revocationDate?: Uint8Array };
}): Uint8Array {
  // sha256WithRSAEncryption, written before signing (tbsCertList carries it): the test CAs' keys are RSA.
  const algorithm = sequence(objectIdentifier('1.2.840.113549.1.1.11'), NULL);
  const revocationDate = o.times?.revocationDate ?? x509Time(o.revokedAt);
  const revoked = sequence(...o.serials.map((serial) => sequence(integerFromHex(serial), revocationDate)), ...(o.rawEntries ?? []));
  const akiExtension: HandExtension[] =
    o.issuer.subjectKeyId === undefined ? [] : [{ oid: '2.5.29.35', critical: false, value: sequence(tlv(0x80, new Uint8Array(Buffer.from(o.issuer.subjectKeyId, 'hex')))) }];
  const extensions = wrap(
    0,
    sequence(...[...akiExtension, { oid: '2.5.29.20', critical: false, value: smallInteger(1) }, ...(o.extensions ?? [])].map(extension)),
    o.afterExtensions,
  );
  const tbs = sequence(
    smallInteger(1),
    algorithm,
    o.issuer.subjectDer,
    o.times?.thisUpdate ?? x509Time(o.thisUpdate),
    o.times?.nextUpdate ?? x509Time(o.nextUpdate),
    ...(o.entriesAfterExtensions ? [extensions, revoked] : [revoked, extensions]),
  );
  const { signature } = signTbs(tbs, o.issuerKey, 'SHA-256');
  return sequence(tbs, algorithm, signature);
}

/** What a test varies in a current hand-built answer: everything but the responder and the answer's times. */
export type HandAnswerFields = Omit<Parameters<typeof handOcspResponse>[0], 'signer' | 'signerKey' | 'certId' | 'producedAt' | 'thisUpdate' | 'nextUpdate'> & {
  /** Default: when the answer is fetched, as thisUpdate. */
  readonly producedAt?: Date;
};

/**
 * An OCSP-only checker (no nonce) whose responder answers {@link handOcspResponse} about `responder.certId` with
 * `fields`, current at each fetch: thisUpdate now (whole seconds), nextUpdate an hour on.
 */
export function handAnsweringChecker(
  responder: { readonly signer: TrustedCertificate; readonly signerKey: KeyObject; readonly certId: Uint8Array },
  fields: HandAnswerFields = {},
): RevocationChecker {
  const fetch: RevocationFetch = () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const body = handOcspResponse({ ...responder, ...fields, producedAt: fields.producedAt ?? now, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3_600_000) });
    return Promise.resolve({ status: 200, body });
  };
  return new RevocationChecker({ mode: 'ocsp', fetch, ocspNonce: false });
}
