// `lir clients create | list | revoke | rotate-key` in process, on every database (the embedded one
// in a temporary LIR_DATA_DIR, and a fresh database on the PostgreSQL server via DATABASE_URL).

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { createDatabase, DATABASES } from '../helpers/databases.js';
import { main } from '../../src/cli/main.js';
import { connect } from '../../src/db/connect.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertProvider } from '../../src/catalogue/reference-data.js';
import { buildApp } from '../../src/http/app.js';
import { basic, tokenRequest } from './helpers.js';

const lir = (...args: string[]) => captureOutput(() => main(['node', 'lir', ...args]));
const saved = { dataDir: process.env.LIR_DATA_DIR, url: process.env.DATABASE_URL, secret: process.env.LIR_SECRET_FILE };

for (const database of DATABASES) {
  describe(`lir clients on ${database.name}`, () => {
    let dir: string;
    let secretFile: string;

    const withDb = async <T>(fn: (db: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> => {
      const db = await connect();
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lir-clients-cli-'));
      secretFile = join(dir, 'keys', 'lir-signing-key.json');
      process.env.LIR_SECRET_FILE = secretFile;
      if (database.name === 'postgres') process.env.DATABASE_URL = await createDatabase(process.env.LIR_TEST_PG_URL!);
      else {
        delete process.env.DATABASE_URL;
        process.env.LIR_DATA_DIR = join(dir, 'db');
      }
      await withDb(async (db) => {
        await servicesFor(db);
        await upsertProvider(db, { kvk: '41215422', agb: null, name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
      });
    });
    afterEach(() => {
      process.exitCode = undefined;
    });
    afterAll(async () => {
      for (const [k, v] of [['LIR_DATA_DIR', saved.dataDir], ['DATABASE_URL', saved.url], ['LIR_SECRET_FILE', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await rm(dir, { recursive: true, force: true });
    });

    it('creates a secret client, prints the secret once, and stores only its scrypt hash', async () => {
      const r = await lir('clients', 'create', '--provider', '41215422', '--label', 'HiX productie');
      expect(r.exitCode ?? 0).toBe(0);
      const id = /^client_id: +(\S+)$/m.exec(r.out)?.[1];
      const secret = /^client_secret: +(\S+)$/m.exec(r.out)?.[1];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(secret).toMatch(/^lirs_[A-Za-z0-9_-]{43}$/); // 32 random bytes
      expect(r.out.split(secret!).length - 1).toBe(1);
      expect(r.out).toMatch(/shown once/);
      expect(r.out).toContain('41215422 Ziekenhuis Rivierenland');

      // the clients table holds no clear secret, only scrypt$…
      const rows = await withDb((db) => db.query<{ t: string; secret_hash: string }>('SELECT c::text AS t, secret_hash FROM oauth_clients c'));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.t).not.toContain(secret!);
      expect(rows[0]!.t).not.toContain(secret!.slice(5));
      expect(rows[0]!.secret_hash).toMatch(/^scrypt\$/);

      // list and list --json never show it
      const list = await lir('clients', 'list');
      expect(list.out).toContain(id!);
      expect(list.out).toContain('HiX productie');
      expect(list.out).not.toContain(secret!);
      const json = await lir('clients', 'list', '--json', '--provider', '41215422');
      expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ id, providerKvk: '41215422', authMethod: 'client_secret', ratePerMinute: 600, tokenRatePerMinute: 30, revokedAt: null })]);
      expect(json.out).not.toContain(secret!);
      expect(json.out).not.toContain('scrypt');

      // the secret gets a token from the register
      await withDb(async (db) => {
        const app = await buildApp(await servicesFor(db));
        try {
          const res = await tokenRequest(app, { grant_type: 'client_credentials' }, { authorization: basic(id!, secret!) });
          expect(res.statusCode, res.body).toBe(200);
        } finally {
          await app.close();
        }
      });
    });

    it('creates a private_key_jwt client from a PEM or JWK public key, with rate and scope', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeFile(join(dir, 'client.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      await writeFile(join(dir, 'client.key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(dir, 'client.jwk.json'), JSON.stringify(privateKey.export({ format: 'jwk' })));

      const pem = await lir('clients', 'create', '--provider', '41215422', '--jwk', join(dir, 'client.pub.pem'), '--rate', '120', '--token-rate', '10', '--scope', 'system/*.write', '--json');
      expect(pem.exitCode ?? 0).toBe(0);
      const out = JSON.parse(pem.out);
      expect(out.clientSecret).toBeUndefined();
      expect(out.client).toMatchObject({ authMethod: 'private_key_jwt', ratePerMinute: 120, tokenRatePerMinute: 10, scopes: ['system/*.write'] });
      const [row] = await withDb((db) => db.query<{ public_jwks: { keys: Array<Record<string, string>> }; secret_hash: string | null }>('SELECT public_jwks, secret_hash FROM oauth_clients WHERE id = $1', [out.client.id]));
      expect(row!.secret_hash).toBeNull();
      expect(row!.public_jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: expect.any(String) })]);
      expect(row!.public_jwks.keys[0]).not.toHaveProperty('d');

      const jwk = await lir('clients', 'create', '--provider', '41215422', '--jwk', join(dir, 'client.jwk.json'));
      expect(jwk.exitCode).toBe(1);
      expect(jwk.err).toMatch(/private key material: register only the public key/);
      const pkcs8 = await lir('clients', 'create', '--provider', '41215422', '--jwk', join(dir, 'client.key.pem'));
      expect(pkcs8.exitCode).toBe(1);
      expect(pkcs8.err).toMatch(/this is a private key/);
    });

    it('refuses bad input with a message and exit 1', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['clients', 'create', '--provider', '99999999'], /no provider with KvK number 99999999/],
        [['clients', 'create', '--provider', '41215422', '--rate', 'fast'], /--rate must be a whole number/],
        [['clients', 'create', '--provider', '41215422', '--rate', '0'], /from 1 to 1000000/],
        [['clients', 'create', '--provider', '41215422', '--scope', 'user/*.read'], /--scope takes/],
        [['clients', 'create', '--provider', '41215422', '--jwk', join(dir, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
        [['clients', 'revoke', 'not-a-client'], /no active client not-a-client/],
      ];
      for (const [args, message] of cases) {
        const r = await lir(...args);
        expect(r.exitCode, args.join(' ')).toBe(1);
        expect(r.err, args.join(' ')).toMatch(message);
        process.exitCode = undefined;
      }
    });

    it('revokes a client once', async () => {
      const created = JSON.parse((await lir('clients', 'create', '--provider', '41215422', '--json')).out);
      const r = await lir('clients', 'revoke', created.client.id);
      expect(r.out).toBe(`revoked ${created.client.id}\n`);
      const again = await lir('clients', 'revoke', created.client.id);
      expect(again.exitCode).toBe(1);
      const list = JSON.parse((await lir('clients', 'list', '--json')).out) as Array<{ id: string; revokedAt: string | null }>;
      expect(list.find((c) => c.id === created.client.id)!.revokedAt).not.toBeNull();
    });

    it('rotates the signing key: new kid, the old public key stays in the JWKS', async () => {
      // the key file was made by the token request above, with mode 0600
      const before = JSON.parse(readFileSync(secretFile, 'utf8')) as { current: { kid: string } };
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      const r = await lir('clients', 'rotate-key', '--json');
      expect(r.exitCode ?? 0).toBe(0);
      const out = JSON.parse(r.out);
      expect(out).toMatchObject({ file: secretFile, previousKid: before.current.kid });
      expect(out.kid).not.toBe(before.current.kid);
      const after = JSON.parse(readFileSync(secretFile, 'utf8')) as { current: { kid: string }; previous: Array<{ kid: string; d?: string }> };
      expect(after.current.kid).toBe(out.kid);
      expect(after.previous.map((k) => k.kid)).toEqual([before.current.kid]);
      expect(after.previous[0]).not.toHaveProperty('d');
      expect(statSync(secretFile).mode & 0o777).toBe(0o600);
      expect(r.out).not.toMatch(/"d"/);
    });

    it('is listed in lir --help', async () => {
      const r = await lir('--help');
      expect(r.out).toMatch(/clients/);
    });
  });
}
