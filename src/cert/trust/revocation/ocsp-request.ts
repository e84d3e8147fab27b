import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { integerContentOfHex } from '../../../shared/der/der-values.js';
import { digestOid, nodeDigestName, type DigestName } from '../algorithms.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/** OID of the OCSP nonce extension (RFC 8954). */
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** The identity OCSP uses for a certificate (RFC 6960 CertID), kept as raw values for matching. */
export interface OcspCertId {
  /** Digest used for the two hashes. */
  readonly digest: DigestName;
  /** Digest of the issuer's subject Name DER. */
  readonly issuerNameHash: Uint8Array;
  /** Digest of the issuer's subjectPublicKey bits. */
  readonly issuerKeyHash: Uint8Array;
  /** Serial as `TrustedCertificate.serialHex` spells it; the request carries that value (a negative one as negative). */
  readonly serialHex: string;
}

/** An encoded request and what is needed to match its answer. */
export interface OcspRequestBundle {
  /** DER OCSPRequest. */
  readonly der: Uint8Array;
  /** The CertID asked about. */
  readonly certId: OcspCertId;
  /** The nonce sent, when one was. */
  readonly nonce: Uint8Array | undefined;
}

/** Computes the CertID of `cert` issued by `issuer`. SHA-1 is what RFC 6960 responders universally index by. */
export function ocspCertId(cert: TrustedCertificate, issuer: TrustedCertificate, digest: DigestName = 'SHA-1'): OcspCertId {
  const h = (data: Uint8Array): Uint8Array => new Uint8Array(createHash(nodeDigestName(digest)).update(data).digest());
  return {
    digest,
    issuerNameHash: h(issuer.subjectDer),
    issuerKeyHash: h(issuer.publicKeyBits),
    serialHex: cert.serialHex,
  };
}

/** Builds a DER OCSP request for one certificate, with a fresh 32-byte nonce unless `nonce` is false. */
export function buildOcspRequest(
  cert: TrustedCertificate,
  issuer: TrustedCertificate,
  options: { nonce?: boolean } = {},
): OcspRequestBundle {
  const certId = ocspCertId(cert, issuer);
  const reqCert = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: digestOid(certId.digest), algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: certId.issuerNameHash }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: certId.issuerKeyHash }),
    serialNumber: new asn1js.Integer({ valueHex: integerContentOfHex(certId.serialHex) }),
  });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert })];
  let nonce: Uint8Array | undefined;
  if (options.nonce !== false) {
    nonce = new Uint8Array(randomBytes(32));
    request.tbsRequest.requestExtensions = [
      new pkijs.Extension({
        extnID: OID_OCSP_NONCE,
        extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER(false),
      }),
    ];
  }
  const der = new Uint8Array(request.toSchema(true).toBER(false));
  return { der, certId, nonce };
}
