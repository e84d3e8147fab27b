import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { parseBinding } from '../../src/enroll/flows/account-inputs.js';
import { citizenCard } from './fakes.js';

/** The binding form's optional 姓名: left out by any of a form's means, it is the certificate's name. */
describe('parseBinding: contact.name', () => {
  const holder = citizenCard(1);
  const contact = { phone: '02-2345-6789', email: 'typed@example.com' };

  it.each([
    ['left out', {}],
    ['null (a JSON form’s empty field)', { name: null }],
    ['empty', { name: '' }],
    ['white space only', { name: '  \u3000 ' }],
  ])('%s: the certificate’s name', (_what, name) => {
    expect(parseBinding({ holder, contact: { ...contact, ...name } }).name).toBe(holder.subjectName);
  });

  it('a name typed is kept, trimmed', () => {
    expect(parseBinding({ holder, contact: { ...contact, name: ' 李小華 ' } }).name).toBe('李小華');
  });

  it('a name that is no text is refused, naming the field', () => {
    let thrown: unknown;
    try {
      parseBinding({ holder, contact: { ...contact, name: 42 } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).issues.map((i) => i.field)).toEqual(['contact.name']);
  });
});
