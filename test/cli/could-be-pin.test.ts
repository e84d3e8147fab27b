/**
 * The rule for what a CLI error may repeat of what was typed (src/cli/command.ts couldBePin): a value that could
 * be a PIN put in the wrong place is never repeated; paths with a folder or an extension, URLs, ISO times, reader
 * names (which have spaces) and plain words are, since they are what a user needs to see to fix a typo.
 */
import { describe, expect, it } from 'vitest';
import { couldBePin, quotedValue, shownValue } from '../../src/cli/command.js';

describe('couldBePin', () => {
  it('takes PIN-like values: 4 to 16 printable characters with a digit, without a space, . / \\ or : (full-width ones as their ASCII)', () => {
    for (const value of ['1234', '123456', '48151623', 'abc12345', 'Pa$$w0rd', '2026-13-45', '1234567890123456', '４８１５１６２３']) {
      expect([value, couldBePin(value)]).toEqual([value, true]);
    }
  });

  it('leaves what cannot be a PIN: too short or long, no digit, spaces, paths, URLs, times, other scripts', () => {
    for (const value of ['README', 'fuzzy', 'localhost', '', '123', '12345678901234567', 'x.pem', './data', '/tmp/a', 'C:\\cert', 'https://x.gov.tw', '2026-12-02T10:00', 'Virtual PCD 00 00', '證書檔案']) {
      expect([value, couldBePin(value)]).toEqual([value, false]);
    }
  });

  it('shownValue and quotedValue put a label or a note in place of a PIN-like value', () => {
    expect(shownValue('48151623', 'FILE')).toBe('FILE (not repeated here: it could be a PIN)');
    expect(shownValue('/tmp/x.pem', 'FILE')).toBe('/tmp/x.pem');
    expect(quotedValue('48151623')).toBe('a value not repeated here (it could be a PIN)');
    expect(quotedValue('ftp://x')).toBe('"ftp://x"');
  });
});
