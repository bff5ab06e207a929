// Sharding readiness, checked on the SQL the suite sends (docs/scaling.md): with `company_id` as
// the distribution column, a statement is a single-shard router query when every tenant table it
// reads or writes is pinned to one company: `company_id = <value>` in its query block, or joined
// on company_id to a table that is (also from an enclosing block, for a correlated subquery), or,
// for an INSERT, given company_id in its columns. Statements are parsed by PostgreSQL's own
// parser (libpg-query, compiled to WebAssembly), not matched as text.
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { loadModule, parseSync } from 'libpg-query';
import * as tables from '../../src/db/schema.js';

/**
 * Tables that carry company_id but are found by another key before the company is known: the
 * credential's API key at authentication, a card-on-file link's token when it is opened. Each
 * is distributed by that key, or kept as a reference table (docs/scaling.md).
 */
export const ROUTING_TABLES = new Set(['api_keys', 'cof_link_routes']);

/** Tables whose rows belong to one company (distributed by company_id): every table with it. */
export const TENANT_TABLES = new Set(
  (Object.values(tables) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .filter(
      (table) =>
        'company_id' in
        Object.fromEntries(
          Object.values(getTableColumns(table)).map((column) => [column.name, true]),
        ),
    )
    .map((table) => getTableName(table))
    .filter((name) => !ROUTING_TABLES.has(name)),
);

/**
 * Statements that touch tenant tables across companies on purpose, each with why (multi-shard in
 * a distributed database; docs/scaling.md lists them). Matched on the statement's text.
 */
export const MULTI_COMPANY: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^\s*with doomed as \(\s*select .* from "customer_events"/s,
    why: 'retention: prunes old events of every company, in batches',
  },
  {
    pattern: /^\s*with doomed as \(\s*select .* from "idempotency_keys"/s,
    why: 'retention: prunes expired idempotency keys of every company, in batches',
  },
  {
    pattern: /from "webhook_deliveries"[\s\S]*next_attempt_time/,
    why: 'the webhook worker claims due deliveries of every company',
  },
];

type Node = Record<string, unknown>;

let loaded: Promise<void> | null = null;
/** Loads the parser (once). */
export const loadParser = () => {
  loaded ??= loadModule();
  return loaded;
};

const isObject = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The name of a column reference's last field and its qualifier, if any. */
function columnOf(node: unknown): { qualifier: string | null; name: string } | null {
  if (!isObject(node)) return null;
  const ref = (node.ColumnRef ?? (isObject(node.TypeCast) ? (node.TypeCast as Node).arg : null)) as
    | Node
    | undefined;
  const column = isObject(ref) && 'ColumnRef' in ref ? (ref.ColumnRef as Node) : ref;
  const fields = isObject(column) ? (column.fields as Node[] | undefined) : undefined;
  if (!fields) return null;
  const names = fields.map((f) => (isObject(f.String) ? String((f.String as Node).sval) : '*'));
  const name = names.at(-1)!;
  return { qualifier: names.length > 1 ? names.at(-2)! : null, name };
}

/** The conjuncts of a condition (its AND parts). */
function conjuncts(node: unknown): unknown[] {
  if (!isObject(node)) return [];
  const bool = node.BoolExpr as Node | undefined;
  if (bool && bool.boolop === 'AND_EXPR') return (bool.args as unknown[]).flatMap(conjuncts);
  return [node];
}

/** `a = b`, as its two sides. */
function equality(node: unknown): [unknown, unknown] | null {
  if (!isObject(node) || !isObject(node.A_Expr)) return null;
  const expr = node.A_Expr as Node;
  const op = (expr.name as Node[] | undefined)?.[0];
  if (expr.kind !== 'AEXPR_OP' || !isObject(op) || (op.String as Node)?.sval !== '=') return null;
  return [expr.lexpr, expr.rexpr];
}

interface Scan {
  /** The tenant tables of the block, by the name they go by (alias or table name). */
  tables: Map<string, string>;
  /** Conditions that can pin them: WHERE and JOIN … ON. */
  conditions: unknown[];
}

/** The tables a FROM item names (not descending into subqueries), and its join conditions. */
function scanFrom(items: unknown[] | undefined, ctes: Set<string>, scan: Scan) {
  for (const item of items ?? []) {
    if (!isObject(item)) continue;
    if (isObject(item.RangeVar)) {
      const range = item.RangeVar as Node;
      const table = String(range.relname);
      if (ctes.has(table) || !TENANT_TABLES.has(table)) continue;
      const alias = isObject(range.alias) ? String((range.alias as Node).aliasname) : table;
      scan.tables.set(alias, table);
    } else if (isObject(item.JoinExpr)) {
      const join = item.JoinExpr as Node;
      scanFrom([join.larg, join.rarg], ctes, scan);
      scan.conditions.push(...conjuncts(join.quals));
    }
  }
}

/**
 * The tenant tables of one statement that are not pinned to one company, by name (empty: a
 * router query).
 */
export function unpinnedTables(statement: string): string[] {
  const parsed = parseSync(statement) as { stmts: { stmt: Node }[] };
  const found: string[] = [];
  for (const { stmt } of parsed.stmts) visit(stmt, new Set(), new Set(), found);
  return [...new Set(found)];
}

/** Checks every query block under `node`; `outer` are the names pinned in enclosing blocks. */
function visit(node: unknown, ctes: Set<string>, outer: Set<string>, found: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, ctes, outer, found);
    return;
  }
  if (!isObject(node)) return;
  for (const [kind, body] of Object.entries(node)) {
    if (!isObject(body)) {
      visit(body, ctes, outer, found);
      continue;
    }
    if (!['SelectStmt', 'UpdateStmt', 'DeleteStmt', 'InsertStmt'].includes(kind)) {
      visit(body, ctes, outer, found);
      continue;
    }
    const names = new Set(ctes);
    const withClause = body.withClause as Node | undefined;
    for (const cte of (withClause?.ctes as Node[] | undefined) ?? []) {
      names.add(String((cte.CommonTableExpr as Node).ctename));
    }
    const scan: Scan = { tables: new Map(), conditions: conjuncts(body.whereClause) };
    let insertPinned = false;
    if (kind === 'InsertStmt') {
      const target = body.relation as Node;
      const table = String(target.relname);
      const columns = ((body.cols as Node[] | undefined) ?? []).map((c) =>
        String((c.ResTarget as Node).name),
      );
      if (TENANT_TABLES.has(table) && !names.has(table)) {
        insertPinned = columns.includes('company_id');
        if (!insertPinned) found.push(table);
      }
    } else {
      scanFrom(
        [
          ...(kind === 'SelectStmt' ? [] : [{ RangeVar: body.relation }]),
          ...((body.fromClause as unknown[]) ?? []),
          ...((body.usingClause as unknown[]) ?? []),
        ],
        names,
        scan,
      );
    }
    // Pinned: company_id = a value that is not another table's company_id; then spread along
    // company_id = company_id joins, from the enclosing blocks' pinned names too.
    const pinned = new Set<string>();
    const joins: [string, string][] = [];
    const only = scan.tables.size === 1 ? [...scan.tables.keys()][0]! : null;
    for (const condition of scan.conditions) {
      const sides = equality(condition);
      if (!sides) continue;
      const [left, right] = sides.map(columnOf);
      const isCompany = (c: typeof left) => c?.name === 'company_id';
      if (isCompany(left) && isCompany(right)) {
        joins.push([left!.qualifier ?? only ?? '', right!.qualifier ?? only ?? '']);
      } else if (isCompany(left) || isCompany(right)) {
        const column = isCompany(left) ? left! : right!;
        pinned.add(column.qualifier ?? only ?? '');
      }
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const [a, b] of joins) {
        const aPinned = pinned.has(a) || outer.has(a);
        const bPinned = pinned.has(b) || outer.has(b);
        if (aPinned !== bPinned) {
          pinned.add(aPinned ? b : a);
          changed = true;
        }
      }
    }
    for (const [name, table] of scan.tables) {
      if (!pinned.has(name) && !outer.has(name)) found.push(table);
    }
    // Deeper blocks (subqueries, CTEs, INSERT … SELECT) see this block's pinned names.
    const inner = new Set([...outer, ...pinned]);
    visit(Object.values(body), names, inner, found);
  }
}
