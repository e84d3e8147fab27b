import { createHash, KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extensionListOf } from '../../shared/der/der-extensions.js';
import { childrenOf, contentOf, encodingOf, expectTag, readRoot } from '../../shared/der/der-reader.js';
import { integerContentOfHex, integerHex } from '../../shared/der/der-values.js';
import { isSerialHex } from '../check-input.js';
import { TrustedCertificate } from '../../cert/trust/trusted-certificate.js';
import { reasonCode } from '../../cert/trust/revocation/revocation-status.js';
import { TestPkiError } from '../pki/errors.js';
import { buildOcspErrorResponse, buildOcspResponse, type TestOcspStatus } from './ocsp-response-builder.js';
import type { TestSignatureHash } from './signing.js';

/** A certificate with its private key (what the test PKI issues). */
export interface KeyedCertificate {
  /** DER certificate. */
  readonly certificate: Uint8Array;
  /** Its private key. */
  readonly privateKey: KeyObject;
}

/** How the OCSP side answers; change it between requests to simulate faults. */
export interface OcspBehaviour {
  /** thisUpdate/producedAt; default the server clock. */
  thisUpdate?: Date;
  /** nextUpdate; default thisUpdate + 1 h; `null` omits it. */
  nextUpdate?: Date | null;
  /** Echo the request nonce; default true. */
  echoNonce: boolean;
  /** Sign, then break the signature. */
  corruptSignature: boolean;
  /** Sign with this certificate and key instead of the authority's responder (e.g. an unauthorized one). */
  signWith?: KeyedCertificate;
  /** Answer with this OCSPResponseStatus instead (e.g. 3 tryLater, 6 unauthorized). */
  errorStatus?: number;
  /** Answer with this HTTP status and an empty body. */
  httpStatus?: number;
  /** Status of serials no one set; default `good`. */
  defaultStatus: TestOcspStatus;
  /** Signature hash; default SHA-256. */
  hash: TestSignatureHash;
  /** responderID form; default `key`. */
  responderId: 'name' | 'key';
}

interface Authority {
  readonly ca: KeyedCertificate;
  readonly parsed: TrustedCertificate;
  readonly responder: KeyedCertificate;
}

/**
 * A local OCSP responder and CRL server on 127.0.0.1 for tests and
 * integration harnesses: `POST <ocspUrl>` answers RFC 6960 requests for the
 * authorities added to it (a request it cannot read, its extensions read
 * as twpki reads them, is answered malformedRequest); `GET
 * <crlBaseUrl>/<name>` serves published CRLs.
 * Start it before issuing test certificates so their AIA/CDP URLs point here.
 */
