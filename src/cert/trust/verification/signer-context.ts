import type { AlgorithmPolicy, DigestName, SignatureScheme } from '../algorithms.js';
import type { ChainValidator, ValidatedChain } from '../chain/chain-validator.js';
import type { RevocationChecker } from '../revocation/revocation-checker.js';
import type { RevocationStatus } from '../revocation/revocation-status.js';
import type { CertificateInput } from '../trust-store.js';
import type { TrustedCertificate } from '../trusted-certificate.js';

/** The configuration every signature verifier fixes at build time, as the shared steps see it. */
export interface SignerSettings {
  /** Chain validation to the configured anchors. */
  readonly chain: ChainValidator;
  /** Revocation checking, or `undefined` when explicitly disabled. */
  readonly revocation: RevocationChecker | undefined;
  /** Digests accepted for the signature. */
  readonly digests: AlgorithmPolicy;
  /** Smallest RSA modulus accepted. */
  readonly minRsaBits: number;
  /** Policy OIDs of which the signer certificate must carry one. */
  readonly allowedPolicies: ReadonlySet<string>;
  /**
   * Purposes of which a signer certificate with an extendedKeyUsage
   * extension must list one; a certificate without the extension passes.
   */
  readonly acceptedExtendedKeyUsages: ReadonlySet<string>;
  /** The clock. */
  readonly now: () => Date;
}

/** What the shared steps read and learn; each verifier's own context extends it. */
export interface SignerContext {
  /** The fixed configuration. */
  readonly settings: SignerSettings;
  /** The time the certificate checks are made at. */
  readonly at: Date;
  /**
   * The present, when the verification runs: revocation answers must be
   * current at it. The same as `at` for a login; earlier than it `at` is
   * for a document checked at the time it was received.
   */
  readonly present: Date;
  /** The signer certificate. */
  certificate?: TrustedCertificate;
  /** Untrusted certificates that came with the signature. */
  intermediates?: readonly CertificateInput[];
  /** The signature scheme. */
  scheme?: SignatureScheme;
  /** The signature's digest. */
  digest?: DigestName;
  /** The validated path, signer first. */
  chain?: ValidatedChain;
  /** The revocation answer. */
  revocationStatus?: RevocationStatus;
}

/** Reads a context field a previous step must have set (a programming error otherwise). */
export function need<T extends object, K extends keyof T>(ctx: T, key: K): NonNullable<T[K]> {
  const v = ctx[key];
  if (v === undefined || v === null) throw new Error(`verification step order broken: ${String(key)} not set`);
  return v as NonNullable<T[K]>;
}
