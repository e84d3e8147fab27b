import { createHash } from 'node:crypto';
import { namesEqual } from './name-equality.js';
import { RecencyMap } from '../../shared/recency-map.js';
import { certificateBlock, fromPemOrDer } from '../encoding/pem.js';
import { TrustedCertificate } from './trusted-certificate.js';
import { requireOptionsObject } from './options-argument.js';

/** Most extra certificates a store keeps decoded (see `TrustStore.DECODED_CACHE_SIZE`). */
const DECODED_KEPT = 64;

/** Certificates given as DER, PEM, or already decoded. */
export type CertificateInput = Uint8Array | string | TrustedCertificate;

/** What a {@link TrustStore} is built from. */
export interface TrustStoreOptions {
  /** Trust anchors (e.g. GRCA G1/G2/G3, or issuing CAs pinned directly). */
  anchors: Iterable<CertificateInput>;
  /** Untrusted intermediates offered for path building (issuing CAs, cross certificates). */
  intermediates?: Iterable<CertificateInput>;
}

/**
 * Trust anchors plus intermediates, indexed for issuer look-up.
 *
 * Issuers are found by key identifier first (the certificate's AKI equal to
 * the candidate's SKI) because MOICA G1, G2 and G3 share one subject DN and
 * GRCA G1/G2 share another: a name match alone would pick the wrong key.
 * Names are used only when either side lacks a key identifier.
 */
export class TrustStore {
  /** The anchors, de-duplicated. */
  public readonly anchors: readonly TrustedCertificate[];
  /** The intermediates, de-duplicated, anchors excluded. */
  public readonly intermediates: readonly TrustedCertificate[];
  private readonly anchorPrints: ReadonlySet<string>;
  /** Configured certificates plus recently decoded extras (CA certificates carried in CMS tokens), by fingerprint. */
  private readonly known = new Map<string, TrustedCertificate>();
  private readonly decoded = new RecencyMap<string, TrustedCertificate>(DECODED_KEPT);

  /**
   * @throws ChainValidationError `MALFORMED_CERTIFICATE` for any undecodable input.
   * @throws RangeError when `options`, or its `anchors` or `intermediates`, is not what it says.
   */
  public constructor(options: TrustStoreOptions) {
    requireOptionsObject(options, 'TrustStore', false);
    if (!isIterable(options.anchors)) throw new RangeError('TrustStore: options.anchors must be an iterable (an array) of certificates');
    if (options.intermediates !== undefined && !isIterable(options.intermediates)) {
      throw new RangeError('TrustStore: options.intermediates must be an iterable (an array) of certificates, or left out');
    }
    this.anchors = dedupe([...options.anchors].map(toTrusted));
    this.anchorPrints = new Set(this.anchors.map((a) => a.fingerprint));
    this.intermediates = dedupe([...(options.intermediates ?? [])].map(toTrusted)).filter(
      (c) => !this.anchorPrints.has(c.fingerprint),
    );
    for (const c of [...this.anchors, ...this.intermediates]) this.known.set(c.fingerprint, c);
  }

  /**
   * `input` decoded, reusing an already decoded certificate with the same
   * DER: a configured one, or one of about the last {@link TrustStore.DECODED_CACHE_SIZE}
   * used here. CMS login tokens carry the same CA certificates on every
   * login; hashing the DER costs far less than decoding it again.
   * @throws ChainValidationError `MALFORMED_CERTIFICATE` for undecodable input.
   */
  public resolve(input: CertificateInput): TrustedCertificate {
    if (input instanceof TrustedCertificate) return input;
    let der: Uint8Array;
    try {
      der = fromPemOrDer(input, certificateBlock);
    } catch {
      return TrustedCertificate.from(input); // reports the decoding problem as MALFORMED_CERTIFICATE
    }
    const print = createHash('sha256').update(der).digest('hex');
    const hit = this.known.get(print) ?? this.decoded.get(print);
    if (hit !== undefined) return hit;
    const cert = TrustedCertificate.from(der);
    this.decoded.set(print, cert);
    return cert;
  }

  /** Most extra certificates {@link TrustStore.resolve} keeps decoded. */
  public static readonly DECODED_CACHE_SIZE = DECODED_KEPT;

  /** Whether `cert` is one of the anchors (same DER). */
  public isAnchor(cert: TrustedCertificate): boolean {
    return this.anchorPrints.has(cert.fingerprint);
  }

  /** A store with the same anchors and more intermediates (e.g. from a CMS or a request). */
  public withIntermediates(extra: Iterable<CertificateInput>): TrustStore {
    return new TrustStore({ anchors: this.anchors, intermediates: [...this.intermediates, ...extra] });
  }

  /** Candidate issuers of `cert`, anchors first. */
  public issuersOf(cert: TrustedCertificate, extra: readonly TrustedCertificate[] = []): TrustedCertificate[] {
    const out: TrustedCertificate[] = [];
    for (const list of [this.anchors, this.intermediates, extra]) {
      for (const candidate of list) {
        if (couldHaveIssued(candidate, cert) && !out.some((c) => c.fingerprint === candidate.fingerprint)) {
          out.push(candidate);
        }
      }
    }
    return out;
  }
}

/**
 * Whether `issuer`'s key and name match what `cert` (or a CRL) says about its
 * issuer: the names always (RFC 5280 6.1.3 (a)(4), compared by
 * {@link namesEqual}), and the key identifiers too when both carry one (MOICA
 * G1/G2/G3 share a name). Path building uses the same rule (`IssuerMatcher`).
 */
export function couldHaveIssued(
  issuer: Pick<TrustedCertificate, 'subjectKeyId' | 'subjectDer'>,
  cert: Pick<TrustedCertificate, 'authorityKeyId' | 'issuerDer'>,
): boolean {
  if (cert.authorityKeyId !== undefined && issuer.subjectKeyId !== undefined && cert.authorityKeyId !== issuer.subjectKeyId) return false;
  return namesEqual(issuer.subjectDer, cert.issuerDer);
}

function toTrusted(input: CertificateInput): TrustedCertificate {
  return input instanceof TrustedCertificate ? input : TrustedCertificate.from(input);
}

function dedupe(certs: TrustedCertificate[]): TrustedCertificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.fingerprint) ? false : (seen.add(c.fingerprint), true)));
}

/** Whether `value` can be spread (`[...value]`). */
function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}
