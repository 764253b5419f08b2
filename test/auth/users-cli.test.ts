// `lir users create | list | set-password | unlock | reset-2fa | disable`, in process on every
// database; --password-stdin through the real bin with a pipe.

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { DATABASES } from '../helpers/databases.js';
import { useCliDatabase } from '../helpers/cli-database.js';
import { main } from '../../src/cli/main.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertProvider } from '../../src/catalogue/reference-data.js';
import { signInWithPassword } from '../../src/auth/users.js';

const lir = (...args: string[]) => captureOutput(() => main(['node', 'lir', ...args]));

for (const database of DATABASES) {
  describe(`lir users on ${database.name}`, () => {
    const { withDb } = useCliDatabase(database, 'lir-users-cli');

    beforeAll(async () => {
      await withDb(async (db) => {
        await servicesFor(db);
        await upsertProvider(db, { kvk: '41215422', agb: null, name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
      });
    });

    it('creates accounts for every role with a random first password shown once, stored only as a hash', async () => {
      const r = await lir('users', 'create', '--username', 'a.arts', '--role', 'provider', '--provider', '41215422');
      expect(r.exitCode ?? 0, r.err).toBe(0);
      const password = /^first password: (\S+)$/m.exec(r.out)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(r.out).toMatch(/shown once/);
      const stored = await withDb((db) => db.query<{ t: string }>("SELECT u::text AS t FROM users u WHERE username = 'a.arts'"));
      expect(stored[0]!.t).not.toContain(password!);
      expect(stored[0]!.t).toContain('scrypt$');
      expect((await withDb((db) => signInWithPassword(db, 'a.arts', password!))).ok).toBe(true);

      const inspector = await lir('users', 'create', '--username', 'i.inspecteur@igj.nl', '--role', 'inspector');
      expect(inspector.out).toMatch(/two-factor is required/);
      expect((await lir('users', 'create', '--username', 'fabrikant1', '--role', 'manufacturer', '--organisation', 'Cuprum Medical')).exitCode ?? 0).toBe(0);
      expect((await lir('users', 'create', '--username', 'nvog.kwaliteit', '--role', 'association', '--organisation', 'NVOG')).exitCode ?? 0).toBe(0);
      expect((await lir('users', 'create', '--username', 'logbeheer', '--role', 'log-manager')).exitCode ?? 0).toBe(0);

      const list = await lir('users', 'list');
      expect(list.out).toMatch(/^a\.arts +provider +41215422 +2FA off +active$/m);
      expect(list.out).toMatch(/^i\.inspecteur@igj\.nl +inspector +2FA due +active$/m);
      expect(list.out).toMatch(/^nvog\.kwaliteit +association +NVOG/m);
      const json = JSON.parse((await lir('users', 'list', '--json')).out) as { username: string }[];
      expect(json.map((u) => u.username)).toEqual(['a.arts', 'fabrikant1', 'i.inspecteur@igj.nl', 'logbeheer', 'nvog.kwaliteit']);
      expect(JSON.stringify(json)).not.toMatch(/scrypt|totp_secret|passwordHash/);
    });

    it.each([
      [['--username', 'X Y', '--role', 'inspector'], /a username has 3 to 64 characters/],
      [['--username', 'nieuw', '--role', 'admin'], /role must be one of provider, inspector, registry-admin, manufacturer, association, log-manager/],
      [['--username', 'nieuw', '--role', 'provider'], /a provider account needs the provider/],
      [['--username', 'nieuw', '--role', 'provider', '--provider', '99999999'], /no provider with KvK number 99999999/],
      [['--username', 'nieuw', '--role', 'association'], /need the organisation/],
      [['--username', 'a.arts', '--role', 'inspector'], /there is already an account a\.arts/],
    ])('refuses %j with a message and exit 1, creating nothing', async (args, message) => {
      const before = await withDb((db) => db.query('SELECT id FROM users'));
      const r = await lir('users', 'create', ...args);
      expect(r.exitCode).toBe(1);
      expect(r.err).toMatch(message);
      expect(await withDb((db) => db.query('SELECT id FROM users'))).toHaveLength(before.length);
    });

    it('sets a new password, unlocks, resets two-factor and disables; an unknown account is an error', async () => {
      const set = await lir('users', 'set-password', 'a.arts');
      const password = /^new password: (\S+)$/m.exec(set.out)?.[1];
      expect((await withDb((db) => signInWithPassword(db, 'a.arts', password!))).ok).toBe(true);
      await withDb((db) => db.query("UPDATE users SET locked_until = now() + interval '1 hour' WHERE username = 'a.arts'"));
      expect(await withDb((db) => signInWithPassword(db, 'a.arts', password!))).toMatchObject({ ok: false, reason: 'locked' });
      expect((await lir('users', 'unlock', 'a.arts')).out).toBe('a.arts: unlocked\n');
      expect((await withDb((db) => signInWithPassword(db, 'a.arts', password!))).ok).toBe(true);
      await withDb((db) => db.query("UPDATE users SET totp_secret = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE username = 'i.inspecteur@igj.nl'"));
      expect((await lir('users', 'reset-2fa', 'i.inspecteur@igj.nl')).exitCode ?? 0).toBe(0);
      expect((await withDb((db) => db.query<{ s: string | null }>("SELECT totp_secret AS s FROM users WHERE username = 'i.inspecteur@igj.nl'")))[0]!.s).toBeNull();
      expect((await lir('users', 'disable', 'a.arts')).out).toBe('a.arts: disabled\n');
      expect(await withDb((db) => signInWithPassword(db, 'a.arts', password!))).toMatchObject({ ok: false, reason: 'invalid' });
      expect((await lir('users', 'list')).out).toMatch(/^a\.arts .* disabled$/m);
      const unknown = await lir('users', 'unlock', 'niemand');
      expect(unknown.exitCode).toBe(1);
      expect(unknown.err).toMatch(/there is no account niemand/);
    });
  });
}

// The real bin with a pipe on standard input (the embedded database in a temporary directory).
describe('lir users create --password-stdin', () => {
  it('reads the password from standard input and refuses a weak one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lir-users-stdin-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, LIR_DATA_DIR: join(dir, 'db') };
      delete env.DATABASE_URL;
      const run = (input: string, username: string) =>
        spawnSync(process.execPath, ['bin/lir.js', 'users', 'create', '--username', username, '--role', 'registry-admin', '--password-stdin'], { input, env, encoding: 'utf8' });
      const weak = run('kort\n', 'beheer.zwak');
      expect(weak.status).toBe(1);
      expect(weak.stderr).toMatch(/at least 12 characters/);
      const ok = run('Een lang genoeg wachtwoord\n', 'beheer.cibg');
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/created beheer\.cibg +registry-admin/);
      expect(ok.stdout).not.toMatch(/password:/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
