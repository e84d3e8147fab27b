import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { describeValue } from '../../shared/describe-value.js';

/** The smallest RSA modulus any verifier may be configured to accept, and the least a delegated OCSP responder's key may have. */
export const MIN_RSA_BITS_FLOOR = 2048;

/** Digest algorithms twpki knows, by their WebCrypto-style names. */
export type DigestName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Every {@link DigestName}, in order of strength. */
export const DIGEST_NAMES: readonly DigestName[] = Object.freeze(['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512']);

/** Whether `value` is one of the {@link DIGEST_NAMES}, exactly as written there. */
export function isDigestName(value: unknown): value is DigestName {
  return typeof value === 'string' && (DIGEST_NAMES as readonly string[]).includes(value);
}

/**
 * Why `value` is not a digest name, for a configuration error; `undefined`
 * when it is one. Another spelling of a known digest (`sha256`, `SHA256`) is
 * refused with the name to write instead, never taken as that digest.
 */
export function digestNameProblem(value: unknown): string | undefined {
  if (isDigestName(value)) return undefined;
  const accepted = `accepted: ${DIGEST_NAMES.join(', ')}`;
  if (typeof value !== 'string') return `${describeValue(value)} is not a digest name (${accepted})`;
  const meant = DIGEST_NAMES.find((name) => name.replace('-', '') === value.toUpperCase().replace(/[-_ ]/g, ''));
  if (meant !== undefined) return `${describeValue(value)} is not a digest name: write '${meant}' (${accepted})`;
  return `${describeValue(value)} is not a digest twpki verifies (${accepted})`;
}

/** Signature schemes twpki verifies; RSASSA-PSS is not used by HiCOS cards or GRCA. */
export type SignatureScheme = 'RSA-PKCS1-v1_5' | 'ECDSA';

/** A signature algorithm resolved from its OID. */
export interface SignatureAlgorithm {
  /** The scheme. */
  readonly scheme: SignatureScheme;
  /** The digest, or `undefined` for bare `rsaEncryption` (digest given elsewhere, as in CMS). */
  readonly digest: DigestName | undefined;
  /** The OID it was resolved from. */
  readonly oid: string;
}

const DIGEST_BY_OID: ReadonlyMap<string, DigestName> = new Map([
  ['1.3.14.3.2.26', 'SHA-1'],
  ['2.16.840.1.101.3.4.2.4', 'SHA-224'],
  ['2.16.840.1.101.3.4.2.1', 'SHA-256'],
  ['2.16.840.1.101.3.4.2.2', 'SHA-384'],
  ['2.16.840.1.101.3.4.2.3', 'SHA-512'],
]);

const SIGNATURE_PARTS: readonly (readonly [string, Omit<SignatureAlgorithm, 'oid'>])[] = [
  ['1.2.840.113549.1.1.1', { scheme: 'RSA-PKCS1-v1_5', digest: undefined }],
  ['1.2.840.113549.1.1.5', { scheme: 'RSA-PKCS1-v1_5', digest: 'SHA-1' }],
  ['1.2.840.113549.1.1.14', { scheme: 'RSA-PKCS1-v1_5', digest: 'SHA-224' }],
  ['1.2.840.113549.1.1.11', { scheme: 'RSA-PKCS1-v1_5', digest: 'SHA-256' }],
  ['1.2.840.113549.1.1.12', { scheme: 'RSA-PKCS1-v1_5', digest: 'SHA-384' }],
  ['1.2.840.113549.1.1.13', { scheme: 'RSA-PKCS1-v1_5', digest: 'SHA-512' }],
  ['1.2.840.10045.4.1', { scheme: 'ECDSA', digest: 'SHA-1' }],
  ['1.2.840.10045.4.3.2', { scheme: 'ECDSA', digest: 'SHA-256' }],
  ['1.2.840.10045.4.3.3', { scheme: 'ECDSA', digest: 'SHA-384' }],
  ['1.2.840.10045.4.3.4', { scheme: 'ECDSA', digest: 'SHA-512' }],
];

