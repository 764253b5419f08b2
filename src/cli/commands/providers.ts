import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { listProviders, openDatabase, PROVIDER_TYPES, ReferenceDataError, upsertProvider, type ProviderType } from '../../catalogue/reference-data.js';
import { createToken } from '../../auth/tokens.js';
import { CliError } from '../cli-error.js';

export function providersCommand(): Command {
  const cmd = new Command('providers').description('care providers that deliver to the register');
  cmd
    .command('add')
    .description('register a care provider (or update the one with this KvK number)')
    .requiredOption('--kvk <kvk>', 'KvK number, 8 digits')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--type <type>', `one of ${PROVIDER_TYPES.join(', ')}`)
    .option('--agb <agb>', 'AGB code, 8 digits')
    .option('--region <region>', 'region')
    .option('--token', 'also create a bearer token for this provider and print it once')
    .option('--json', 'print JSON')
    .action(async (o: { kvk: string; name: string; type: string; agb?: string; region?: string; token?: boolean; json?: boolean }) => {
      const db = await connect();
      try {
        await openDatabase(db);
        const provider = await upsertProvider(db, { kvk: o.kvk, name: o.name, type: o.type as ProviderType, agb: o.agb ?? null, region: o.region ?? null });
        const token = o.token ? (await createToken(db, { role: 'provider', providerId: provider.id, label: `provider ${o.kvk}` })).token : undefined;
        if (o.json) process.stdout.write(JSON.stringify({ provider, token }, null, 2) + '\n');
        else process.stdout.write(`provider ${provider.kvk} ${provider.name} (${provider.id})\n${token ? `token (shown once): ${token}\n` : ''}`);
      } catch (err) {
        if (err instanceof ReferenceDataError) throw new CliError(`${err.path.slice(1)}: ${err.message}`);
        throw err;
      } finally {
        await db.close();
      }
    });
  cmd
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const db = await connect();
      try {
        await openDatabase(db);
        const list = await listProviders(db);
        process.stdout.write(o.json ? JSON.stringify(list, null, 2) + '\n' : list.map((p) => `${p.kvk}  ${p.type.padEnd(20)} ${p.name}`).join('\n') + '\n');
      } finally {
        await db.close();
      }
    });
  return cmd;
}
