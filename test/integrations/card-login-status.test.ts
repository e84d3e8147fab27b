import { expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, SignedDocumentVerifierBuilder } from '../../src/cert/index.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { CardLoginHandler, cardLoginStatus } from '../../src/integrations/card-login.js';
import { createTestPki } from '../../src/testing/index.js';

it('the card-login routes answer the service state as 503, a misbuilt flow as 500, not as the user\'s 409', () => {
  for (const code of ['STORE_CLOSED', 'STORE_IN_USE', 'EMS_FAILURE', 'MAIL_FAILED'] as const) expect([code, cardLoginStatus(new EnrollError(code, 'x'))]).toEqual([code, 503]);
  for (const code of ['NESTED_TRANSACTION', 'TRANSACTION_ENDED'] as const) expect([code, cardLoginStatus(new EnrollError(code, 'x'))]).toEqual([code, 500]);
  expect(cardLoginStatus(new EnrollError('APPLICATION_IN_PROGRESS', 'x'))).toBe(409);
});

it('a signed document an onLogin hook cannot read is the request\'s 400, not the server\'s 500', async () => {
  // The document verifier's errors are LoginVerificationErrors too (one class); a hook that verifies a document sent
  // with the login throws them. Its format codes are in no login table: 401 before, then 500 as a code no table has.
  const pki = await createTestPki();
  const documents = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withoutRevocationCheck().build();
  const thrown = await documents.verify({ format: 'cms', signature: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]) }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toMatchObject({ code: 'DOCUMENT_MALFORMED' });
  expect(cardLoginStatus(thrown)).toBe(400);
  const origin = 'https://login.example.gov.tw';
  const challenges = new ChallengeIssuer();
  const verifier = new LoginVerifierBuilder().withTrustAnchors(pki.root.certificate).withAllowedOrigins(origin).withChallenges(challenges).withoutRevocationCheck().build();
  const handler = new CardLoginHandler<object>({
    verifier,
    challenges,
    origin,
    sessionId: () => 's',
    onLogin: () => undefined,
    language: () => 'en',
  });
  // The answer the routes give an error from onLogin.
  const reply = handler.errorReply(thrown, {});
  expect([reply.status, (reply.body as { error: { code: string } }).error.code, reply.headers]).toEqual([400, 'DOCUMENT_MALFORMED', undefined]);
});
