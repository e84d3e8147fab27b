import { describe, expect, it } from 'vitest';
import { ACCOUNT_MACHINE } from '../../src/enroll/machine/account-machine.js';
import { ENROLL_MACHINES } from '../../src/enroll/machine/all-machines.js';
import { allowedEvents, assertTransition, toMermaid, type MachineDefinition } from '../../src/enroll/machine/machine.js';
import { OFFICIAL_ACCOUNT_MACHINE } from '../../src/enroll/machine/official-machine.js';
import { ORG_MACHINE } from '../../src/enroll/machine/org-machine.js';
import { InvalidTransitionError } from '../../src/enroll/errors.js';
import { toResult } from '../../src/enroll/result.js';

const machines: ReadonlyArray<MachineDefinition<string, string>> = ENROLL_MACHINES;

describe.each(machines.map((m) => [m.flow, m] as const))('%s transition table', (_flow, def) => {
  it('only names declared states, labels every state, and reaches every state from the initial one', () => {
    for (const t of def.transitions) {
      expect(def.states).toContain(t.from);
      expect(def.states).toContain(t.to);
    }
    for (const s of def.states) expect(def.labels[s]).toBeTruthy();
    // States a first command creates besides the initial one (the official flow's 申請書 route starts in manualReview).
    const creatable: string[] = def === OFFICIAL_ACCOUNT_MACHINE ? ['manualReview'] : [];
    const seen = new Set<string>([def.initial, ...creatable]);
    // Seeds of flows whose records are created by a branching first command.
    for (const t of def.transitions) if (t.from === def.initial) seen.add(t.to);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of def.transitions) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          grew = true;
        }
      }
    }
    for (const s of def.states) expect(seen.has(s)).toBe(true);
  });

  it('terminal states have no outgoing edges', () => {
    for (const s of def.terminal) expect(allowedEvents(def, s)).toEqual([]);
  });

  it('renders as Mermaid with one line per edge', () => {
    const text = toMermaid(def);
    expect(text.startsWith('stateDiagram-v2')).toBe(true);
    for (const t of def.transitions) expect(text).toContain(`${t.from} --> ${t.to}: ${t.event}`);
  });
});

describe('ENROLL_MACHINES', () => {
  it('holds one table per flow', () => {
    expect(ENROLL_MACHINES.map((m) => m.flow)).toEqual(['account', 'loginEnablement', 'loginMethod', 'organization', 'officialAccount', 'wasteApplication']);
  });
});

describe('toResult', () => {
  it('turns enroll errors into values and lets other failures throw', async () => {
    expect(await toResult(Promise.resolve(1))).toEqual({ ok: true, value: 1 });
    const failed = await toResult(Promise.reject(new InvalidTransitionError('account', 'draft', 'approve')));
    expect(failed.ok).toBe(false);
    expect(failed.ok ? undefined : failed.error.code).toBe('INVALID_TRANSITION');
    await expect(toResult(Promise.reject(new Error('db down')))).rejects.toThrow('db down');
  });
});

describe('assertTransition', () => {
  it('accepts listed edges and refuses others with the flow, state and event', () => {
    expect(() => assertTransition(ACCOUNT_MACHINE, 'underReview', 'approve', 'approved')).not.toThrow();
    try {
      assertTransition(ACCOUNT_MACHINE, 'draft', 'approve', 'approved');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidTransitionError);
      expect(e).toMatchObject({ code: 'INVALID_TRANSITION', flow: 'account', from: 'draft', event: 'approve' });
    }
    expect(() => assertTransition(ACCOUNT_MACHINE, 'draft', 'submitBasicData', 'active')).toThrow(InvalidTransitionError);
  });

  it('lists what a UI may offer next', () => {
    expect(allowedEvents(ACCOUNT_MACHINE, 'underReview')).toEqual(['approve', 'reject']);
    expect(allowedEvents(ORG_MACHINE, 'manualReview')).toEqual(['approveReview', 'rejectReview']);
  });
});
