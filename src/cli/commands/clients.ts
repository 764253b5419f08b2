import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { findProviderByKvk, openDatabase } from '../../catalogue/reference-data.js';
import { createClient, listClients, OAuthClientError, parsePublicKeys, parseScopes, revokeClient, type OAuthClient } from '../../auth/oauth-clients.js';
import { defaultSecretFile, rotateSigningKey } from '../../auth/signing-key.js';
import { CliError } from '../cli-error.js';

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,7}$/.test(value)) throw new CliError(`${name} must be a whole number of requests per minute, not ${value}`);
  return Number(value);
}

function describe(c: OAuthClient): string {
  const method = c.authMethod === 'client_secret' ? 'client secret' : 'private_key_jwt';
  return `${c.id}  ${c.providerKvk}  ${method.padEnd(15)} ${String(c.ratePerMinute).padStart(6)}/min  ${c.revokedAt ? `revoked ${c.revokedAt}` : 'active'}  ${c.label}`;
}

export function clientsCommand(): Command {
  const cmd = new Command('clients').description('OAuth clients: systems (EHRs) that get access tokens at /oauth/token for one provider');
  cmd
    .command('create')
    .description('create a client bound to one provider; prints the client id and (for a secret client) the secret, once')
    .requiredOption('--provider <kvk>', 'KvK number of the provider the client delivers for')
    .option('--jwk <file>', 'public key of the client (JWK, JWK Set or PEM): authenticates with private_key_jwt instead of a secret')
    .option('--rate <n>', 'requests per minute to /api/v1 and /fhir/R4 (default 600)')
    .option('--token-rate <n>', 'requests per minute to /oauth/token (default 30)')
    .option('--scope <scopes>', 'what its tokens may do: "system/*.read system/*.write" (default both)')
    .option('--label <label>', 'what the client is (e.g. the EHR and its environment)', 'EHR connection')
    .option('--json', 'print JSON')
    .action(async (o: { provider: string; jwk?: string; rate?: string; tokenRate?: string; scope?: string; label: string; json?: boolean }) => {
      const ratePerMinute = wholeNumber('--rate', o.rate);
      const tokenRatePerMinute = wholeNumber('--token-rate', o.tokenRate);
      const scopes = o.scope === undefined ? undefined : parseScopes(o.scope);
      if (o.scope !== undefined && (!scopes || scopes.length === 0)) throw new CliError('--scope takes system/*.read, system/*.write or both, space-separated');
      let publicJwks;
      if (o.jwk) {
        let text: string;
        try {
          text = await readFile(o.jwk, 'utf8');
        } catch (err) {
          throw new CliError(`cannot read ${o.jwk}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        try {
          publicJwks = await parsePublicKeys(text);
        } catch (err) {
          if (err instanceof OAuthClientError) throw new CliError(`${o.jwk}: ${err.message}`);
          throw err;
        }
      }
      const db = await connect();
      try {
        await openDatabase(db);
        const provider = await findProviderByKvk(db, o.provider);
        if (!provider) throw new CliError(`no provider with KvK number ${o.provider}; add it with \`lir providers add\``);
        const { client, secret } = await createClient(db, {
          providerId: provider.id,
          label: o.label,
          createdBy: `cli:${process.env.USER ?? 'operator'}`,
          ...(publicJwks ? { publicJwks } : {}),
          ...(scopes ? { scopes } : {}),
          ...(ratePerMinute !== undefined ? { ratePerMinute } : {}),
          ...(tokenRatePerMinute !== undefined ? { tokenRatePerMinute } : {}),
        });
        if (o.json) {
          process.stdout.write(JSON.stringify({ client, ...(secret ? { clientSecret: secret } : {}) }, null, 2) + '\n');
          return;
        }
        process.stdout.write(
          `client for ${provider.kvk} ${provider.name} (${client.authMethod === 'client_secret' ? 'client secret' : 'private_key_jwt'}, ` +
            `${client.ratePerMinute} requests/min, scope ${client.scopes.join(' ')})\n` +
            `client_id:     ${client.id}\n` +
            (secret ? `client_secret: ${secret}\n(the secret is shown once and stored only as a hash: put it in the EHR's secret store now)\n` : ''),
        );
      } catch (err) {
        if (err instanceof OAuthClientError) throw new CliError(err.message);
        throw err;
      } finally {
        await db.close();
      }
    });
  cmd
    .command('list')
    .description('list clients (never their secrets)')
    .option('--provider <kvk>', 'only the clients of this provider')
    .option('--json', 'print JSON')
    .action(async (o: { provider?: string; json?: boolean }) => {
      const db = await connect();
      try {
        await openDatabase(db);
        let providerId: string | undefined;
        if (o.provider) {
          const p = await findProviderByKvk(db, o.provider);
          if (!p) throw new CliError(`no provider with KvK number ${o.provider}`);
          providerId = p.id;
        }
        const list = await listClients(db, providerId ? { providerId } : {});
        process.stdout.write(o.json ? JSON.stringify(list, null, 2) + '\n' : list.length === 0 ? 'no clients\n' : list.map(describe).join('\n') + '\n');
      } finally {
        await db.close();
      }
    });
  cmd
    .command('revoke <id>')
    .description('revoke a client: it gets no new tokens, and its current tokens stop working within seconds')
    .action(async (id: string) => {
      const db = await connect();
      try {
        await openDatabase(db);
        if (!(await revokeClient(db, id))) throw new CliError(`no active client ${id.slice(0, 60)}`);
        process.stdout.write(`revoked ${id}\n`);
      } finally {
        await db.close();
      }
    });
  cmd
    .command('rotate-key')
    .description("roll the register's access-token signing key (LIR_SECRET_FILE): a new kid signs from now on; the old public key stays in the JWKS until its tokens have expired")
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const file = defaultSecretFile();
      const { kid, previousKid } = await rotateSigningKey(file);
      if (o.json) process.stdout.write(JSON.stringify({ file, kid, previousKid: previousKid ?? null }) + '\n');
      else process.stdout.write(`${file}: new signing key ${kid}${previousKid ? ` (previous ${previousKid} stays in /oauth/jwks.json for 15 minutes)` : ''}\nrunning servers pick it up within 30 seconds\n`);
    });
  return cmd;
}
