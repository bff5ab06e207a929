// Optimistic concurrency: Customer.version starts at 1 and moves by one with every committed
// change of the customer or what it carries (notes, tags, addresses, compliance, archive);
// CustomerNote.version with every edit of the note. expectedVersion on updateCustomer,
// updateCustomerNote, archiveCustomer and restoreCustomer: a stale one is ABORTED with
// extensions.currentVersion and writes nothing; absent, the last writer wins as before.
import { describe, expect, it } from 'vitest';
import {
  createCustomer,
  expectCode,
  seedExample,
  updateCustomer,
  violatedFields,
} from './helpers/customers.js';
import { isPostgres, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const READ = /* GraphQL */ `
  query($id: ID!) {
    customer(id: $id) {
      version firstName lastUpdatedTime deleted
      notes(first: 10) { edges { node { id note version } } }
    }
  }
`;
interface Read {
  version: number;
  firstName: string;
  lastUpdatedTime: string;
  deleted: boolean;
  notes: { edges: { node: { id: string; note: string; version: number } }[] };
}

async function read(company: TestCompany, id: string): Promise<Read> {
  const response = await company.gql<{ customer: Read }>(READ, { id });
  expect(response.errors).toBeUndefined();
  return response.data!.customer;
}

const mutate = (company: TestCompany, document: string, input: Record<string, unknown>) =>
  company.gql<Record<string, unknown>>(document, { input });

const APPEND_NOTES = `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { customer { version } } }`;
const APPEND_TAGS = `mutation($input: AppendCustomerTagsInput!) { appendCustomerTags(input: $input) { customer { version } } }`;
const UPDATE_NOTE = `mutation($input: UpdateCustomerNoteInput!) { updateCustomerNote(input: $input) { note { id note version } } }`;
const ARCHIVE = `mutation($input: ArchiveCustomerInput!) { archiveCustomer(input: $input) { customer { version deleted } } }`;
const RESTORE = `mutation($input: RestoreCustomerInput!) { restoreCustomer(input: $input) { customer { version deleted } } }`;
const DELETE_TAG = `mutation($input: DeleteTagInput!) { deleteTag(input: $input) { deletedTagId } }`;
const TAG_IDS = `query($id: ID!) { customer(id: $id) { tags { id } } }`;

describe('versions', () => {
  it('start at 1 and move by one with each change of the customer or what it carries', async () => {
    const company = await newCompany(env);
    const { id } = await createCustomer(company, { notes: [{ note: 'First.' }] });
    const created = await read(company, id);
    expect(created.version).toBe(1);
    expect(created.notes.edges[0]?.node.version).toBe(1);

    expect((await updateCustomer(company, { id, firstName: 'Grace' })).errors).toBeUndefined();
    expect((await read(company, id)).version).toBe(2);
    const ok = (response: { errors?: unknown }) => expect(response.errors).toBeUndefined();
    ok(await mutate(company, APPEND_NOTES, { customerId: id, notes: [{ note: 'Second.' }] }));
    expect((await read(company, id)).version).toBe(3);
    ok(await mutate(company, APPEND_TAGS, { customerId: id, tags: [{ name: 'VIP' }] }));
    expect((await read(company, id)).version).toBe(4);
    ok(
      await updateCustomer(company, {
        id,
        address: { address1: '1 Main St', city: 'Springfield', country: 'US', postalCode: '12345' },
      }),
    );
    expect((await read(company, id)).version).toBe(5);
    ok(await updateCustomer(company, { id, complianceConfig: { isConsented: true } }));
    expect((await read(company, id)).version).toBe(6);

    // A note edit moves the note's version and the customer's.
    const noteId = created.notes.edges[0]!.node.id;
    const edited = await mutate(company, UPDATE_NOTE, {
      customerId: id,
      noteId,
      note: 'First, edited.',
    });
    expect(edited.errors).toBeUndefined();
    expect(edited.data?.updateCustomerNote).toMatchObject({ note: { id: noteId, version: 2 } });
    expect((await read(company, id)).version).toBe(7);

    // Deleting a catalog tag changes every customer that carried it.
    const tags = await company.gql<{ customer: { tags: { id: string }[] } }>(TAG_IDS, { id });
    const tagId = tags.data!.customer.tags[0]!.id;
    expect((await mutate(company, DELETE_TAG, { id: tagId })).errors).toBeUndefined();
    expect((await read(company, id)).version).toBe(8);

    // Archiving twice is one change; restoring, another.
    ok(await mutate(company, ARCHIVE, { id }));
    ok(await mutate(company, ARCHIVE, { id }));
    expect((await read(company, id)).version).toBe(9);
    ok(await mutate(company, RESTORE, { id }));
    expect((await read(company, id)).version).toBe(10);
  });

  it('refuse a stale expectedVersion on each mutation with ABORTED and currentVersion, writing nothing', async () => {
    const company = await newCompany(env);
    const { id } = await createCustomer(company, { notes: [{ note: 'Keep me.' }] });
    await updateCustomer(company, { id, firstName: 'Grace' });
    const before = await read(company, id);
    expect(before.version).toBe(2);
    const noteId = before.notes.edges[0]!.node.id;

    const stale = [
      await updateCustomer(company, { id, expectedVersion: 1, firstName: 'Lost' }),
      await mutate(company, ARCHIVE, { id, expectedVersion: 1 }),
      await mutate(company, RESTORE, { id, expectedVersion: 3 }),
    ];
    for (const response of stale) {
      const error = expectCode(response, 'ABORTED');
      expect(error.extensions?.currentVersion).toBe(2);
      expect(error.message).toMatch(/version 2/);
    }
    const noteStale = await mutate(company, UPDATE_NOTE, {
      customerId: id,
      noteId,
      note: 'Lost.',
      expectedVersion: 2,
    });
    expect(expectCode(noteStale, 'ABORTED').extensions?.currentVersion).toBe(1);
    expect(await read(company, id)).toEqual(before);

    // The current one applies, and moves the version.
    const fresh = await updateCustomer(company, { id, expectedVersion: 2, firstName: 'Ada' });
    expect(fresh.errors).toBeUndefined();
    const noteFresh = await mutate(company, UPDATE_NOTE, {
      customerId: id,
      noteId,
      note: 'Kept, edited.',
      expectedVersion: 1,
    });
    expect(noteFresh.errors).toBeUndefined();
    const archived = await mutate(company, ARCHIVE, { id, expectedVersion: 4 });
    expect(archived.errors).toBeUndefined();
    expect(archived.data?.archiveCustomer).toEqual({ customer: { version: 5, deleted: true } });
    const restored = await mutate(company, RESTORE, { id, expectedVersion: 5 });
    expect(restored.data?.restoreCustomer).toEqual({ customer: { version: 6, deleted: false } });
  });

  it('without expectedVersion let the last writer win, as the seed example does', async () => {
    const company = await newCompany(env);
    const { id } = await createCustomer(company);
    const example = { ...seedExample(2), id, companyId: company.id };
    const response = await updateCustomer(company, example);
    expect(response.errors).toBeUndefined();
    expect((await read(company, id)).version).toBe(2);
  });

  it('reject an expectedVersion that no version can be', async () => {
    const company = await newCompany(env);
    const { id } = await createCustomer(company);
    expect(violatedFields(await updateCustomer(company, { id, expectedVersion: 0 }))).toEqual([
      'input.expectedVersion',
    ]);
    expect(violatedFields(await mutate(company, ARCHIVE, { id, expectedVersion: -1 }))).toEqual([
      'input.expectedVersion',
    ]);
    expect((await read(company, id)).version).toBe(1);
  });

  it.runIf(isPostgres)(
    'let one of concurrent writers holding the same version through',
    async () => {
      const company = await newCompany(env);
      const { id } = await createCustomer(company);
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          updateCustomer(company, { id, expectedVersion: 1, firstName: `Writer${i}` }),
        ),
      );
      const won = responses.filter((r) => r.errors === undefined);
      expect(won).toHaveLength(1);
      for (const lost of responses.filter((r) => r.errors !== undefined)) {
        expect(expectCode(lost, 'ABORTED').extensions?.currentVersion).toBe(2);
      }
      const after = await read(company, id);
      expect(after.version).toBe(2);
      expect(after.firstName).toBe(won[0]!.data!.updateCustomer.customer.firstName);
    },
  );
});
