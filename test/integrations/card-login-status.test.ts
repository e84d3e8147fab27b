import { expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { cardLoginStatus } from '../../src/integrations/card-login.js';

it('the card-login routes answer the service state as 503, a misbuilt flow as 500, not as the user\'s 409', () => {
  for (const code of ['STORE_CLOSED', 'STORE_IN_USE', 'EMS_FAILURE', 'MAIL_FAILED'] as const) expect([code, cardLoginStatus(new EnrollError(code, 'x'))]).toEqual([code, 503]);
  for (const code of ['NESTED_TRANSACTION', 'TRANSACTION_ENDED'] as const) expect([code, cardLoginStatus(new EnrollError(code, 'x'))]).toEqual([code, 500]);
  expect(cardLoginStatus(new EnrollError('APPLICATION_IN_PROGRESS', 'x'))).toBe(409);
});
