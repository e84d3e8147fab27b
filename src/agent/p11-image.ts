const HEADER = 54;
const WIDTH = 2000;
const ROW_BYTES = WIDTH * 3;

/**
 * The JSON as ASCII: every character past U+007F written as a JSON `\uXXXX`
 * escape (UTF-16 units, so a character outside the BMP becomes its two
 * surrogate escapes). `JSON.parse` on the page gives the same text back, and
 * a page that reads one byte per character (`String.fromCharCode` over the
 * pixels) never sees UTF-8 bytes.
 */
export function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Some pages read `/pkcs11info` through a canvas: a 24-bit BMP 2000 pixels
 * wide whose pixel bytes (from offset 54) are the ASCII JSON (see
 * {@link asciiJson}), zero-padded. One row holds 6000 bytes, so a longer
 * document (with `withcert=true`) takes more rows. A BMP with a positive
 * height stores its rows bottom-up: a canvas then returns the last row first
 * and a page reading the canvas top-first gets the rows out of order. The
 * height is written negative (a top-down BMP, which browsers' decoders read),
 * so the canvas order and the file order are both the text's order.
 */
export function jsonAsBmp(json: string): Buffer {
  const text = Buffer.from(asciiJson(json), 'latin1');
  const rows = Math.max(1, Math.ceil(text.length / ROW_BYTES));
  const pixels = rows * ROW_BYTES;
  const bmp = Buffer.alloc(HEADER + pixels);
  bmp.write('BM', 0, 'ascii');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(HEADER, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(WIDTH, 18);
  bmp.writeInt32LE(-rows, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(0, 30);
  bmp.writeUInt32LE(pixels, 34);
  text.copy(bmp, HEADER);
  return bmp;
}
