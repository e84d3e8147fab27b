import type { CertificateProfile } from '../../profile/index.js';
import type { RevocationStatus } from '../revocation/revocation-status.js';
import type { VerifiedLogin } from './login-verifier.js';

/**
 * Which objects a `LoginVerifier` returned. A `VerifiedLogin` is plain data
 * (a profile, DER bytes, strings), so an object of the same shape can be
 * built from anything — a certificate a client uploaded, a row, request
 * data — without any signature having been checked. Code that turns a login
 * into an identity (`cardHolderFromLogin`) asks here instead of trusting the
 * shape.
 *
 * The verifier's results are instances of a class no other module can make,
 * told apart by a private field: nothing outside the package can forge one,
 * and the check costs no table (a `WeakSet` cost about 0.2 µs per login to
 * add to, and its entries work for the garbage collector). `import` and
 * `require` of twpki give one module under Node's `module-sync` condition,
 * so both see the same class.
 */
class IssuedLogin implements VerifiedLogin {
  readonly #issued = true;
  public readonly profile: CertificateProfile;
  public readonly certificate: Uint8Array;
  public readonly chain: readonly Uint8Array[];
  public readonly cardNumber: string | undefined;
  public readonly reportedCardNumber: string | undefined;
  public readonly signingTime: Date | undefined;
  public readonly randomNonce: string | undefined;
  public readonly origin: string;
  public readonly sessionId: string;
  public readonly revocation: RevocationStatus | undefined;

  public constructor(login: VerifiedLogin) {
    this.profile = login.profile;
    this.certificate = login.certificate;
    this.chain = login.chain;
    this.cardNumber = login.cardNumber;
    this.reportedCardNumber = login.reportedCardNumber;
    this.signingTime = login.signingTime;
    this.randomNonce = login.randomNonce;
    this.origin = login.origin;
    this.sessionId = login.sessionId;
    this.revocation = login.revocation;
  }

  /** Whether `value` was made by this class (not a copy of one). */
  public static made(value: object): boolean {
    return #issued in value && (value as IssuedLogin).#issued;
  }
}

/** `login` as the verifier returns it, marked; internal to the login verifier (and the adapter's tests). */
export function markVerifiedLogin(login: VerifiedLogin): VerifiedLogin {
  return new IssuedLogin(login);
}

/**
 * Whether `value` is a result `LoginVerifier.verify` returned: the object
 * itself, not a copy, a spread or one read back from JSON or a store (those
 * carry no proof that a signature was checked). To carry a login's card
 * holder from one request to the next, seal the holder (`HolderSeal` in
 * `twpki/enroll`) rather than keeping the login.
 */
export function isVerifiedLogin(value: unknown): value is VerifiedLogin {
  return typeof value === 'object' && value !== null && IssuedLogin.made(value);
}
