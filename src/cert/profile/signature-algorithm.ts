/** The certificate's signature algorithm. */
export interface SignatureAlgorithmInfo {
  /** Signature algorithm OID in dotted form. */
  readonly oid: string;
  /** Common name such as `sha256WithRSAEncryption`, when known. */
  readonly name: string | undefined;
}

const NAMES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.3.101.112', 'Ed25519'],
]);

/** Names a signature algorithm OID. */
export function signatureAlgorithmOf(oid: string): SignatureAlgorithmInfo {
  return { oid, name: NAMES.get(oid) };
}
