import { createHash, type KeyObject } from 'node:crypto';
import type { RevocationReason } from '../../cert/trust/revocation/revocation-status.js';
import { reasonCode } from '../../cert/trust/revocation/revocation-status.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import { enumerated, explicit, generalizedTime, octetString, objectIdentifier, sequence, tlv } from '../der/der-writer.js';
import { signTbs, type TestSignatureHash } from './signing.js';

/** What the responder says about one certificate. */
export type TestOcspStatus =
  | {
      /** Not revoked. */
      readonly kind: 'good';
    }
  | {
      /** Revoked. */
      readonly kind: 'revoked';
      /** revocationTime to report. */
      readonly revokedAt: Date;
      /** revocationReason to report; omitted from the response when undefined. */
      readonly reason?: RevocationReason;
    }
  | {
      /** The responder does not know the certificate. */
      readonly kind: 'unknown';
    };

/** The CertID fields echoed back, as raw DER of the request's CertID. */
export interface TestOcspSingle {
  /** DER of the CertID from the request (echoed byte for byte). */
  readonly certIdDer: Uint8Array;
  /** The status to report. */
  readonly status: TestOcspStatus;
}

/** Options of {@link buildOcspResponse}. */
export interface BuildOcspResponseOptions {
  /** The signer: the CA itself or a delegated responder (its certificate is then included). */
  readonly signer: {
    /** The signer's certificate, DER; gives the responderID. */
    readonly certificate: Uint8Array;
    /** The signer's private key. */
    readonly privateKey: KeyObject;
  };
  /** Include the signer certificate in `certs`; default: when the signer is not `issuerCertificate`. */
  readonly includeSignerCertificate?: boolean;
  /** The issuing CA's certificate, to decide whether the signer is a delegate. */
  readonly issuerCertificate?: Uint8Array;
  /** responderID form; default `key`. */
  readonly responderId?: 'name' | 'key';
  /** Answers. */
  readonly responses: readonly TestOcspSingle[];
  /** producedAt and thisUpdate; default now. */
  readonly thisUpdate?: Date;
  /** nextUpdate; default thisUpdate + 1 hour; `null` omits it. */
  readonly nextUpdate?: Date | null;
  /** Nonce to echo. */
  readonly nonce?: Uint8Array;
  /** Signature hash; default SHA-256. */
  readonly hash?: TestSignatureHash;
  /** Break the signature after signing. */
  readonly corruptSignature?: boolean;
}

/** Builds a successful DER OCSPResponse with a BasicOCSPResponse. */
export function buildOcspResponse(options: BuildOcspResponseOptions): Uint8Array {
  const signer = TrustedCertificate.from(options.signer.certificate);
  const thisUpdate = options.thisUpdate ?? new Date();
  const nextUpdate = options.nextUpdate === undefined ? new Date(thisUpdate.getTime() + 3_600_000) : options.nextUpdate;
  const responderId =
    options.responderId === 'name'
      ? explicit(1, signer.subjectDer)
      : explicit(2, octetString(new Uint8Array(createHash('sha1').update(signer.publicKeyBits).digest())));
  const singles = options.responses.map((r) => {
    let status: Uint8Array;
    if (r.status.kind === 'good') status = tlv(0x80, new Uint8Array(0));
    else if (r.status.kind === 'unknown') status = tlv(0x82, new Uint8Array(0));
    else {
      const reason = r.status.reason === undefined ? [] : [explicit(0, enumerated(reasonCode(r.status.reason)))];
      status = tlv(0xa1, Buffer.concat([generalizedTime(r.status.revokedAt), ...reason]));
    }
    return sequence(
      r.certIdDer,
      status,
      generalizedTime(thisUpdate),
      ...(nextUpdate === null ? [] : [explicit(0, generalizedTime(nextUpdate))]),
    );
  });
  const extensions =
    options.nonce === undefined
      ? []
      : [explicit(1, sequence(sequence(objectIdentifier('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(options.nonce)))))];
  const tbs = sequence(responderId, generalizedTime(thisUpdate), sequence(...singles), ...extensions);
  const hash = options.hash ?? 'SHA-256';
  const { algorithm, signature } = signTbs(tbs, options.signer.privateKey, hash, options.corruptSignature === true);
  const isDelegate =
    options.issuerCertificate !== undefined &&
    !Buffer.from(options.issuerCertificate).equals(Buffer.from(options.signer.certificate));
  const includeCert = options.includeSignerCertificate ?? isDelegate;
  const basic = sequence(tbs, algorithm, signature, ...(includeCert ? [explicit(0, sequence(options.signer.certificate))] : []));
  return sequence(enumerated(0), explicit(0, sequence(objectIdentifier('1.3.6.1.5.5.7.48.1.1'), octetString(basic))));
}

/** An OCSPResponse with an error status and no body (e.g. 6 = unauthorized, 3 = tryLater). */
export function buildOcspErrorResponse(status: number): Uint8Array {
  return sequence(enumerated(status));
}