// One frozen object per OID, built once: resolving runs for every certificate of every validation.
const SIGNATURE_BY_OID: ReadonlyMap<string, SignatureAlgorithm> = new Map(
  SIGNATURE_PARTS.map(([oid, parts]) => [oid, Object.freeze({ ...parts, oid })]),
);

/** OID of a digest name (the inverse of {@link digestFromOid}). */
export function digestOid(name: DigestName): string {
  for (const [oid, n] of DIGEST_BY_OID) if (n === name) return oid;
  /* c8 ignore next */
  throw new RangeError(`no OID for ${name}`);
}

/** Resolves a digest OID, or `undefined` when it is not one twpki knows. */
export function digestFromOid(oid: string): DigestName | undefined {
  return DIGEST_BY_OID.get(oid);
}

/** Resolves a signature algorithm OID, or `undefined` when it is not one twpki knows. */
export function signatureAlgorithmFromOid(oid: string): SignatureAlgorithm | undefined {
  return SIGNATURE_BY_OID.get(oid);
}

/** Node's name for a digest (`sha256`), for `node:crypto`. */
export function nodeDigestName(name: DigestName): string {
  return NODE_DIGEST_NAMES[name];
}

const NODE_DIGEST_NAMES: Readonly<Record<DigestName, string>> = {
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * Which digests a verifier accepts. SHA-1 is refused unless asked for,
 * because collisions are practical; GRCA G1 and MOICA G1 still use it, so
 * chain validation allows it on CA certificates only by default.
 */
export class AlgorithmPolicy {
  private readonly allowed: ReadonlySet<DigestName>;

  /**
   * @param allowed digests to accept.
   * @throws RangeError for a value that is not one of the digest names (`SHA-1`, `SHA-224`, `SHA-256`,
   * `SHA-384`, `SHA-512`): an unknown name would match no signature, and every check would fail.
   */
  public constructor(allowed: Iterable<DigestName>) {
    this.allowed = new Set(allowed);
    for (const digest of this.allowed) {
      const problem = digestNameProblem(digest);
      if (problem !== undefined) throw new RangeError(`AlgorithmPolicy: ${problem}`);
    }
  }

  /** SHA-256, SHA-384 and SHA-512. */
  public static modern(): AlgorithmPolicy {
    return new AlgorithmPolicy(['SHA-256', 'SHA-384', 'SHA-512']);
  }

  /** The modern digests plus SHA-1, for legacy data and G1 certificates. */
  public static withSha1(): AlgorithmPolicy {
    return new AlgorithmPolicy(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);
  }

  /** Whether `digest` is accepted. */
  public allows(digest: DigestName): boolean {
    return this.allowed.has(digest);
  }

  /** The accepted digests, for messages and JSON. */
  public list(): DigestName[] {
    return [...this.allowed];
  }
}

/**
 * {@link verifyWith} under the key of `signer` (a certificate): a key Node
 * cannot load verifies nothing, so the answer is `false`, never the crypto
 * library's own error. A CA can sign a certificate whose key is malformed;
 * the key is loaded only when it is first used, which for a delegated OCSP
 * responder or a CRL issuer is here.
 */
export function verifiesUnderKeyOf(
  signer: { publicKey(): KeyObject },
  scheme: SignatureScheme,
  digest: DigestName,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  let key: KeyObject;
  try {
    key = signer.publicKey();
  } catch {
    return false;
  }
  return verifyWith(key, scheme, digest, data, signature);
}

/**
 * Verifies `signature` over `data`. `key` is a KeyObject or a DER
 * SubjectPublicKeyInfo. Returns false (never throws) for a signature that
 * does not verify, including one malformed for the key.
 */
export function verifyWith(
  key: KeyObject | Uint8Array,
  scheme: SignatureScheme,
  digest: DigestName,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const publicKey = key instanceof Uint8Array ? createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' }) : key;
    const expectedType = scheme === 'ECDSA' ? 'ec' : 'rsa';
    if (publicKey.asymmetricKeyType !== expectedType) return false;
    return cryptoVerify(nodeDigestName(digest), data, publicKey, signature);
  } catch {
    return false;
  }
}