export class LocalRevocationServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  public readonly url: string;
  /** The OCSP endpoint. */
  public readonly ocspUrl: string;
  /** Prefix of CRL URLs (`<crlBaseUrl>/<name>`). */
  public readonly crlBaseUrl: string;
  /** Fault injection and freshness settings of OCSP answers. */
  public readonly ocsp: OcspBehaviour = {
    echoNonce: true,
    corruptSignature: false,
    defaultStatus: { kind: 'good' },
    hash: 'SHA-256',
    responderId: 'key',
  };
  /** Requests served, by kind. */
  public readonly hits = {
    /** POSTs to `/ocsp` received, answered or not. */
    ocsp: 0,
    /** GETs under `/crl/` received, including 404s. */
    crl: 0,
  };

  private readonly authorities: Authority[] = [];
  // One table for every authority, added before or after a status is set: a harness that sets a card's status
  // first and adds its CA afterwards must not see the status dropped (and the login let in as `good`).
  private readonly statuses = new Map<string, TestOcspStatus>();
  private readonly crls = new Map<string, Uint8Array>();

  private constructor(private readonly server: Server) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.ocspUrl = `${this.url}/ocsp`;
    this.crlBaseUrl = `${this.url}/crl`;
  }

  /** Starts a server on an ephemeral loopback port. */
  public static async start(): Promise<LocalRevocationServer> {
    let self: LocalRevocationServer | undefined;
    const server = createServer((req, res) => {
      if (self === undefined) {
        res.writeHead(503).end();
        return;
      }
      self.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new LocalRevocationServer(server);
    return self;
  }

  /**
   * Serves OCSP for certificates issued by `ca`. The responder signs as the
   * CA itself unless `responder` (a delegated responder certificate with
   * id-kp-OCSPSigning) is given.
   * @throws TestPkiError `BAD_OPTIONS` when `ca` or `responder` is not a certificate with its key.
   */
  public addAuthority(ca: KeyedCertificate, responder?: KeyedCertificate): void {
    checkKeyed('ca', ca);
    if (responder !== undefined) checkKeyed('responder', responder);
    this.authorities.push({ ca, parsed: TrustedCertificate.from(ca.certificate), responder: responder ?? ca });
  }

  /**
   * Sets what OCSP reports for a serial (hex, any case, after a `-` for a negative one; the certificate's
   * `TrustedCertificate.serialHex`) of
   * any authority, added before or after.
   * @throws TestPkiError `BAD_OPTIONS` naming the argument (a serial that is not hex, a status without `revokedAt`, …).
   */
  public setStatus(serialHex: string, status: TestOcspStatus): void {
    this.statuses.set(canonicalSerial(checkedSerial(serialHex)), checkedStatus(status));
  }

  /**
   * Publishes (or replaces) `<crlBaseUrl>/<name>`; returns its URL. `name` is the last part of the URL
   * (`moica.crl`), or the whole URL under {@link LocalRevocationServer.crlBaseUrl} (`pki.crlUrl('moica')`).
   * @throws TestPkiError `BAD_OPTIONS` for another URL, a name with `/`, or a CRL that is not bytes.
   */
  public publishCrl(name: string, der: Uint8Array): string {
    const prefix = `${this.crlBaseUrl}/`;
    const file = typeof name === 'string' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
    if (typeof file !== 'string' || file === '' || file.includes('/')) {
      throw new TestPkiError(
        'BAD_OPTIONS',
        `publishCrl: name must be a file name such as "moica.crl" (served as ${prefix}moica.crl) or a URL under ${prefix}, not ${JSON.stringify(name)}` +
          ' (a test PKI made with this server\'s crlBaseUrl gives it as pki.crlUrl(authority))',
      );
    }
    if (!(der instanceof Uint8Array)) throw new TestPkiError('BAD_OPTIONS', 'publishCrl: der must be the CRL as DER bytes (a Uint8Array, as buildCrl returns it)');
    this.crls.set(file, der);
    return `${prefix}${file}`;
  }

  /** Stops the server. */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path.startsWith('/crl/') && req.method === 'GET') {
      this.hits.crl++;
      const der = this.crls.get(decodeURIComponent(path.slice(5)));
      if (der === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': der.length }).end(der);
      return;
    }
    if (path === '/ocsp' && req.method === 'POST') {
      this.hits.ocsp++;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = this.answerOcsp(new Uint8Array(Buffer.concat(chunks)));
      if (body === undefined) {
        res.writeHead(this.ocsp.httpStatus ?? 500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': body.length }).end(body);
      return;
    }
    res.writeHead(404).end();
  }

  private answerOcsp(requestDer: Uint8Array): Uint8Array | undefined {
    const b = this.ocsp;
    if (b.httpStatus !== undefined) return undefined;
    if (b.errorStatus !== undefined) return buildOcspErrorResponse(b.errorStatus);
    let parsed: ReturnType<typeof parseOcspRequest>;
    try {
      parsed = parseOcspRequest(requestDer);
    } catch {
      return buildOcspErrorResponse(1); // malformedRequest
    }
    const first = parsed.certIds[0];
    const authority = first && this.authorities.find((a) => keyHashMatches(a.parsed, first.keyHash));
    if (first === undefined || authority === undefined) return buildOcspErrorResponse(6); // unauthorized
    const signer = b.signWith ?? authority.responder;
    return buildOcspResponse({
      signer,
      issuerCertificate: authority.ca.certificate,
      responderId: b.responderId,
      responses: parsed.certIds.map((id) => ({
        certIdDer: id.der,
        status: this.statuses.get(id.serialHex) ?? b.defaultStatus,
      })),
      thisUpdate: b.thisUpdate ?? new Date(),
      ...(b.nextUpdate === undefined ? {} : { nextUpdate: b.nextUpdate }),
      ...(b.echoNonce && parsed.nonce !== undefined ? { nonce: parsed.nonce } : {}),
      hash: b.hash,
      corruptSignature: b.corruptSignature,
    });
  }
}

function checkKeyed(name: string, value: unknown): void {
  const v = value as Partial<KeyedCertificate> | undefined;
  if (!(v?.certificate instanceof Uint8Array) || !(v.privateKey instanceof KeyObject) || v.privateKey.type !== 'private') {
    throw new TestPkiError(
      'BAD_OPTIONS',
      `addAuthority: ${name} must be a certificate with its private key, as pki.issuer('moica') returns it (not only its .certificate)`,
    );
  }
}

function checkedSerial(serialHex: unknown): string {
  if (!isSerialHex(serialHex)) {
    throw new TestPkiError(
      'BAD_OPTIONS',
      `setStatus: serialHex must be the certificate's serial in hex digits, after a - for a negative one (TrustedCertificate.from(der).serialHex from twpki/cert), not ${typeof serialHex === 'string' ? JSON.stringify(serialHex) : typeof serialHex}`,
    );
  }
  return serialHex;
}

function checkedStatus(status: unknown): TestOcspStatus {
  const s = status as { kind?: unknown; revokedAt?: unknown; reason?: unknown } | undefined;
  const bad = (why: string): never => {
    throw new TestPkiError('BAD_OPTIONS', `setStatus: status ${why}`);
  };
  if (s?.kind === 'good' || s?.kind === 'unknown') return s as TestOcspStatus;
  // A suspension (停用) is a revocation with reason certificateHold; a resumption is `good` again.
  if (s?.kind !== 'revoked') return bad(`kind must be 'good', 'revoked' or 'unknown' (a suspension is { kind: 'revoked', revokedAt, reason: 'certificateHold' }), not ${JSON.stringify(s?.kind)}`);
  if (!(s.revokedAt instanceof Date) || Number.isNaN(s.revokedAt.getTime())) bad('revokedAt must be a valid Date for kind revoked');
  if (s.reason !== undefined && (typeof s.reason !== 'string' || reasonCode(s.reason as never) < 0)) bad(`reason ${JSON.stringify(s.reason)} is not a revocation reason (such as 'keyCompromise' or 'certificateHold')`);
  return s as TestOcspStatus;
}

/** The library's one spelling of the value `hex` spells (`integerHex`), as a request's CertID is read. */
function canonicalSerial(hex: string): string {
  return integerHex(integerContentOfHex(hex));
}

function keyHashMatches(ca: TrustedCertificate, keyHash: Uint8Array): boolean {
  const algorithm = keyHash.length === 20 ? 'sha1' : keyHash.length === 32 ? 'sha256' : undefined;
  return algorithm !== undefined && createHash(algorithm).update(ca.publicKeyBits).digest().equals(Buffer.from(keyHash));
}

/** id-pkix-ocsp-nonce (RFC 8954). */
const OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/**
 * The parts of an OCSPRequest (RFC 6960 4.1.1) the responder answers from.
 * Its extensions (requestExtensions `[2]`, each Request's
 * singleRequestExtensions `[0]`) are read by the library's one Extension
 * reader, so the kit and the library agree on what an Extension is: a
 * malformed one, an extnID twice in a list (two nonces: which one is
 * echoed?), an empty list, or a wrapper holding more than the list throws,
 * and the request is answered malformedRequest, as a responder answers a
 * request it cannot read.
 * @throws DerError or Error when the request is malformed.
 */
function parseOcspRequest(der: Uint8Array): {
  certIds: { der: Uint8Array; keyHash: Uint8Array; serialHex: string }[];
  nonce: Uint8Array | undefined;
} {
  const [tbsEl] = childrenOf(expectTag(readRoot(der), 0x30, 'OCSPRequest'));
  const fields = childrenOf(expectTag(tbsEl, 0x30, 'TBSRequest'));
  const list = fields.find((f) => f.tag === 0x30);
  if (list === undefined) throw new Error('no requestList');
  const certIds = childrenOf(list).map((r) => {
    const [idNode, singleExtensions, ...rest] = childrenOf(expectTag(r, 0x30, 'Request'));
    const idEl = expectTag(idNode, 0x30, 'CertID');
    if (singleExtensions !== undefined) {
      extensionListOf(expectTag(singleExtensions, 0xa0, 'singleRequestExtensions'), 'singleRequestExtensions [0]', 'singleRequestExtensions', 'single request extension');
    }
    if (rest.length > 0) throw new Error('Request has an element after singleRequestExtensions');
    const parts = childrenOf(idEl);
    return {
      der: encodingOf(idEl),
      keyHash: contentOf(expectTag(parts[2], 0x04, 'issuerKeyHash')),
      serialHex: integerHex(contentOf(expectTag(parts[3], 0x02, 'serialNumber'))),
    };
  });
  let nonce: Uint8Array | undefined;
  const extsEl = fields.find((f) => f.tag === 0xa2);
  if (extsEl !== undefined) {
    for (const ext of extensionListOf(extsEl, 'requestExtensions [2]', 'requestExtensions', 'request extension')) {
      if (ext.oid !== OCSP_NONCE) continue;
      // RFC 8954 wraps the nonce in an OCTET STRING, echoed unwrapped; any other one DER element is echoed whole.
      const inner = readRoot(ext.value);
      nonce = inner.tag === 0x04 ? contentOf(inner) : ext.value;
    }
  }
  return { certIds, nonce };
}
