import type { VerifiedLogin } from './login-verifier.js';

/**
 * Which objects a `LoginVerifier` returned. A `VerifiedLogin` is plain data
 * (a profile, DER bytes, strings), so an object of the same shape can be
 * built from anything — a certificate a client uploaded, a row, request
 * data — without any signature having been checked. Code that turns a login
 * into an identity (`cardHolderFromLogin`) asks here instead of trusting the
 * shape. A module-local set: nothing outside the package can add to it
 * (`import` and `require` of twpki give one module under Node's
 * `module-sync` condition, so both see the same marks).
 */
const VERIFIED_LOGINS = new WeakSet<object>();

/** Marks `login` as returned by a verification; internal to the login verifier (and the adapter's tests). */
export function markVerifiedLogin<T extends object>(login: T): T {
  VERIFIED_LOGINS.add(login);
  return login;
}

/**
 * Whether `value` is a result `LoginVerifier.verify` returned in this
 * process: the object itself, not a copy, a spread or one read back from
 * JSON or a store (those carry no proof that a signature was checked). To
 * carry a login's card holder from one request to the next, seal the holder
 * (`HolderSeal` in `twpki/enroll`) rather than keeping the login.
 */
export function isVerifiedLogin(value: unknown): value is VerifiedLogin {
  return typeof value === 'object' && value !== null && VERIFIED_LOGINS.has(value);
}
