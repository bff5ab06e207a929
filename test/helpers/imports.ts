// The import graph of the project's source, read with TypeScript's own parser, and the rules its
// layers keep (STYLE.md: HTTP -> context -> schema -> services -> repositories -> database).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface Import {
  /** The importing file, relative to the project (e.g. `src/schema/customer.ts`). */
  from: string;
  /** A project file (`src/db/schema.ts`) or a package name (`drizzle-orm`). */
  to: string;
  /** Erased at compile time: `import type`, or only type specifiers. */
  typeOnly: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const packageOf = (specifier: string) =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] ?? '');

/** Every import and re-export (static and dynamic) of every .ts file under `dir`. */
export function importsOf(root: string, dir: string): Import[] {
  return filesUnder(join(root, dir)).flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const from = relative(root, file);
    const found: Import[] = [];
    const add = (specifier: string, typeOnly: boolean) => {
      const to = specifier.startsWith('.')
        ? relative(root, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts')
        : packageOf(specifier);
      found.push({ from, to, typeOnly });
    };
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const bindings = clause?.namedBindings;
        const onlyTypes =
          clause?.isTypeOnly === true ||
          (clause !== undefined &&
            clause.name === undefined &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly));
        add(node.moduleSpecifier.text, onlyTypes);
      } else if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        add(node.moduleSpecifier.text, node.isTypeOnly);
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        add(node.arguments[0].text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  });
}

export interface Rule {
  /** What the rule protects, in words. */
  name: string;
  /** Files the rule applies to. */
  from: RegExp;
  /** Imports they must not make. */
  to: RegExp;
  /** Whether type-only imports break it too (false: only imports that run). */
  types: boolean;
}

const GRAPHQL_PACKAGES =
  /^(graphql|graphql-.*|@graphql-.*|@pothos\/.*|@envelop\/.*|@escape\.tech\/.*)$/;
const DATABASE_CODE = /^(src\/(db|repositories)\/.*|drizzle-orm|postgres|@electric-sql\/.*)$/;

export const LAYER_RULES: Rule[] = [
  {
    name: 'the schema reaches the database only through services and loaders',
    from: /^src\/schema\//,
    to: DATABASE_CODE,
    types: false,
  },
  {
    name: 'services, repositories, the database layer, auth and lib know nothing of GraphQL',
    from: /^src\/(services|repositories|db|lib|auth)\/|^src\/(errors|config)\.ts$/,
    to: new RegExp(`${GRAPHQL_PACKAGES.source}|^src/(schema|graphql|http)/`),
    types: true,
  },
  {
    name: 'repositories and the database layer stand below the services',
    from: /^src\/(repositories|db)\//,
    to: /^src\/(services\/|context\.ts)/,
    types: true,
  },
  {
    name: 'the database layer stands below the repositories',
    from: /^src\/db\//,
    to: /^src\/repositories\//,
    types: true,
  },
];

/** Each import that breaks a rule, as `rule: from -> to`. */
export function violations(imports: readonly Import[], rules: readonly Rule[]): string[] {
  return imports.flatMap((imported) =>
    rules
      .filter(
        (rule) =>
          rule.from.test(imported.from) &&
          rule.to.test(imported.to) &&
          (rule.types || !imported.typeOnly),
      )
      .map((rule) => `${rule.name}: ${imported.from} -> ${imported.to}`),
  );
}

/** The import cycles between project files (type-only imports included), each as a path. */
export function cycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const { from, to } of imports) {
    if (!to.startsWith('src/')) continue;
    edges.set(from, [...(edges.get(from) ?? []), to]);
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}
