import { beforeAll, describe, expect, it } from 'vitest';
import { buildApiReports, staleReports } from '../../scripts/api-report.js';

// The public surface is kept in api-report/; a change to it must be committed
// with a regenerated report (npm run api-report), so it is always deliberate.
describe('public API report', () => {
  let reports = new Map<string, string>();
  beforeAll(async () => {
    reports = await buildApiReports(); // one type-checked program over every entry: seconds, not milliseconds
  }, 120_000);

  it('covers every package entry point with its exports', () => {
    expect([...reports.keys()]).toEqual(expect.arrayContaining(['index', 'pcsc', 'apdu', 'cert', 'ems', 'enroll', 'agent', 'testing', 'browser', 'fastify']));
    expect(reports.get('pcsc')).toMatch(/^class PcscContext$/m);
    expect(reports.get('apdu')).toMatch(/^class HiCOSCard$/m);
  });

  it('names symbol-keyed members by their key, not by an id that moves when an import is added', () => {
    // TypeScript's own name is `__@asyncDispose@294`, 294 being the symbol's id in this one program.
    for (const [entry, text] of reports) expect(text, entry).not.toMatch(/__@|@\d+:/);
    expect(reports.get('pcsc')).toMatch(/^ {4}\[Symbol\.asyncDispose\]: \(\) => Promise<void>$/m);
  });

  it('matches the committed api-report/ (run `npm run api-report` after a deliberate change)', () => {
    expect(staleReports(reports)).toEqual([]);
  });
});
