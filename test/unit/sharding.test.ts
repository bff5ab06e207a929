// The sharding check itself (test/helpers/sharding.ts), on statements that pin their tenant tables
// to one company and on statements that do not.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, unpinnedTables } from '../helpers/sharding.js';

beforeAll(loadParser);

describe('the router-query check', () => {
  it.each([
    ['select * from customers where company_id = $1 and id = $2', []],
    ['select * from customers where id = $1', ['customers']],
    // Joined on company_id to a pinned table, or pinned in an enclosing block (correlated).
    [
      'select * from customer_tags t join tags g on g.company_id = t.company_id and g.id = t.tag_id where t.company_id = $1',
      [],
    ],
    [
      'select * from customer_tags t join tags g on g.id = t.tag_id where t.company_id = $1',
      ['tags'],
    ],
    [
      'select * from customers c where c.company_id = $1 and (select count(*) from customer_tags ct where ct.company_id = c.company_id) = 2',
      [],
    ],
    [
      'select * from customers c where c.company_id = $1 and exists (select 1 from customer_tags ct where ct.customer_id = c.id)',
      ['customer_tags'],
    ],
    ['update customers set version = version + 1 where company_id = $1 and id = $2', []],
    ['delete from customer_notes where id = $1', ['customer_notes']],
    ['insert into customers (company_id, id) values ($1, $2)', []],
    ['insert into customers (id) values ($1)', ['customers']],
    // A CTE is not a table; tables that are not tenant tables are not checked.
    [
      'with doomed as (select id from customer_events where company_id = $1 limit 5) delete from customer_events e using doomed where e.company_id = $1 and e.id = doomed.id',
      [],
    ],
    ['select * from rate_limit_buckets where credential = $1', []],
  ])('%s -> %j', (statement, unpinned) => {
    expect(unpinnedTables(statement)).toEqual(unpinned);
  });
});
