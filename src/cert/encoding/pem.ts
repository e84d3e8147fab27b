/**
 * The one PEM and base64 decoder of the certificate layer (profiles, trust,
 * login tokens, signed documents). Everything here runs in time linear in
 * the input: markers are found in one left-to-right scan and paired as they
 * come, where a backtracking `BEGIN(.*?)END` pattern costs quadratic time on
 * input full of unmatched BEGIN lines (a 1 MiB one took 37 s).
 */

import { bufferOf, freshBytes, viewOf } from '../../shared/bytes.js';

/** One PEM block: its label and its base64 body (whitespace not yet removed). */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PKCS7`, `CMS`. */
  readonly label: string;
  /** The text between the BEGIN and END lines. */
  readonly body: string;
}

// A label as RFC 7468 writes it: printable ASCII but "-", with single hyphens or spaces between, so that the labels
// Java tools write (`PKCS #7 SIGNED DATA`, `X509 CRL`, `NEW CERTIFICATE REQUEST`) are read, not only [A-Z0-9 ]. Up to
// eight spaces are taken between words and around the label, as the old rule took any spaces (`X509  CRL`,
// `CERTIFICATE `). At most 64 label characters, not counting separators; a separator must be followed by a label
// character, and spaces, hyphens and label characters are disjoint, so a match attempt cannot backtrack and does
// bounded work: one pass over the input in all.
const MARKER = /-----(BEGIN|END) {1,8}([\x21-\x2c\x2e-\x7e](?:(?: {1,8}|-)?[\x21-\x2c\x2e-\x7e]){0,63}) {0,8}-----/g;

/** Whether the text has PEM armour at all. */
export function hasPemArmour(text: string): boolean {
  return text.includes('-----BEGIN');
}

/**
 * The complete PEM blocks of `text`, in order. A BEGIN line opens a block
 * (replacing one still open), the next END line with the same label closes
 * it; everything outside blocks is ignored (RFC 7468 explanatory text).
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: { label: string; bodyStart: number } | undefined;
  for (const m of text.matchAll(MARKER)) {
    const label = m[2] as string;
    if (m[1] === 'BEGIN') open = { label, bodyStart: m.index + m[0].length };
    else if (open !== undefined && open.label === label) {
      blocks.push({ label, body: text.slice(open.bodyStart, m.index) });
      open = undefined;
    }
  }
  return blocks;
}

/**
 * Decodes base64 in the standard or the URL alphabet (not mixed), padding
 * optional, whitespace ignored; any other character, data after padding, or
 * a length no encoder produces is refused. One pass over the text, then
 * Node's decoder (which skips the whitespace itself). Small results are
 * views into a shared slab (see `freshBytes`), or into Node's buffer pool,
 * as `Buffer.from` gives.
 *
 * `into(length)` gives the memory canonical text is decoded into (default
 * `freshBytes`); a caller that reads the bytes only briefly can pass a
 * buffer it reuses.
 * @throws TypeError `invalid base64`.
 */
export function base64Strict(text: string, into: (length: number) => Uint8Array = freshBytes): Uint8Array {
  return canonicalBase64(text, into) ?? base64Checked(text);
}

/**
 * The common case, checked without a pass over the text in JavaScript:
 * `text` is standard-alphabet base64 with no whitespace and at most two
 * padding characters. Such text passes every rule of {@link base64Checked}
 * and decodes to the same bytes; anything else returns `undefined` and takes
 * the character-by-character check. The result is written into
 * `into(length)`.
 */
function canonicalBase64(text: string, into: (length: number) => Uint8Array): Uint8Array | undefined {
  let data = text.length;
  while (data > 0 && text.charCodeAt(data - 1) === 0x3d) data--;
  if (data === 0 || data % 4 === 1 || text.length - data > 2) return undefined;
  // ASCII only: Node's decoder reads a wider character by its low byte.
  // No URL alphabet: Node decodes it too, but mixed with "+" or "/" it must
  // be refused, which the checked path does.
  if (Buffer.byteLength(text, 'utf8') !== text.length || text.includes('-') || text.includes('_')) return undefined;
  const length = (data * 3) >> 2;
  const decoded = into(length);
  // Fewer bytes means characters the decoder skipped (whitespace, anything
  // outside the alphabet, "=" before the end): not canonical, and the
  // partly written view is dropped unseen.
  return bufferOf(decoded).write(text, 'base64') === length ? decoded : undefined;
}

