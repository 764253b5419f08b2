// The shell and Node examples of docs/oauth.md, run as written (bash, curl, openssl, node) against a
// register listening on a real port.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { buildApp } from '../../src/http/app.js';
import { createClient, parsePublicKeys } from '../../src/auth/oauth-clients.js';
import { useTempSecretFile } from './helpers.js';

const run = promisify(execFile);
const secretFile = useTempSecretFile();
const DOC = readFileSync(join(import.meta.dirname, '../../docs/oauth.md'), 'utf8');

/** The fenced block after `<!-- test:name -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- test:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (!m) throw new Error(`docs/oauth.md has no block test:${name}`);
  return m[1]!;
}

const haveTools = ['curl', 'openssl', 'jq'].every((t) => ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, t))));

for (const database of DATABASES) {
  describe.runIf(haveTools)(`docs/oauth.md examples on ${database.name}`, () => {
    let reg: TestRegister;
    let app: FastifyInstance;
    let base: string;

    const sh = async (script: string, env: Record<string, string>, cwd = tmpdir()) => {
      const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], { cwd, env: { ...process.env, LIR: base, ...env }, timeout: 60_000 });
      return stdout;
    };

    beforeAll(async () => {
      reg = await testRegister(database);
      app = await buildApp(reg.services);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const addr = app.server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(async () => {
      await app.close();
      await reg.close();
    });

    it('creates the signing key file when the server starts listening', async () => {
      // onListen hooks run right after listen() resolves
      await vi.waitFor(() => expect(existsSync(secretFile)).toBe(true), { timeout: 5_000 });
    });

    it('client secret: Basic, post, and using the token', async () => {
      const { client, secret } = await createClient(reg.db, { providerId: reg.hospital.id });
      const env = { CLIENT_ID: client.id, CLIENT_SECRET: secret! };
      const basicOut = JSON.parse(await sh(block('secret-basic'), env));
      expect(basicOut).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/*.read system/*.write' });
      const post = JSON.parse(await sh(block('secret-post'), env));
      expect(post).toMatchObject({ token_type: 'Bearer', scope: 'system/*.read' });
      const records = JSON.parse(await sh(block('use-token'), env));
      expect(records).toHaveProperty('items');
    });

    it('private_key_jwt with openssl (RS256)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lir-doc-rsa-'));
      await sh(block('keygen-rsa'), {}, dir);
      const keys = await parsePublicKeys(readFileSync(join(dir, 'client-pub.pem'), 'utf8'));
      const { client } = await createClient(reg.db, { providerId: reg.midwife.id, publicJwks: keys });
      const out = JSON.parse(await sh(block('openssl-assertion'), { CLIENT_ID: client.id }, dir));
      expect(out.token_type, JSON.stringify(out)).toBe('Bearer');
      expect(decodeJwt(out.access_token)).toMatchObject({ sub: client.id, kvk: '87654321' });
    });

    it('private_key_jwt with the Node script (ES256)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lir-doc-ec-'));
      await sh(block('keygen-ec'), {}, dir);
      writeFileSync(join(dir, 'make-assertion.mjs'), block('node-script'));
      const keys = await parsePublicKeys(readFileSync(join(dir, 'client-pub.pem'), 'utf8'));
      const { client } = await createClient(reg.db, { providerId: reg.hospital.id, publicJwks: keys });
      const out = JSON.parse(await sh(block('node-assertion'), { CLIENT_ID: client.id }, dir));
      expect(out.token_type, JSON.stringify(out)).toBe('Bearer');
      expect(decodeJwt(out.access_token)).toMatchObject({ sub: client.id, kvk: '12345678' });
    });
  });
}
