import { bufferOf } from '../../../shared/bytes.js';
import { RecencyMap } from '../../../shared/recency-map.js';
import { TrustedCertificate } from '../trusted-certificate.js';

/** Most signer certificates a verifier keeps decoded, by default. */
export const DEFAULT_CERTIFICATE_CACHE_SIZE = 1000;

/**
 * Longest key (base64 text or DER octets) the cache keeps: real card
 * certificates are 1.2–2 KB, so 16 K bounds the cache's memory to about
 * 16 MB per key kind at the default size whatever a client posts.
 */
const MAX_KEY_CHARS = 16 * 1024;

/**
 * Signer certificates already decoded, keyed by their exact encoding.
 *
 * A card holder logs in again and again with the same certificate, and
 * decoding it (the DER walk, the profile with its names and GPKI
 * attributes, the key import) costs several RSA verifications' worth. The
 * same bytes always decode to the same `TrustedCertificate`, so only the
 * parsing is reused: the signatures, validity at the verification time,
 * chain rules, revocation, key usage and policy are judged on every use.
 * Keys are the whole encoding, never a serial number or a hash prefix, so a
 * different certificate with the same serial is another entry. Base64 text
 * and DER octets are kept apart, each up to `capacity` entries; about the
 * least recently used entry goes when one is full (see `RecencyMap`); a key
 * longer than 16 K characters is not kept.
 */
export class CertificateCache {
  // Two maps, so base64 text and DER octets never meet as keys. Each is keyed
  // by the encoding's last characters (the certificate's own signature, which
  // no two certificates share), and a hit counts only when the whole stored
  // encoding equals the given one: hashing a short tail per lookup instead of
  // ~2 KB, while equality is still judged on every byte.
  private readonly byText: RecencyMap<string, Entry<string>>;
  private readonly byDer: RecencyMap<string, Entry<Uint8Array>>;

  /**
   * @param capacity most certificates kept of each key kind (base64 text, DER); `0` keeps none.
   * @throws RangeError when `capacity` is not a non-negative integer.
   */
  public constructor(public readonly capacity = DEFAULT_CERTIFICATE_CACHE_SIZE) {
    // Checked by the maps (`RecencyMap`): `NaN` compared false with every size, and the cache kept every certificate.
    this.byText = new RecencyMap(capacity);
    this.byDer = new RecencyMap(capacity);
  }

  /** Number of certificates held. */
  public get size(): number {
    return this.byText.size + this.byDer.size;
  }

  /**
   * The certificate whose base64 text is exactly `text`, or `decode(text)`
   * (kept for next time when it returns).
   */
  public fromBase64(text: string, decode: (text: string) => TrustedCertificate): TrustedCertificate {
    if (this.capacity === 0 || text.length > MAX_KEY_CHARS) return decode(text);
    // The hit written out (no callbacks made per look-up): this runs on every login.
    const key = text.slice(-TAIL);
    const found = this.byText.get(key);
    if (found !== undefined && found.encoding === text) return found.cert;
    const cert = decode(text);
    this.byText.set(key, { encoding: text, cert });
    return cert;
  }

  /**
   * The certificate whose DER is exactly `der`, decoded with
   * `TrustedCertificate.from` on a miss, always from a private copy (the
   * certificate does not keep the caller's larger buffer alive, share it,
   * or change when the caller reuses it), also when nothing is kept.
   * @throws ChainValidationError `MALFORMED_CERTIFICATE` as `TrustedCertificate.from`.
   */
  public fromDer(der: Uint8Array): TrustedCertificate {
    // Always from a copy: `der` may lie in a buffer its owner reuses (a login's decoded signature).
    if (this.capacity === 0 || der.length > MAX_KEY_CHARS) return TrustedCertificate.from(der.slice());
    const view = bufferOf(der);
    const tail = view.toString('latin1', Math.max(0, der.length - TAIL));
    return this.lookup(this.byDer, tail, der, (_given, stored) => view.equals(stored), () => {
      const cert = TrustedCertificate.from(der.slice());
      return { encoding: cert.der, cert };
    });
  }

  /** Drops every certificate. */
  public clear(): void {
    this.byText.clear();
    this.byDer.clear();
  }

  private lookup<E>(
    map: RecencyMap<string, Entry<E>>,
    key: string,
    encoding: E,
    same: (given: E, stored: E) => boolean,
    decode: () => Entry<E>,
  ): TrustedCertificate {
    const found = map.get(key);
    if (found !== undefined && same(encoding, found.encoding)) return found.cert;
    // A miss, or another certificate ending the same way: the newer one takes the slot.
    const entry = decode();
    map.set(key, entry);
    return entry.cert;
  }
}

/** Characters (or octets) of an encoding's end used as the map key. */
const TAIL = 64;

/** A cached certificate with the exact encoding it was decoded from. */
interface Entry<E> {
  readonly encoding: E;
  readonly cert: TrustedCertificate;
}
