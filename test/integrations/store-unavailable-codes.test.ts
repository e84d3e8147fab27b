/**
 * Which driver errors are "the database is unavailable" (EnrollError STORE_UNAVAILABLE, 503 through the
 * card-login routes) and which stay what they were. The real outages (a stopped server, a terminated backend,
 * a smart shutdown) are in store-outage.test.ts; this file pins the SQLSTATEs and socket codes the real server
 * rarely gives on demand (class 08) and those that must not count (a constraint, a password, a missing database).
 */
import { describe, expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { storeError } from '../../src/enroll/store/sql-errors.js';
import { cardLoginStatus } from '../../src/integrations/card-login.js';

describe('which errors are the database being unavailable', () => {
  const driverError = (code: string, message = 'driver'): Error => Object.assign(new Error(message), { code });

  it('connection SQLSTATEs (class 08, 57P01-57P03, 53300) and socket errors become STORE_UNAVAILABLE, cause kept', () => {
    for (const code of ['08000', '08001', '08003', '08006', '08007', '57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) {
      const cause = driverError(code);
      const mapped = storeError(cause);
      expect([code, mapped]).toEqual([code, expect.objectContaining({ name: 'EnrollError', code: 'STORE_UNAVAILABLE', cause })]);
      expect(cardLoginStatus(mapped)).toBe(503);
    }
    expect(storeError(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(storeError(new Error('timeout exceeded when trying to connect'), { stage: 'connect' })).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('constraint, syntax, password and missing-database errors stay the driver\'s; lost races stay CONCURRENT_UPDATE', () => {
    // 08P01 is also a statement whose parameters do not match its placeholders (a caller's bug, not an outage).
    for (const code of ['23505', '23503', '42601', '28P01', '3D000', '57014', '08P01', '08004']) {
      const cause = driverError(code);
      expect([code, storeError(cause)]).toEqual([code, cause]);
    }
    for (const code of ['40001', '40P01']) expect(storeError(driverError(code))).toMatchObject({ code: 'CONCURRENT_UPDATE' });
    // A twpki error thrown inside the transaction is the caller's answer, whatever the connection did.
    const own = new EnrollError('NOT_FOUND', 'x');
    expect(storeError(own, { connectionLost: true })).toBe(own);
    // A plain error without a code is a bug, not an outage, unless the driver said the connection went.
    const bug = new TypeError('x is undefined');
    expect(storeError(bug)).toBe(bug);
    expect(storeError(bug, { connectionLost: true })).toMatchObject({ code: 'STORE_UNAVAILABLE', cause: bug });
  });

  it('lost during COMMIT, the message says the outcome is unknown', () => {
    expect((storeError(driverError('57P01'), { stage: 'commit' }) as Error).message).toMatch(/whether its changes were saved is unknown/);
    expect((storeError(driverError('ECONNREFUSED'), { stage: 'connect' }) as Error).message).toMatch(/nothing was run: try again later/);
  });
});
