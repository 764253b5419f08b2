// `lir users`: accounts of people for the portal (registry administrator's work at the console).
// A new account gets a password typed on standard input (--password-stdin) or a random one shown
// once; two-factor roles enrol their authenticator at first sign-in.

import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { findProviderByKvk, openDatabase } from '../../catalogue/reference-data.js';
import { AccountError, createUser, disableUser, listUsers, resetTotp, setPassword, TWO_FACTOR_ROLES, unlockUser, USER_ROLES, type User } from '../../auth/users.js';
import type { Db } from '../../db/types.js';
import { CliError } from '../cli-error.js';

async function readStdinPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (end with Enter, then Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.includes('\n')) throw new CliError('--password-stdin reads one line: the password');
  return text;
}

/** 18 random bytes in base64url: 24 characters, 144 bits. */
const randomPassword = () => randomBytes(18).toString('base64url');

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await connect();
  try {
    await openDatabase(db);
    return await fn(db);
  } catch (err) {
    if (err instanceof AccountError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

function describe(u: User): string {
  const state = u.disabledAt ? 'disabled' : u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? `locked until ${u.lockedUntil}` : 'active';
  const who = u.providerKvk ?? u.organisation ?? '';
  return `${u.username.padEnd(32)} ${u.role.padEnd(15)} ${who.padEnd(20)} 2FA ${u.totpEnrolled ? 'on ' : TWO_FACTOR_ROLES.has(u.role) ? 'due' : 'off'}  ${state}`;
}

export function usersCommand(): Command {
  const cmd = new Command('users').description('portal accounts of people: provider staff, inspectors, administrators, manufacturers, associations, log managers');
  cmd
    .command('create')
    .description('create an account; prints a random first password once unless --password-stdin')
    .requiredOption('--username <name>', 'sign-in name, e.g. j.jansen@igj.nl (lower case)')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .option('--provider <kvk>', 'for a provider account: the KvK number of the care provider')
    .option('--organisation <name>', 'for a manufacturer or association account: the organisation')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'print JSON')
    .action(async (o: { username: string; role: string; provider?: string; organisation?: string; passwordStdin?: boolean; json?: boolean }) => {
      const password = o.passwordStdin ? await readStdinPassword() : randomPassword();
      await withDb(async (db) => {
        let providerId: string | undefined;
        if (o.provider) {
          const provider = await findProviderByKvk(db, o.provider);
          if (!provider) throw new CliError(`no provider with KvK number ${o.provider}; add it with \`lir providers add\``);
          providerId = provider.id;
        }
        const user = await createUser(db, {
          username: o.username, role: o.role, password, createdBy: `cli:${process.env.USER ?? 'operator'}`,
          ...(providerId ? { providerId } : {}), ...(o.organisation ? { organisation: o.organisation } : {}),
        });
        if (o.json) {
          process.stdout.write(JSON.stringify({ user, ...(o.passwordStdin ? {} : { password }) }, null, 2) + '\n');
          return;
        }
        process.stdout.write(`created ${describe(user)}\n`);
        if (!o.passwordStdin) process.stdout.write(`first password: ${password}\n(shown once; hand it over in person or by a second channel)\n`);
        if (TWO_FACTOR_ROLES.has(user.role)) process.stdout.write('two-factor is required for this role: the user sets up an authenticator app at first sign-in\n');
      });
    });
  cmd
    .command('list')
    .description('list accounts')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) =>
      withDb(async (db) => {
        const users = await listUsers(db);
        process.stdout.write(o.json ? JSON.stringify(users, null, 2) + '\n' : users.map(describe).join('\n') + (users.length ? '\n' : 'no accounts yet\n'));
      }),
    );
  const simple = (name: string, description: string, fn: (db: Db, username: string) => Promise<void>, done: string) =>
    cmd
      .command(`${name} <username>`)
      .description(description)
      .action(async (username: string) =>
        withDb(async (db) => {
          await fn(db, username);
          process.stdout.write(`${username}: ${done}\n`);
        }),
      );
  simple('disable', 'disable an account and end its sessions (the account stays: the audit log names it)', (db, u) => disableUser(db, u), 'disabled');
  simple('unlock', 'lift a lockout after failed sign-ins', (db, u) => unlockUser(db, u), 'unlocked');
  simple('reset-2fa', 'forget the authenticator (lost phone): the user enrols a new one at the next sign-in', (db, u) => resetTotp(db, u), 'two-factor reset; sessions ended');
  cmd
    .command('set-password <username>')
    .description('set a new password (read from standard input, or random and shown once); ends the account’s sessions')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, o: { passwordStdin?: boolean }) => {
      const password = o.passwordStdin ? await readStdinPassword() : randomPassword();
      await withDb(async (db) => {
        await setPassword(db, username, password);
        process.stdout.write(`${username}: password set; sessions ended\n${o.passwordStdin ? '' : `new password: ${password}\n(shown once)\n`}`);
      });
    });
  return cmd;
}
