import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeObjectIdentifier } from '../../../src/shared/der/der-primitives.js';
import { readElement, type DerNode } from '../../../src/shared/der/der-reader.js';
import { knownOid } from '../../../src/cert/trust/verification/known-oids.js';

function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (err) {
    return `throws ${(err as Error).constructor.name} ${(err as Error).message}`;
  }
}

/**
 * `content` as an OBJECT IDENTIFIER element in the middle of a larger buffer
 * (other bytes before and after), as a parser meets it.
 */
function oidElement(content: Uint8Array): DerNode {
  const buf = Uint8Array.from([0xff, 0x30, 0x06, content.length, ...content, 0x06, 0x01, 0x2a]);
  return readElement(buf, 2);
}

describe('knownOid (the CMS parser remembering OID texts)', () => {
  it('answers exactly as decodeObjectIdentifier, on first and repeated calls, for valid and invalid octets', () => {
    // Few distinct short encodings, so most of them repeat and come from memory.
    const octets = fc.uint8Array({ minLength: 0, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(octets, { minLength: 1, maxLength: 60 }), (list) => {
        for (const content of [...list, ...list]) {
          const copy = content.slice();
          expect(outcome(() => knownOid(oidElement(content)))).toBe(outcome(() => decodeObjectIdentifier(copy)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is keyed by the octets, not the array: a caller changing its bytes later changes nothing', () => {
    const sha256 = oidElement(Uint8Array.from([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]));
    expect(knownOid(sha256)).toBe('2.16.840.1.101.3.4.2.1');
    sha256.source[sha256.end - 1] = 0x02;
    expect(knownOid(sha256)).toBe('2.16.840.1.101.3.4.2.2');
    expect(knownOid(oidElement(Uint8Array.from([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01])))).toBe('2.16.840.1.101.3.4.2.1');
  });
});
