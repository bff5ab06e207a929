// Create and update are made of the same rules: the same value breaks the same rule, with the same
// words, under the same path; they differ only in what absent and null mean.
import { describe, expect, it } from 'vitest';
import type { InvalidArgument } from '../../src/errors.js';
import { createCustomerInput, parse, updateCustomerInput } from '../../src/services/input-rules.js';

const create = (fields: Record<string, unknown>) =>
  parse(
    createCustomerInput,
    {
      companyId: 'cmp_a',
      preferredBusinessId: 'biz',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+12125551234',
      ...fields,
    },
    'input',
  );
const update = (fields: Record<string, unknown>) =>
  parse(updateCustomerInput, { id: 'cus_a', companyId: 'cmp_a', ...fields }, 'input');

const violations = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as InvalidArgument).fieldViolations;
  }
  throw new Error('expected INVALID_ARGUMENT');
};

describe('the customer rules', () => {
  it.each([
    [{ firstName: '  ' }, 'input.firstName', 'must not be blank'],
    [
      { phone: '555-1234' },
      'input.phone',
      'must be a valid phone number in E.164 form, e.g. +12125551234',
    ],
    [{ email: 'nope' }, 'input.email', 'must be a valid e-mail address'],
    [{ colorCode: 'red' }, 'input.colorCode', 'must be a color in the form #RRGGBB'],
    [{ tags: [{ id: 'ctg_a', name: 'both' }] }, 'input.tags[0]', 'give exactly one of id or name'],
    [
      { address: { street: '1 A St', address1: '2 B St' } },
      'input.address.street',
      'is an alias of address1 and conflicts with it; send one of them',
    ],
    [{ address: { city: ' ' } }, 'input.address', 'must have at least one non-blank field'],
  ])('refuse %j alike on create and update', (fields, field, description) => {
    expect(violations(() => create(fields))).toEqual([{ field, description }]);
    expect(violations(() => update(fields))).toEqual([{ field, description }]);
  });

  it('give values in their stored form', () => {
    const created = create({
      firstName: ' Ada ',
      phone: '+1 (212) 555-1234',
      tags: [{ name: 'VIP' }, { name: 'vip' }],
    });
    expect(created).toMatchObject({
      firstName: 'Ada',
      phone: '+12125551234',
      email: null,
      tags: [{ name: 'VIP' }],
    });
    expect(created.preference).toEqual({
      receiveAutoMessage: true,
      receiveAutoEmail: true,
      subscribeToMarketingEmails: false,
      receiveAppointmentReminder: true,
    });
    const updated = update({ firstName: ' Ada ' });
    expect(updated.firstName).toBe('Ada');
    // Absent stays absent: the update keeps the stored value.
    expect('email' in updated).toBe(false);
  });

  it('differ in what null means: cleared where clearable, refused where required', () => {
    expect(update({ email: null, source: null }).email).toBeNull();
    expect(violations(() => update({ firstName: null, tags: null }))).toEqual([
      {
        field: 'input.firstName',
        description: 'cannot be null; omit it to keep the current value',
      },
      { field: 'input.tags', description: 'cannot be null; omit it to keep the current value' },
    ]);
    expect(create({ email: null }).email).toBeNull();
  });

  it('report a list too long and its bad items at once', () => {
    const notes = [{ note: '' }, ...Array.from({ length: 100 }, (_, i) => ({ note: `n${i}` }))];
    expect(violations(() => create({ notes })).map((v) => v.field)).toEqual([
      'input.notes[0].note',
      'input.notes',
    ]);
  });
});
