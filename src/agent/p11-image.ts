const HEADER = 54;
const WIDTH = 2000;
const ROW_BYTES = WIDTH * 3;

/**
 * Some pages read `/pkcs11info` through a canvas: a 24-bit BMP 2000 pixels
 * wide whose pixel bytes (from offset 54) are the ASCII JSON, zero-padded.
 * One row holds 6000 bytes; longer documents get more rows (bottom-up order
 * is irrelevant to readers that take the bytes in file order).
 */
export function jsonAsBmp(json: string): Buffer {
  const text = Buffer.from(json, 'utf8');
  const rows = Math.max(1, Math.ceil(text.length / ROW_BYTES));
  const pixels = rows * ROW_BYTES;
  const bmp = Buffer.alloc(HEADER + pixels);
  bmp.write('BM', 0, 'ascii');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(HEADER, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(WIDTH, 18);
  bmp.writeInt32LE(rows, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeUInt32LE(0, 30);
  bmp.writeUInt32LE(pixels, 34);
  text.copy(bmp, HEADER);
  return bmp;
}
