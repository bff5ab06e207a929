// npm run apikey -- create --company cmp_001 --scopes customers:read,customers:write [--name "CI"]
// npm run apikey -- revoke key_…
// npm run apikey -- list [--company cmp_001]
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openStore } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { DomainError } from '../errors.js';
import { apiKeyRepository } from '../repositories/api-key.js';
import { apiKeyService } from '../services/api-key.js';

const USAGE = `usage:
  npm run apikey -- create --company <companyId> --scopes customers:read,customers:write [--name <name>]
  npm run apikey -- revoke <keyId>
  npm run apikey -- list [--company <companyId>]`;

async function run(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      company: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const [command, argument] = positionals;
  if (!command || !['create', 'revoke', 'list'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const store = await openStore(loadConfig().database);
  try {
    await migrate(store);
    const keys = apiKeyService(apiKeyRepository(store.db));
    if (command === 'create') {
      const { key, row } = await keys.create({
        companyId: values.company ?? '',
        scopes: (values.scopes ?? '').split(/[,\s]+/).filter(Boolean),
        ...(values.name ? { name: values.name } : {}),
      });
      process.stdout.write(
        `created ${row.id} for company ${row.companyId} with scopes ${row.scopes.join(' ')}\n` +
          `key (shown once, store it now): ${key}\n`,
      );
    } else if (command === 'revoke') {
      if (!argument) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const row = await keys.revoke(argument);
      process.stdout.write(`revoked ${row.id} (company ${row.companyId})\n`);
    } else {
      for (const row of await keys.list(values.company)) {
        const state = row.revokedTime ? `revoked ${row.revokedTime}` : 'active';
        process.stdout.write(
          `${row.id}\t${row.companyId}\t${row.scopes.join(' ')}\t${state}\t${row.name}\n`,
        );
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DomainError) {
      const details = error.fieldViolations.map((v) => `\n  ${v.field}: ${v.description}`).join('');
      process.stderr.write(`apikey: ${error.message}${details}\n`);
    } else if (error instanceof ConfigError) {
      process.stderr.write(`apikey: configuration error: ${error.message}\n`);
    } else {
      process.stderr.write(`apikey: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  },
);
