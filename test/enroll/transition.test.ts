/** The one transition helper: an edge the machine table lacks applies nothing and audits nothing; a listed one does both. */
import { expect, it } from 'vitest';
import { InvalidTransitionError } from '../../src/enroll/errors.js';
import { applyTransition } from '../../src/enroll/flows/transition.js';
import { ORG_MACHINE } from '../../src/enroll/machine/org-machine.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { describeEachStore } from './helpers.js';

const actor = { role: 'reviewer', id: 'staff-1' } as const;
const at = '2026-03-06T01:00:00.000Z';

describeEachStore('enroll_t_transition', (db) => {
  it('checks the table before applying, then audits with the reason made from the result', async () => {
    let applied = 0;
    const refused = await db()
      .transaction((tx) =>
        applyTransition(tx, ORG_MACHINE, { subject: 'A1', from: 'registered', event: 'approveReview', to: 'reviewApproved', actor, at }, async () => {
          applied++;
          return 'x';
        }),
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTransitionError);
    expect(applied).toBe(0);
    expect(await readAuditTrail(db())).toEqual([]);

    const result = await db().transaction((tx) =>
      applyTransition(
        tx,
        ORG_MACHINE,
        { subject: 'A1', from: 'manualReview', event: 'approveReview', to: 'reviewApproved', actor, at },
        async () => ({ note: 'ok' }),
        (r) => `note ${r.note}`,
      ),
    );
    expect(result).toEqual({ note: 'ok' });
    expect(await readAuditTrail(db())).toEqual([
      { flow: 'organization', subject: 'A1', actor, at, event: 'approveReview', from: 'manualReview', to: 'reviewApproved', reason: 'note ok' },
    ]);
  });

  it('an apply that throws leaves no audit entry (it rolls back with the transaction)', async () => {
    const failed = await db()
      .transaction((tx) =>
        applyTransition(tx, ORG_MACHINE, { subject: 'A2', from: 'manualReview', event: 'rejectReview', to: 'reviewRejected', actor, at }, () =>
          Promise.reject(new Error('write failed')),
        ),
      )
      .catch((e: unknown) => e);
    expect(String(failed)).toContain('write failed');
    expect(await readAuditTrail(db(), { subject: 'A2' })).toEqual([]);
  });
});