function base64Checked(text: string): Uint8Array {
  let data = 0;
  let padding = 0;
  let standard = false;
  let url = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c === 0x3d) {
      padding++;
      continue;
    }
    if (padding > 0) throw new TypeError('invalid base64: data after padding');
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) data++;
    else if (c === 0x2b || c === 0x2f) (standard = true), data++;
    else if (c === 0x2d || c === 0x5f) (url = true), data++;
    else throw new TypeError(`invalid base64: character ${JSON.stringify(text[i])} at ${i}`);
  }
  if (data === 0 || padding > 2 || (standard && url) || data % 4 === 1) throw new TypeError('invalid base64');
  return viewOf(Buffer.from(text, url ? 'base64url' : 'base64'));
}

/**
 * The PEM labels a certificate is read from, in every part of the certificate layer. Not OpenSSL's `TRUSTED
 * CERTIFICATE`: its block holds the certificate followed by OpenSSL's own trust settings (rejected purposes
 * among them), which twpki would have to drop unread.
 */
const CERTIFICATE_PEM_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

/**
 * The first certificate block of `blocks` (a label of {@link CERTIFICATE_PEM_LABELS}), as every reader of
 * certificates picks it: the profile, the trust layer and the CLI alike.
 * @throws TypeError saying why there is none: no complete block, only OpenSSL's `TRUSTED CERTIFICATE` (and how to
 *   convert it), or blocks of other labels (named).
 */
export function certificateBlock(blocks: readonly PemBlock[]): PemBlock {
  const block = blocks.find((b) => CERTIFICATE_PEM_LABELS.has(b.label));
  if (block !== undefined) return block;
  if (blocks.length === 0) throw new TypeError('PEM armour without a complete BEGIN/END CERTIFICATE block');
  if (blocks.some((b) => b.label === 'TRUSTED CERTIFICATE')) {
    throw new TypeError(
      "an OpenSSL TRUSTED CERTIFICATE block (the certificate plus OpenSSL's trust settings, which twpki does not read): write it as a plain certificate with `openssl x509 -in FILE -out CERT.pem`",
    );
  }
  throw new TypeError(`no CERTIFICATE block in the PEM (found: ${blocks.map((b) => b.label).join(', ')})`);
}

/** The first PEM block of any label. @throws TypeError when there is none. */
function firstBlock(blocks: readonly PemBlock[]): PemBlock {
  const block = blocks[0];
  if (block === undefined) throw new TypeError('PEM armour without a complete BEGIN/END block');
  return block;
}

/**
 * Accepts DER bytes, a PEM string, PEM text in bytes (files read from disk)
 * or bare base64 (the local component's `certb64`). From PEM the block `pick`
 * chooses is taken: by default the first of any label ({@link certificateBlock}
 * for a certificate).
 * @throws TypeError when no DER-shaped input is found.
 */
export function fromPemOrDer(input: Uint8Array | string, pick: (blocks: readonly PemBlock[]) => PemBlock = firstBlock): Uint8Array {
  if (typeof input !== 'string') {
    if (input.length > 0 && input[0] === 0x30) return input;
    input = Buffer.from(input).toString('latin1');
  }
  if (hasPemArmour(input)) return base64Strict(pick(pemBlocks(input)).body);
  try {
    return base64Strict(input);
  } catch {
    throw new TypeError('neither DER nor PEM nor base64');
  }
}

/** The DER certificates of a PEM bundle (every certificate block, in order). */
export function splitPemBundle(text: string): Uint8Array[] {
  return pemBlocks(text)
    .filter((b) => CERTIFICATE_PEM_LABELS.has(b.label))
    .map((b) => base64Strict(b.body));
}
