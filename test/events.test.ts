// Change events: every committed write appends one event per customer, with field-level changes,
// actor, request ID and time, in the write's transaction; customerEvents pages the company's
// stream oldest first and resumes from any cursor; Customer.history is one customer's, newest
// first. On PostgreSQL: a transaction that began first and commits last is not skipped by a
// reader, and a reader paging during 200 concurrent writes sees each event exactly once.
import { describe, expect, it } from 'vitest';
import { eventRepository } from '../src/repositories/event.js';
import { eventRetention } from '../src/services/event-retention.js';
import { createCustomer, expectCode, updateCustomer } from './helpers/customers.js';
import { isPostgres, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

interface EventView {
  id: string;
  type: string;
  customerId: string;
  customer: { id: string; lastUpdatedTime: string } | null;
  changes: { field: string; oldValue: unknown; newValue: unknown }[];
  actor: string | null;
  requestId: string | null;
  occurredTime: string;
  cursor: string;
}

const EVENT =
  'id type customerId customer { id lastUpdatedTime } changes { field oldValue newValue } actor requestId occurredTime cursor';
const EVENTS = /* GraphQL */ `
  query Events($companyId: ID!, $first: Int, $after: String, $filter: CustomerEventFilter) {
    customerEvents(companyId: $companyId, first: $first, after: $after, filter: $filter) {
      edges { cursor node { ${EVENT} } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function events(
  company: TestCompany,
  variables: { first?: number; after?: string | null; filter?: unknown } = {},
) {
  const response = await company.gql<{
    customerEvents: {
      edges: { cursor: string; node: EventView }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }>(EVENTS, { companyId: company.id, first: 500, ...variables });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.customerEvents;
}

const nodes = async (company: TestCompany, variables = {}) =>
  (await events(company, variables)).edges.map((edge) => edge.node);

const changeOf = (event: EventView | undefined, field: string) =>
  event?.changes.find((change) => change.field === field);

describe('change events', () => {
  it('createCustomer appends CUSTOMER_CREATED with every field, stamped with actor, request and time', async () => {
    const company = await newCompany(env);
    const response = await company.gql<{
      createCustomer: { customer: { id: string; lastUpdatedTime: string } };
    }>(
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id lastUpdatedTime } } }`,
      {
        input: {
          companyId: company.id,
          preferredBusinessId: 'biz_1',
          firstName: 'Ada',
          lastName: 'Lovelace',
          phone: '+12125551234',
          address: { address1: '1 Main St', city: 'Springfield', type: 'PRIMARY' },
          tags: [{ name: 'VIP' }],
          notes: [{ note: 'Prefers mornings.' }],
        },
      },
    );
    expect(response.errors).toBeUndefined();
    const customer = response.data!.createCustomer.customer;
    const [event, ...rest] = await nodes(company);
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({
      type: 'CUSTOMER_CREATED',
      customerId: customer.id,
      customer: { id: customer.id },
      actor: company.staffId,
      requestId: response.headers.get('x-request-id'),
      occurredTime: customer.lastUpdatedTime,
    });
    expect(event!.id).toMatch(/^cev_/);
    expect(changeOf(event, 'firstName')).toEqual({
      field: 'firstName',
      oldValue: null,
      newValue: 'Ada',
    });
    expect(changeOf(event, 'phone')?.newValue).toBe('+12125551234');
    expect(changeOf(event, 'address.city')?.newValue).toBe('Springfield');
    expect(changeOf(event, 'complianceConfig.isConsented')?.newValue).toBe(false);
    expect(
      event!.changes.some((c) => c.field.startsWith('tags.ctg_') && c.newValue === 'VIP'),
    ).toBe(true);
    expect(
      event!.changes.some(
        (c) => c.field.startsWith('notes.cxn_') && c.newValue === 'Prefers mornings.',
      ),
    ).toBe(true);
    // Fields left empty are not listed.
    expect(changeOf(event, 'email')).toBeUndefined();

    // node(id:) resolves an event by its ID.
    const node = await company.gql<{ node: { id: string; type: string } }>(
      'query($id: ID!) { node(id: $id) { id ... on CustomerEvent { type } } }',
      { id: event!.id },
    );
    expect(node.data?.node).toEqual({ id: event!.id, type: 'CUSTOMER_CREATED' });
  });

  it('updateCustomer lists what changed value; a no-op appends nothing; compliance alone is its own type', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      address: { address1: '1 Main St', city: 'Springfield', type: 'PRIMARY' },
      tags: [{ name: 'A' }, { name: 'B' }],
    });
    const tagA = created.tags.find((tag) => tag.name === 'A')!;
    const tagB = created.tags.find((tag) => tag.name === 'B')!;
    const base = { id: created.id, companyId: company.id };

    const updated = await updateCustomer(company, {
      ...base,
      firstName: 'Grace',
      address: { address1: '1 Main St', city: 'Shelbyville', type: 'PRIMARY' },
      tags: [{ id: tagA.id }, { name: 'C' }],
    });
    expect(updated.errors).toBeUndefined();
    await updateCustomer(company, { ...base, firstName: 'Grace' });
    await updateCustomer(company, {
      ...base,
      complianceConfig: { isConsented: true },
    });

    const [, update, compliance, ...rest] = await nodes(company);
    expect(rest).toHaveLength(0);
    expect(update?.type).toBe('CUSTOMER_UPDATED');
    expect(update?.occurredTime).toBe(updated.data!.updateCustomer.customer.lastUpdatedTime);
    const fields = update!.changes.map((change) => change.field).sort();
    const tagC = updated.data!.updateCustomer.customer.tags.find((tag) => tag.name === 'C')!;
    expect(fields).toEqual(
      ['address.city', 'firstName', `tags.${tagB.id}`, `tags.${tagC.id}`].sort(),
    );
    expect(changeOf(update, 'firstName')).toMatchObject({
      oldValue: created.firstName,
      newValue: 'Grace',
    });
    expect(changeOf(update, 'address.city')).toMatchObject({
      oldValue: 'Springfield',
      newValue: 'Shelbyville',
    });
    expect(changeOf(update, `tags.${tagB.id}`)).toMatchObject({ oldValue: 'B', newValue: null });
    expect(changeOf(update, `tags.${tagC.id}`)).toMatchObject({ oldValue: null, newValue: 'C' });
    expect(compliance).toMatchObject({
      type: 'CUSTOMER_COMPLIANCE_CHANGED',
      changes: [{ field: 'complianceConfig.isConsented', oldValue: false, newValue: true }],
    });
  });

  it('notes, tags and card links append their events; a failed write appends none', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { tags: [{ name: 'Old' }] });
    const appended = await company.gql<{ appendCustomerNotes: { notes: { id: string }[] } }>(
      `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id } } }`,
      { input: { customerId: customer.id, notes: [{ note: 'one' }, { note: 'two' }] } },
    );
    const [one] = appended.data!.appendCustomerNotes.notes;
    await company.gql(
      `mutation($input: UpdateCustomerNoteInput!) { updateCustomerNote(input: $input) { note { id } } }`,
      { input: { customerId: customer.id, noteId: one!.id, note: 'uno' } },
    );
    await company.gql(
      `mutation($input: DeleteCustomerNoteInput!) { deleteCustomerNote(input: $input) { deletedNoteId } }`,
      { input: { customerId: customer.id, noteId: one!.id } },
    );
    const TAGS = `mutation($input: AppendCustomerTagsInput!) { appendCustomerTags(input: $input) { tags { id } } }`;
    await company.gql(TAGS, {
      input: { customerId: customer.id, tags: [{ name: 'Old' }, { name: 'New' }] },
    });
    // Only tags it already has: no change, no event.
    await company.gql(TAGS, { input: { customerId: customer.id, tags: [{ name: 'New' }] } });
    const generated = await company.gql<{ generateCustomerCofLink: { link: string } }>(
      `mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link } }`,
      { input: { customerId: customer.id } },
    );
    const { pathname } = new URL(generated.data!.generateCustomerCofLink.link);
    const redeemed = await env.app.fetch(
      new Request(`http://localhost${pathname}`, { method: 'POST' }),
    );
    expect(redeemed.status).toBeLessThan(400);
    // Rolled back: one edit of an unknown note fails the whole update.
    const failed = await updateCustomer(company, {
      id: customer.id,
      companyId: company.id,
      firstName: 'Never',
      notes: [{ id: 'cxn_missing', note: 'x' }],
    });
    expectCode(failed, 'NOT_FOUND');

    const all = await nodes(company);
    expect(all.map((event) => event.type)).toEqual([
      'CUSTOMER_CREATED',
      'CUSTOMER_NOTES_APPENDED',
      'CUSTOMER_NOTE_UPDATED',
      'CUSTOMER_NOTE_DELETED',
      'CUSTOMER_TAGS_APPLIED',
      'CUSTOMER_COF_LINK_GENERATED',
      'CUSTOMER_COF_LINK_REDEEMED',
    ]);
    const [, notes, edit, deletion, tags, link, redemption] = all;
    expect(notes!.changes.map((change) => change.newValue)).toEqual(['one', 'two']);
    expect(edit!.changes).toEqual([
      { field: `notes.${one!.id}`, oldValue: 'one', newValue: 'uno' },
    ]);
    expect(deletion!.changes).toEqual([
      { field: `notes.${one!.id}`, oldValue: 'uno', newValue: null },
    ]);
    expect(tags!.changes).toHaveLength(1);
    expect(tags!.changes[0]).toMatchObject({ oldValue: null, newValue: 'New' });
    expect(link!.changes[0]!.field).toMatch(/^cofLinks\.cof_/);
    expect(JSON.stringify(link)).not.toContain('/cof/');
    // The link's holder has no credential: no actor.
    expect(redemption).toMatchObject({ actor: null, customerId: customer.id });
    expect(redemption!.changes[0]!.field).toBe(link!.changes[0]!.field);
  });

  it('pages oldest first, resumes from an edge or an event cursor, filters, and stays in its company', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company);
    const b = await createCustomer(company);
    await updateCustomer(company, { id: a.id, companyId: company.id, firstName: 'Zed' });
    await updateCustomer(company, { id: b.id, companyId: company.id, firstName: 'Yan' });

    const first = await events(company, { first: 3 });
    expect(first.edges.map((edge) => edge.node.customerId)).toEqual([a.id, b.id, a.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await events(company, { first: 3, after: first.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.customerId)).toEqual([b.id]);
    expect(next.pageInfo.hasNextPage).toBe(false);
    // An event's own cursor is its position too.
    const fromEvent = await events(company, { after: first.edges[1]!.node.cursor });
    expect(fromEvent.edges.map((edge) => edge.node.type)).toEqual([
      'CUSTOMER_UPDATED',
      'CUSTOMER_UPDATED',
    ]);
    // Nothing new after the end: an empty page, the cursor still good.
    expect((await events(company, { after: next.pageInfo.endCursor })).edges).toHaveLength(0);

    const ofA = await nodes(company, { filter: { customerId: a.id } });
    expect(ofA.map((event) => event.type)).toEqual(['CUSTOMER_CREATED', 'CUSTOMER_UPDATED']);
    const updates = await nodes(company, { filter: { types: ['CUSTOMER_UPDATED'] } });
    expect(updates.map((event) => event.customerId)).toEqual([a.id, b.id]);

    const other = await newCompany(env);
    expect(await nodes(other)).toHaveLength(0);
    expectCode(await other.gql(EVENTS, { companyId: company.id }), 'PERMISSION_DENIED');
    // A cursor of another company's stream, or of another list, is refused.
    expectCode(
      await other.gql(EVENTS, { companyId: other.id, after: first.pageInfo.endCursor }),
      'INVALID_ARGUMENT',
    );
    expectCode(
      await company.gql(EVENTS, { companyId: company.id, after: 'nope' }),
      'INVALID_ARGUMENT',
    );
  });

  it('Customer.history is newest first, paginated, for a page of customers at once', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company);
    const b = await createCustomer(company);
    for (const name of ['One', 'Two']) {
      await updateCustomer(company, { id: a.id, companyId: company.id, firstName: name });
    }
    const HISTORY = `query($ids: [ID!]!, $after: String) { customersByIds(ids: $ids) {
      id history(first: 2, after: $after) { edges { node { type changes { field newValue } } } pageInfo { hasNextPage endCursor } } } }`;
    env.sql.length = 0;
    const response = await company.gql<{
      customersByIds: {
        id: string;
        history: {
          edges: { node: { type: string; changes: { field: string; newValue: unknown }[] } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      }[];
    }>(HISTORY, { ids: [a.id, b.id] });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const [ofA, ofB] = response.data!.customersByIds;
    expect(
      ofA!.history.edges.map((edge) => changeOf(edge.node as EventView, 'firstName')?.newValue),
    ).toEqual(['Two', 'One']);
    expect(ofA!.history.pageInfo.hasNextPage).toBe(true);
    expect(ofB!.history.edges.map((edge) => edge.node.type)).toEqual(['CUSTOMER_CREATED']);
    // One statement for both customers' histories (and one for the customers).
    expect(env.sql.filter((s) => s.includes('customer_events'))).toHaveLength(1);

    const rest = await company.gql<{
      customersByIds: { history: { edges: { node: { type: string } }[] } }[];
    }>(HISTORY, { ids: [a.id], after: ofA!.history.pageInfo.endCursor });
    expect(rest.data!.customersByIds[0]!.history.edges.map((edge) => edge.node.type)).toEqual([
      'CUSTOMER_CREATED',
    ]);
  });

  it('prunes events past the retention; a cursor before them is FAILED_PRECONDITION', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const old = (id: string) => ({
      id,
      customerId: customer.id,
      type: 'CUSTOMER_UPDATED',
      changes: [],
    });
    const origin = (occurredTime: string) => ({ actor: 'stf_test', requestId: null, occurredTime });
    // Two events from 40 days ago, then one now (positions 2, 3, 4 after the creation's 1).
    await env.store.db.transaction((tx) =>
      eventRepository(tx, company.id).append(
        [old('cev_old1'), old('cev_old2')],
        origin('2000-01-01T00:00:00Z'),
      ),
    );
    await updateCustomer(company, { id: customer.id, companyId: company.id, firstName: 'Kept' });
    const before = await events(company);
    const [created] = before.edges;
    expect(before.edges.map((edge) => edge.node.id).slice(1, 3)).toEqual(['cev_old1', 'cev_old2']);

    // The creation is recent, but positions are pruned by time: only the two old ones go.
    const deleted = await eventRetention(env.appDb, { retentionDays: 30 }).prune();
    expect(deleted).toBeGreaterThanOrEqual(2);
    const after = await nodes(company);
    expect(after.map((event) => event.id)).not.toContain('cev_old1');
    expect(after.map((event) => changeOf(event, 'firstName')?.newValue).at(-1)).toBe('Kept');
    // A cursor before the pruned ones would skip them silently: refused.
    expectCode(
      await company.gql(EVENTS, { companyId: company.id, after: created!.cursor }),
      'FAILED_PRECONDITION',
    );
    // The last pruned one's cursor still resumes: nothing after it is missing.
    const resumed = await company.gql<{ customerEvents: { edges: unknown[] } }>(EVENTS, {
      companyId: company.id,
      after: before.edges[2]!.cursor,
    });
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.customerEvents.edges).toHaveLength(1);
  });

  it.runIf(isPostgres)(
    'a transaction that began first and commits last is not skipped by a reader (PostgreSQL)',
    async () => {
      const company = await newCompany(env);
      const customer = await createCustomer(company);
      const stream = eventRepository(env.store.db, company.id);
      const head = (await stream.stream(0, 500)).at(-1)!.seq;
      const event = (id: string) => ({
        id,
        customerId: customer.id,
        type: 'CUSTOMER_UPDATED',
        changes: [],
      });
      const origin = { actor: 'stf_test', requestId: null, occurredTime: null };

      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      let firstAppended!: () => void;
      const appended = new Promise<void>((resolve) => {
        firstAppended = resolve;
      });
      const first = env.store.db.transaction(async (tx) => {
        await eventRepository(tx, company.id).append([event('cev_first')], origin);
        firstAppended();
        await firstHolds;
      });
      await appended;
      // The second begins after the first and would commit first, were it not for the company's
      // position being held by the first until it commits.
      let secondDone = false;
      const second = env.store.db
        .transaction(async (tx) => {
          await eventRepository(tx, company.id).append([event('cev_second')], origin);
        })
        .then(() => {
          secondDone = true;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(secondDone).toBe(false);
      // A reader meanwhile sees neither, and keeps its position.
      expect(await stream.stream(head, 500)).toHaveLength(0);
      releaseFirst();
      await Promise.all([first, second]);
      const after = await stream.stream(head, 500);
      expect(after.map((row) => row.id)).toEqual(['cev_first', 'cev_second']);
      expect(after[1]!.seq).toBe(after[0]!.seq + 1);
    },
  );

  it.runIf(isPostgres)(
    'a reader paging during 200 concurrent writes from 8 clients sees every event once (PostgreSQL)',
    async () => {
      const company = await newCompany(env);
      const customers = await Promise.all(Array.from({ length: 8 }, () => createCustomer(company)));
      const start = (await events(company)).pageInfo.endCursor;
      let writing = true;
      const writers = customers.map(async (customer, client) => {
        for (let i = 0; i < 25; i += 1) {
          const response = await company.gql(
            `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id } } }`,
            { input: { customerId: customer.id, notes: [{ note: `client ${client} note ${i}` }] } },
          );
          expect(response.errors).toBeUndefined();
        }
      });
      const seen: string[] = [];
      let cursor = start;
      const reader = (async () => {
        while (writing || seen.length < 200) {
          const page = await events(company, { first: 7, after: cursor });
          for (const edge of page.edges) seen.push(edge.node.changes[0]!.newValue as string);
          cursor = page.pageInfo.endCursor ?? cursor;
          if (!writing && page.edges.length === 0) break;
        }
      })();
      await Promise.all(writers);
      writing = false;
      await reader;
      expect(seen).toHaveLength(200);
      expect(new Set(seen).size).toBe(200);
      // In order per customer, as each client wrote them.
      for (let client = 0; client < 8; client += 1) {
        const mine = seen.filter((note) => note.startsWith(`client ${client} `));
        expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => `client ${client} note ${i}`));
      }
    },
  );
});
