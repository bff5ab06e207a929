// Logs carry no personal data: redacted wherever a logged object holds it, and left out of the
// errors of failed statements (drizzle-orm spells a statement's values into its error message).
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/lib/logger.js';
import { minimalInput } from './helpers/customers.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const PHONE = '+12125559876';

function capture() {
  const lines: string[] = [];
  return { logger: createLogger('debug', (line) => lines.push(line)), lines };
}

describe('the log', () => {
  it('redacts phone, e-mail, names and note text at any depth', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        phone: PHONE,
        detail: [
          {
            variables: {
              input: {
                firstName: 'Ada',
                lastName: 'Lovelace',
                email: 'ada@example.com',
                notes: [{ note: 'Allergic to oatmeal shampoo.' }],
              },
            },
          },
        ],
        filter: { mainPhoneNumber: PHONE },
        requestId: 'req-1',
      },
      'a request',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toMatch(/5559876|Ada|Lovelace|ada@example|oatmeal/);
    expect(line).toContain('[redacted]');
    expect(JSON.parse(line)).toMatchObject({
      level: 'info',
      message: 'a request',
      requestId: 'req-1',
    });
  });

  it('redacts without changing the logged object, in errors too', () => {
    const { logger, lines } = capture();
    const logged = { input: { firstName: 'Ada', tags: ['VIP'] }, requestId: 'req-2' };
    const error = Object.assign(new Error('refused'), { email: 'ada@example.com' });
    logger.warn({ ...logged, error }, 'refused');
    expect(logged.input.firstName).toBe('Ada');
    expect(error.email).toBe('ada@example.com');
    const line = JSON.parse(lines[0]!);
    expect(line.input).toEqual({ firstName: '[redacted]', tags: ['VIP'] });
    expect(line.error.email).toBe('[redacted]');
    expect(line.error.message).toBe('refused');
  });

  it("keeps a failed statement's SQL but not its values, nor the values PostgreSQL quotes back", async () => {
    const { logger, lines } = capture();
    const failed = await env.store.db
      .execute(sql`select ${PHONE}::text as phone from no_such_table`)
      .catch((error: unknown) => error);
    expect(String((failed as Error).message)).toContain(PHONE);
    const key = `cmp_${Date.now()}_${PHONE}`;
    await env.store.db.execute(sql`insert into companies (company_id) values (${key})`);
    const duplicate = await env.store.db
      .execute(sql`insert into companies (company_id) values (${key})`)
      .catch((error: unknown) => error);
    logger.error({ error: failed }, 'internal error');
    logger.error({ error: duplicate }, 'internal error');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain('5559876');
    expect(lines[0]).toContain('no_such_table');
    expect(JSON.parse(lines[0]!).error.message).toMatch(/^Failed query: select/);
  });

  it('writes one line per request: operation, type, status, ms, request ID, company, actor, cost', async () => {
    const company = await newCompany(env);
    env.logs.length = 0;
    const response = await company.gql(
      `mutation Make($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`,
      { input: { ...minimalInput(company.id), phone: PHONE, email: 'leak@example.com' } },
      { headers: { 'x-request-id': 'req-log-1' } },
    );
    expect(response.errors).toBeUndefined();
    const lines = env.logs.filter((line) => line.includes('"message":"request"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      requestId: 'req-log-1',
      operation: 'Make',
      type: 'mutation',
      status: 200,
      company: company.id,
      actor: company.staffId,
      cost: 0,
    });
    expect(lines[0]).not.toContain(PHONE);
    expect(lines[0]).not.toContain('leak@example.com');
  });
});
