import type { KeyObject } from 'node:crypto';
import { reasonCode, type RevocationReason } from '../../cert/trust/revocation/revocation-status.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import { enumerated, explicit, integerFromHex, octetString, objectIdentifier, sequence, smallInteger, tlv, x509Time } from '../der/der-writer.js';
import { signTbs, type TestSignatureHash } from './signing.js';

/** One revoked certificate for {@link buildCrl}. */
export interface TestCrlEntry {
  /** Serial, hex (any case, leading zeros allowed). */
  readonly serialHex: string;
  /** revocationDate. */
  readonly revokedAt: Date;
  /** reasonCode entry extension; omitted when undefined. */
  readonly reason?: RevocationReason;
}

/** Options of {@link buildCrl}. */
export interface BuildCrlOptions {
  /** The CA: its certificate (DER) names the issuer, its key signs. */
  readonly issuer: {
    /** The CA certificate, DER; supplies the CRL issuer name and authorityKeyIdentifier. */
    readonly certificate: Uint8Array;
    /** The CA's private key; signs the CRL unless `signWith` is given. */
    readonly privateKey: KeyObject;
  };
  /** Revoked certificates. */
  readonly entries: Iterable<TestCrlEntry>;
  /** thisUpdate; default now. */
  readonly thisUpdate?: Date;
  /** nextUpdate; default thisUpdate + 1 day; `null` omits it. */
  readonly nextUpdate?: Date | null;
  /** Signature hash; default SHA-256. */
  readonly hash?: TestSignatureHash;
  /** cRLNumber; default 1. */
  readonly crlNumber?: number;
  /** Sign with this key instead (the CRL then fails verification). */
  readonly signWith?: KeyObject;
  /** Break the signature after signing. */
  readonly corruptSignature?: boolean;
}

/**
 * Builds a DER CRL v2 (with authorityKeyIdentifier and cRLNumber) the way
 * GPKI CAs publish them. Made for tests: a 100k-entry list builds quickly.
 */
export function buildCrl(options: BuildCrlOptions): Uint8Array {
  const issuer = TrustedCertificate.from(options.issuer.certificate);
  const thisUpdate = options.thisUpdate ?? new Date();
  const nextUpdate = options.nextUpdate === undefined ? new Date(thisUpdate.getTime() + 86_400_000) : options.nextUpdate;
  const hash = options.hash ?? 'SHA-256';
  const signingKey = options.signWith ?? options.issuer.privateKey;
  const entries: Uint8Array[] = [];
  for (const e of options.entries) {
    const serial = e.serialHex.toLowerCase().replace(/^(00)+(?=..)/, '');
    const exts =
      e.reason === undefined
        ? []
        : [sequence(sequence(objectIdentifier('2.5.29.21'), octetString(enumerated(reasonCode(e.reason)))))];
    entries.push(sequence(integerFromHex(serial), x509Time(e.revokedAt), ...exts));
  }
  const extensions: Uint8Array[] = [];
  if (issuer.subjectKeyId !== undefined) {
    const aki = sequence(tlv(0x80, new Uint8Array(Buffer.from(issuer.subjectKeyId, 'hex'))));
    extensions.push(sequence(objectIdentifier('2.5.29.35'), octetString(aki)));
  }
  extensions.push(sequence(objectIdentifier('2.5.29.20'), octetString(smallInteger(options.crlNumber ?? 1))));
  // The algorithm must appear inside tbs too, so derive it from a throwaway signature first.
  const { algorithm } = signTbs(new Uint8Array(0), signingKey, hash);
  const tbs = sequence(
    smallInteger(1),
    algorithm,
    issuer.subjectDer,
    x509Time(thisUpdate),
    ...(nextUpdate === null ? [] : [x509Time(nextUpdate)]),
    ...(entries.length === 0 ? [] : [tlv(0x30, new Uint8Array(Buffer.concat(entries)))]),
    explicit(0, sequence(...extensions)),
  );
  const { signature } = signTbs(tbs, signingKey, hash, options.corruptSignature === true);
  return sequence(tbs, algorithm, signature);
}
