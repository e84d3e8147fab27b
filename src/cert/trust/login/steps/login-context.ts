import type { ChallengeRecord, ChallengeStore } from '../challenge-store.js';
import type { CmsSignedData } from '../../verification/cms-signed-data.js';
import type { SignerContext, SignerSettings } from '../../verification/signer-context.js';
import type { CertificateProfile } from '../../../profile/index.js';
import type { CertificateCache } from '../../verification/certificate-cache.js';
import type { SignedLoginToken } from '../login-token.js';

export { need } from '../../verification/signer-context.js';

/** The login verifier's fixed configuration, as the steps see it. */
export interface LoginSettings extends SignerSettings {
  readonly challenges: ChallengeStore;
  readonly origins: ReadonlySet<string>;
  readonly allowLegacyCms: boolean;
  /** Signer certificates already decoded (parsing only; every check still runs). */
  readonly certificates: CertificateCache;
}

/** What the login steps learn, in order; later steps read what earlier ones set. */
export interface LoginContext extends SignerContext {
  readonly settings: LoginSettings;
  readonly sessionId: string;
  token?: SignedLoginToken;
  cms?: CmsSignedData;
  /** The signer certificate's profile, read once when the token is decoded. */
  profile?: CertificateProfile;
  /** The content whose bytes carry the login message. */
  content?: Uint8Array;
  origin?: string;
  challenge?: string;
  challengeRecord?: ChallengeRecord;
  cardNumber?: string;
  signingTime?: Date;
  randomNonce?: string;
}
