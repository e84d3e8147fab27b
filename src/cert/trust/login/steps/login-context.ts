import type { AlgorithmPolicy, DigestName, SignatureScheme } from '../../algorithms.js';
import type { ChainValidator, ValidatedChain } from '../../chain/chain-validator.js';
import type { RevocationChecker } from '../../revocation/revocation-checker.js';
import type { RevocationStatus } from '../../revocation/revocation-status.js';
import type { TrustedCertificate } from '../../trusted-certificate.js';
import type { ChallengeRecord, ChallengeStore } from '../challenge-store.js';
import type { CmsSignedData } from '../cms-signed-data.js';
import type { DecodedLoginToken } from '../login-token.js';

/** The verifier's fixed configuration, as the steps see it. */
export interface LoginSettings {
  readonly chain: ChainValidator;
  readonly revocation: RevocationChecker | undefined;
  readonly challenges: ChallengeStore;
  readonly origins: ReadonlySet<string>;
  readonly digests: AlgorithmPolicy;
  readonly allowLegacyCms: boolean;
  readonly minRsaBits: number;
  readonly allowedPolicies: ReadonlySet<string>;
  readonly now: () => Date;
}

/** What the steps learn, in order; later steps read what earlier ones set. */
export interface LoginContext {
  readonly settings: LoginSettings;
  readonly sessionId: string;
  readonly at: Date;
  token?: DecodedLoginToken;
  cms?: CmsSignedData;
  certificate?: TrustedCertificate;
  intermediates?: readonly Uint8Array[];
  scheme?: SignatureScheme;
  digest?: DigestName;
  /** The content whose bytes carry the login message. */
  content?: Uint8Array;
  origin?: string;
  challenge?: string;
  challengeRecord?: ChallengeRecord;
  cardNumber?: string;
  signingTime?: Date;
  randomNonce?: string;
  chain?: ValidatedChain;
  revocationStatus?: RevocationStatus;
}

/** Reads a context field a previous step must have set (a programming error otherwise). */
export function need<K extends keyof LoginContext>(ctx: LoginContext, key: K): NonNullable<LoginContext[K]> {
  const v = ctx[key];
  if (v === undefined || v === null) throw new Error(`login step order broken: ${String(key)} not set`);
  return v as NonNullable<LoginContext[K]>;
}
