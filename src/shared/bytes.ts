/** Byte helpers shared by every layer. Kept tiny on purpose. */

/** Lower-case hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  return bufferOf(bytes).toString('hex');
}

/** The bytes of `bytes` as a Node `Buffer` over the same memory (no copy), for Buffer's native methods. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Parses hex, tolerating spaces and colons between bytes (`"80 A4 00 00"`,
 * `"B6:20:C8"`). Throws `TypeError` on odd length or non-hex characters.
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new TypeError(`not a hex string: ${JSON.stringify(hex.slice(0, 40))}`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/**
 * A copy of `bytes` that the caller owns, as a plain `Uint8Array`. Small
 * copies are carved from a shared slab (see {@link freshBytes}): an
 * `ArrayBuffer` of its own lives outside V8's heap and costs 2–5 µs to
 * allocate and collect, a tenth of an RSA verification, which a login cannot
 * pay per field. Writing to the copy touches only its own bytes; its
 * `.buffer` is larger (use `byteOffset`). Not for secrets.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = freshBytes(bytes.length);
  copy.set(bytes);
  return copy;
}

/** Size of the slabs {@link freshBytes} carves from. */
const SLAB_BYTES = 64 * 1024;
/** Longer requests get an `ArrayBuffer` of their own (a slab serves at least eight). */
const MAX_CARVED = SLAB_BYTES / 8;

let slab: Uint8Array = new Uint8Array(0);
let slabUsed = 0;

/**
 * `length` bytes for the caller to fill, carved from a 64 KB slab shared by
 * every caller; longer requests (over 8 KB) get an `ArrayBuffer` of their
 * own. This is Node's buffer pool with slabs eight times as large: its 8 KB
 * slabs are used up every two or three logins (a decoded CMS, the signed
 * attributes, the certificate copy), and each new slab cost about as much as
 * the rest of the decoding. As with the pool, a view kept alive keeps its
 * slab alive, and `.buffer` reaches the whole slab: other callers' bytes
 * (never secrets: nothing here is for PINs or keys) and zeros, never
 * memory the process used before (the slab is zero-filled, unlike the pool).
 */
export function freshBytes(length: number): Uint8Array {
  if (length > MAX_CARVED) return new Uint8Array(length);
  if (slabUsed + length > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const view = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += length;
  return view;
}

/** The bytes of a Node `Buffer` as a plain `Uint8Array` over the same memory (no copy); the reverse of {@link bufferOf}. */
export function viewOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Concatenates byte arrays into a new `Uint8Array`. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Character codes of the lower-case hex digits, by value. */
const HEX_DIGITS = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/**
 * Whether `hex` is exactly the lower-case hex of `bytes` (what
 * `toString('hex')` and `crypto.hash(…, 'hex')` write). Compared in place:
 * no string or `Buffer` view is made of `bytes`, which cost more than the
 * comparison for a digest.
 */
export function isHexOf(hex: string, bytes: Uint8Array): boolean {
  if (hex.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (hex.charCodeAt(2 * i) !== HEX_DIGITS[b >> 4] || hex.charCodeAt(2 * i + 1) !== HEX_DIGITS[b & 15]) return false;
  }
  return true;
}

/** Constant-time-ish equality for secrets (same length required). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Whether `value` is a Uint8Array (a Buffer included), also one made in another realm (a `vm` context), where
 * `instanceof Uint8Array` would say no: what the byte-taking entry points accept.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}
