/**
 * 申請公務帳號's message line is shared by the OID lookup, 查詢機關OID (搜尋) and 送出資料, whose answers can
 * arrive in any order (clicking 送出資料 is also the blur that starts a lookup). Replayed on the real page script
 * with answers released by hand; the browser test (portal-official) holds one order in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { loadApplyPage, type ApplyPage } from './support/official-apply-page.js';

const FIRE = { oid: '2.16.886.101.20003.20065', name: '內政部消防署' };
const unknownOid = (): Error => Object.assign(new Error('查無此機關OID'), { code: 'AGENCY_OID_UNKNOWN', issues: [] });

/** Types an OID the directory does not know and lets its lookup fail: the line shows AGENCY_OID_UNKNOWN. */
async function typeUnknownOid(el: ApplyPage['el'], pending: ApplyPage['pending']): Promise<void> {
  el('agency-oid').value = '2.16.886.101.99999';
  const failed = el('agency-oid').fire('change');
  pending.shift()?.reject(unknownOid());
  await failed;
  expect(el('apply-message').textContent).toContain('AGENCY_OID_UNKNOWN');
}

describe('申請公務帳號: who may write the message line', () => {
  it('a lookup that finds the typed agency clears an earlier lookup error, also after a 搜尋 that found agencies', async () => {
    const { el, pending, tick } = loadApplyPage();
    await typeUnknownOid(el, pending);
    el('search-name').value = '消防';
    const search = el('search-submit').fire('click');
    pending.shift()?.resolve({ agencies: [FIRE] });
    await search;
    expect(el('apply-message').textContent).toContain('AGENCY_OID_UNKNOWN');
    el('agency-oid').value = FIRE.oid;
    const found = el('agency-oid').fire('change');
    pending.shift()?.resolve({ name: FIRE.name });
    await found;
    await tick();
    expect(el('agency-name').value).toBe(FIRE.name);
    expect(el('apply-message').textContent).toBe('');
  });

  it("a lookup failing after 送出資料's refusal leaves the refusal, with every field it named", async () => {
    const { el, pending, tick } = loadApplyPage();
    el('agency-oid').value = '2.16.886.101.99999';
    const lookup = el('agency-oid').fire('change');
    const submit = el('apply-submit').fire('click');
    await tick();
    const [late, prepare] = [pending.shift(), pending.shift()];
    expect(prepare?.path).toContain('/prepare');
    const issues = [
      { field: 'agencyOid', message: '查無此機關' },
      { field: 'reason', message: '必填' },
    ];
    prepare?.reject(Object.assign(new Error('資料有誤'), { code: 'INVALID_INPUT', issues }));
    await submit;
    expect(el('apply-message').textContent).toContain('申請原因');
    late?.reject(unknownOid());
    await lookup;
    await tick();
    expect(el('apply-message').textContent).toContain('申請原因');
    expect(el('apply-message').textContent).not.toContain('AGENCY_OID_UNKNOWN');
  });

  it('a lookup started after 送出資料 answered shows its own error (the user typed a new OID)', async () => {
    const { el, pending, tick } = loadApplyPage();
    const submit = el('apply-submit').fire('click');
    await tick();
    pending.shift()?.reject(Object.assign(new Error('資料有誤'), { code: 'INVALID_INPUT', issues: [{ field: 'reason', message: '必填' }] }));
    await submit;
    el('agency-oid').value = '2.16.886.101.99999';
    const lookup = el('agency-oid').fire('change');
    pending.shift()?.reject(unknownOid());
    await lookup;
    expect(el('apply-message').textContent).toContain('AGENCY_OID_UNKNOWN');
  });

  it('picking a 搜尋 result clears a lookup error, and a lookup still on its way does not overwrite the pick', async () => {
    const { el, pending, tick } = loadApplyPage();
    el('agency-oid').value = '2.16.886.101.99999';
    const failed = el('agency-oid').fire('change');
    pending.shift()?.reject(unknownOid());
    await failed;
    el('agency-oid').value = '2.16.886.101.88888';
    const stale = el('agency-oid').fire('change');
    const search = el('search-submit').fire('click');
    await tick();
    const [late, searched] = [pending.shift(), pending.shift()];
    searched?.resolve({ agencies: [FIRE] });
    await search;
    const hit = el('anonymous-2'); // the <a> of the first result (the <li> is anonymous-1)
    await hit.fire('click');
    expect(el('agency-oid').value).toBe(FIRE.oid);
    expect(el('apply-message').textContent).toBe('');
    late?.reject(unknownOid());
    await stale;
    await tick();
    expect(el('agency-name').value).toBe(FIRE.name);
    expect(el('apply-message').textContent).toBe('');
  });

  it("a 搜尋's 查無符合的機關 goes once an agency is picked from a later 搜尋 or found by its OID", async () => {
    for (const how of ['picked', 'typed'] as const) {
      const { el, pending, tick } = loadApplyPage();
      el('search-name').value = '消防x';
      const none = el('search-submit').fire('click');
      pending.shift()?.resolve({ agencies: [] });
      await none;
      expect(el('apply-message').textContent).toBe('查無符合的機關。');
      if (how === 'picked') {
        el('search-name').value = '消防';
        const found = el('search-submit').fire('click');
        pending.shift()?.resolve({ agencies: [FIRE] });
        await found;
        await el('anonymous-2').fire('click');
      } else {
        el('agency-oid').value = FIRE.oid;
        const lookup = el('agency-oid').fire('change');
        pending.shift()?.resolve({ name: FIRE.name });
        await lookup;
      }
      await tick();
      expect(el('agency-name').value, how).toBe(FIRE.name);
      expect(el('apply-message').textContent, how).toBe('');
    }
  });

  it('a lookup error goes when the OID field is emptied', async () => {
    const { el, pending, tick } = loadApplyPage();
    await typeUnknownOid(el, pending);
    el('agency-oid').value = '';
    await el('agency-oid').fire('change');
    await tick();
    expect(el('apply-message').textContent).toBe('');
  });
});
