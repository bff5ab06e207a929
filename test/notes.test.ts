import { describe, expect, it } from 'vitest';
import { createCustomer, expectCode, getCustomer, violatedFields } from './helpers/customers.js';
import { type GraphQLResponse, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendCustomerNotesInput!) {
    appendCustomerNotes(input: $input) {
      notes { id note createdBy createdTime lastUpdatedBy lastUpdatedTime }
      customer { id lastUpdatedTime lastUpdatedBy notes(first: 100) { totalCount } }
    }
  }
`;

const LIST = /* GraphQL */ `
  query List($customerId: ID!, $first: Int, $after: String) {
    customerNotes(customerId: $customerId, first: $first, after: $after) {
      totalCount
      edges { cursor node { id note createdTime } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation Update($input: UpdateCustomerNoteInput!) {
    updateCustomerNote(input: $input) { note { id note createdBy createdTime lastUpdatedBy lastUpdatedTime } }
  }
`;

const DELETE = /* GraphQL */ `
  mutation Delete($input: DeleteCustomerNoteInput!) { deleteCustomerNote(input: $input) { deletedNoteId } }
`;

interface NoteView {
  id: string;
  note: string;
  createdBy: string;
  createdTime: string;
  lastUpdatedBy: string;
  lastUpdatedTime: string;
}

interface AppendData {
  appendCustomerNotes: {
    notes: NoteView[];
    customer: {
      id: string;
      lastUpdatedTime: string;
      lastUpdatedBy: string;
      notes: { totalCount: number };
    };
  };
}

interface ListData {
  customerNotes: {
    totalCount: number;
    edges: { cursor: string; node: { id: string; note: string; createdTime: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const append = (company: TestCompany, customerId: string, notes: unknown[]) =>
  company.gql<AppendData>(APPEND, { input: { customerId, notes } });

async function allNotes(company: TestCompany, customerId: string, first: number) {
  const texts: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i += 1) {
    const response: GraphQLResponse<ListData> = await company.gql<ListData>(LIST, {
      customerId,
      first,
      after,
    });
    expect(response.errors).toBeUndefined();
    const page: ListData['customerNotes'] = response.data!.customerNotes;
    texts.push(...page.edges.map((e) => e.node.note));
    if (!page.pageInfo.hasNextPage) return texts;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe('appendCustomerNotes', () => {
  it('appends notes stamped with the actor and time, in one transaction, and moves lastUpdatedTime', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { notes: [{ note: 'existing' }] });
    const response = await append(company, customer.id, [{ note: 'one' }, { note: 'two' }]);
    expect(response.errors).toBeUndefined();
    const { notes, customer: after } = response.data!.appendCustomerNotes;
    expect(notes.map((n) => n.note)).toEqual(['one', 'two']);
    for (const note of notes) {
      expect(note.id).toMatch(/^cxn_/);
      expect(note).toMatchObject({ createdBy: company.staffId, lastUpdatedBy: company.staffId });
    }
    expect(after.notes.totalCount).toBe(3);
    expect(after.lastUpdatedBy).toBe(company.staffId);
    expect(Date.parse(after.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(customer.lastUpdatedTime),
    );
    expect(Date.parse(after.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(notes[1]!.createdTime),
    );
  });

  it('refuses bad input with field paths and writes nothing', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const cases: [unknown[], string[]][] = [
      [[], ['input.notes']],
      [
        [{ note: '  ' }, { note: 'x'.repeat(10_001) }],
        ['input.notes[0].note', 'input.notes[1].note'],
      ],
      [Array.from({ length: 101 }, (_, i) => ({ note: `n${i}` })), ['input.notes']],
      [[{ id: 'cxn_x', note: 'edit?' }], ['input.notes[0].id']],
    ];
    for (const [notes, fields] of cases) {
      expect(violatedFields(await append(company, customer.id, notes))).toEqual(fields);
    }
    const after = await getCustomer(company, customer.id);
    expect(after.data!.customer!.notes.totalCount).toBe(0);
    expect(after.data!.customer!.lastUpdatedTime).toBe(customer.lastUpdatedTime);
  });

  it('answers NOT_FOUND for an unknown or foreign customer', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    expectCode(await append(company, theirs.id, [{ note: 'x' }]), 'NOT_FOUND');
    expectCode(await append(company, 'cus_unknown0000000', [{ note: 'x' }]), 'NOT_FOUND');
    expect((await getCustomer(other, theirs.id)).data!.customer!.notes.totalCount).toBe(0);
  });
});

describe('customerNotes (ListCustomerNotes)', () => {
  it('lists newest first, page by page, with cursors bound to the customer', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const other = await createCustomer(company, { notes: [{ note: 'other' }] });
    for (let i = 0; i < 7; i += 1) await append(company, customer.id, [{ note: `n${i}` }]);
    const expected = ['n6', 'n5', 'n4', 'n3', 'n2', 'n1', 'n0'];
    expect(await allNotes(company, customer.id, 3)).toEqual(expected);
    expect(await allNotes(company, customer.id, 500)).toEqual(expected);
    const first = await company.gql<ListData>(LIST, { customerId: customer.id, first: 2 });
    expect(first.data!.customerNotes.totalCount).toBe(7);
    const cursor = first.data!.customerNotes.pageInfo.endCursor!;
    expect(cursor.length).toBeLessThanOrEqual(64);
    expect(
      violatedFields(await company.gql(LIST, { customerId: other.id, after: cursor })),
    ).toEqual(['after']);
    expect(
      violatedFields(await company.gql(LIST, { customerId: customer.id, after: 'garbage' })),
    ).toEqual(['after']);
    expect(
      violatedFields(await company.gql(LIST, { customerId: customer.id, first: 501 })),
    ).toEqual(['first']);
  });

  it('answers NOT_FOUND for an unknown or foreign customer', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other, { notes: [{ note: 'secret' }] });
    expectCode(await company.gql(LIST, { customerId: theirs.id }), 'NOT_FOUND');
    expectCode(await company.gql(LIST, { customerId: 'cus_unknown0000000' }), 'NOT_FOUND');
  });

  it('pages Customer.notes per customer inside a list, with after on one customer', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      notes: [{ note: 'a' }, { note: 'b' }, { note: 'c' }],
    });
    const page1 = await company.gql<{ customer: { notes: ListData['customerNotes'] } }>(
      'query($id: ID!) { customer(id: $id) { notes(first: 2) { totalCount edges { cursor node { id note createdTime } } pageInfo { hasNextPage endCursor } } } }',
      { id: customer.id },
    );
    const notes = page1.data!.customer.notes;
    expect(notes.edges.map((e) => e.node.note)).toEqual(['c', 'b']);
    const page2 = await company.gql<{ customer: { notes: ListData['customerNotes'] } }>(
      'query($id: ID!, $after: String) { customer(id: $id) { notes(first: 2, after: $after) { edges { node { note } } pageInfo { hasNextPage } } } }',
      { id: customer.id, after: notes.pageInfo.endCursor },
    );
    expect(page2.data!.customer.notes.edges.map((e) => e.node.note)).toEqual(['a']);
    expect(page2.data!.customer.notes.pageInfo.hasNextPage).toBe(false);
  });
});

describe('updateCustomerNote and deleteCustomerNote', () => {
  it('edits the text: lastUpdated* move, createdTime stays, the customer moves too', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { notes: [{ note: 'before' }] });
    const note = customer.notes.edges[0]!.node;
    const editor = await newCompany(env, { id: company.id });
    const response = await editor.gql<{ updateCustomerNote: { note: NoteView } }>(UPDATE, {
      input: { customerId: customer.id, noteId: note.id, note: 'after' },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.updateCustomerNote.note).toMatchObject({
      id: note.id,
      note: 'after',
      createdBy: company.staffId,
      createdTime: note.createdTime,
      lastUpdatedBy: editor.staffId,
    });
    const read = await getCustomer(company, customer.id);
    expect(read.data!.customer!.lastUpdatedBy).toBe(editor.staffId);
  });

  it('refuses blank text, and a note of another customer as NOT_FOUND', async () => {
    const company = await newCompany(env);
    const one = await createCustomer(company, { notes: [{ note: 'one' }] });
    const two = await createCustomer(company);
    const noteId = one.notes.edges[0]!.node.id;
    expect(
      violatedFields(
        await company.gql(UPDATE, { input: { customerId: one.id, noteId, note: ' ' } }),
      ),
    ).toEqual(['input.note']);
    expectCode(
      await company.gql(UPDATE, { input: { customerId: two.id, noteId, note: 'x' } }),
      'NOT_FOUND',
    );
    expectCode(await company.gql(DELETE, { input: { customerId: two.id, noteId } }), 'NOT_FOUND');
  });

  it('deletes once; a second delete is NOT_FOUND', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { notes: [{ note: 'gone' }, { note: 'kept' }] });
    const noteId = customer.notes.edges.find((e) => e.node.note === 'gone')!.node.id;
    const first = await company.gql<{ deleteCustomerNote: { deletedNoteId: string } }>(DELETE, {
      input: { customerId: customer.id, noteId },
    });
    expect(first.data!.deleteCustomerNote.deletedNoteId).toBe(noteId);
    expectCode(
      await company.gql(DELETE, { input: { customerId: customer.id, noteId } }),
      'NOT_FOUND',
    );
    expect(await allNotes(company, customer.id, 10)).toEqual(['kept']);
  });

  it('every note change is visible to a client syncing by lastUpdatedTime', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { notes: [{ note: 'n' }] });
    const since = customer.lastUpdatedTime;
    const sync = async () => {
      const response = await company.gql<{
        customers: { edges: { node: { id: string; lastUpdatedTime: string } }[] };
      }>(
        'query($c: ID!, $f: CustomerFilter) { customers(companyId: $c, filter: $f) { edges { node { id lastUpdatedTime } } } }',
        { c: company.id, f: { lastUpdatedTime: { startTime: since } } },
      );
      return response.data!.customers.edges.map((e) => e.node.lastUpdatedTime);
    };
    const noteId = customer.notes.edges[0]!.node.id;
    const steps = [
      () => append(company, customer.id, [{ note: 'm' }]),
      () => company.gql(UPDATE, { input: { customerId: customer.id, noteId, note: 'n2' } }),
      () => company.gql(DELETE, { input: { customerId: customer.id, noteId } }),
    ];
    let last = since;
    for (const step of steps) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      expect((await step()).errors).toBeUndefined();
      const [time] = await sync();
      expect(Date.parse(time!)).toBeGreaterThan(Date.parse(last));
      last = time!;
    }
  });
});
