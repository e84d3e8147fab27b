import { freshBytes } from '../../../shared/bytes.js';

/** Size of the shared buffer; a longer signature is decoded into memory of its own. */
const TRANSIENT_BYTES = 32 * 1024;

let shared: Uint8Array | undefined;
let used = 0;

/** Starts a login's use of the shared buffer: what the previous login took is given out again. */
export function beginTransient(): void {
  used = 0;
}

/**
 * `length` bytes of the one buffer every login decodes its token's signature
 * (and copies its CMS signed attributes) into, reused from one login to the
 * next; fresh memory once a login has used its 32 KB.
 *
 * A decoded signature (a CMS with its certificate: about 2 KB) is read only
 * by the synchronous steps at the start of a login: token format,
 * algorithms, signature, signed data. What they hand on is a string, a
 * `Date` or a copy (certificates are decoded from copies, see
 * `CertificateCache`). Fresh memory for it on every login cost about a
 * microsecond more than the decoding itself (measured: it is not yet in the
 * CPU's cache), while this buffer stays there. JavaScript runs one login's
 * synchronous steps to their end before another login's begin, so the
 * buffer belongs to one login at a time (from its {@link beginTransient}),
 * provided the verifier drops every view of it before its first await
 * (`LoginVerifier.verify` does, and a test interleaves two logins at that
 * await).
 */
export function transientBytes(length: number): Uint8Array {
  if (used + length > TRANSIENT_BYTES) return freshBytes(length);
  shared ??= new Uint8Array(TRANSIENT_BYTES);
  const view = shared.subarray(used, used + length);
  used += length;
  return view;
}
