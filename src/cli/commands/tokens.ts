import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { findProviderByKvk, openDatabase } from '../../catalogue/reference-data.js';
import { createToken, revokeToken, type TokenRole } from '../../auth/tokens.js';
import { CliError } from '../cli-error.js';

export function tokensCommand(): Command {
  const cmd = new Command('tokens').description('API bearer tokens (interim access until OAuth clients and accounts)');
  cmd
    .command('create')
    .description('create a token and print it once')
    .requiredOption('--role <role>', 'provider, inspector or registry-admin')
    .option('--provider <kvk>', 'the provider a provider token acts for')
    .option('--label <label>', 'what the token is for', 'cli')
    .action(async (o: { role: string; provider?: string; label: string }) => {
      if (!['provider', 'inspector', 'registry-admin'].includes(o.role)) throw new CliError('--role must be provider, inspector or registry-admin');
      if ((o.role === 'provider') !== Boolean(o.provider)) throw new CliError('--provider <kvk> is needed for, and only for, a provider token');
      const db = await connect();
      try {
        await openDatabase(db);
        let providerId: string | undefined;
        if (o.provider) {
          const p = await findProviderByKvk(db, o.provider);
          if (!p) throw new CliError(`no provider with KvK number ${o.provider}; add it with \`lir providers add\``);
          providerId = p.id;
        }
        const { id, token } = await createToken(db, { role: o.role as TokenRole, label: o.label, ...(providerId ? { providerId } : {}) });
        process.stdout.write(`token ${id} (shown once):\n${token}\n`);
      } finally {
        await db.close();
      }
    });
  cmd
    .command('revoke <id>')
    .action(async (id: string) => {
      const db = await connect();
      try {
        if (!(await revokeToken(db, id))) throw new CliError(`no active token ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      } finally {
        await db.close();
      }
    });
  return cmd;
}
