// The TTP apart from the register (DESIGN §2: no access to the register database): it checks the
// register's access tokens with the register's public keys only, fetched from /oauth/jwks.json.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DATABASES } from '../helpers/databases.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import { basic, tokenRequest, useTempSecretFile } from '../auth/helpers.js';
import { buildApp } from '../../src/http/app.js';
import { createClient } from '../../src/auth/oauth-clients.js';
import { createToken } from '../../src/auth/tokens.js';
import { rotateSigningKey } from '../../src/auth/signing-key.js';
import { JwksAuth, jwksAuthFromEnv } from '../../src/auth/jwks-auth.js';
import { buildTtpApp } from '../../src/privacy/ttp/standalone.js';
import { TtpKeyStore } from '../../src/privacy/ttp/keys.js';
import { TtpService } from '../../src/privacy/ttp/service.js';
import { TtpAuditLog } from '../../src/privacy/ttp/audit.js';

const secretFile = useTempSecretFile();
const dir = mkdtempSync(join(tmpdir(), 'lir-ttp-jwks-'));
process.env.LIR_TTP_KEY_FILE = join(dir, 'ttp-key.json');

// The TTP side does not depend on the database kind; the register runs on the embedded one here.
describe('standalone TTP with the register’s public keys', () => {
  let reg: TestRegister;
  let register: FastifyInstance;
  let ttp: FastifyInstance;
  let jwksUrl: URL;
  let client: { id: string; secret: string };

  const accessToken = async () => {
    const res = await tokenRequest(register, { grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().access_token as string;
  };
  const pseudonymise = (token: string) =>
    ttp.inject({ method: 'POST', url: '/ttp/v1/pseudonyms', payload: { bsn: '111222333' }, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    reg = await testRegister(DATABASES[0]!);
    register = await buildApp(reg.services);
    await register.listen({ port: 0, host: '127.0.0.1' });
    jwksUrl = new URL(`http://127.0.0.1:${(register.server.address() as AddressInfo).port}/oauth/jwks.json`);
    const c = await createClient(reg.db, { providerId: reg.hospital.id });
    client = { id: c.client.id, secret: c.secret! };
    const auth = new JwksAuth({ jwks: jwksUrl, issuer: reg.services.auth.issuer, refetchCooldownMs: 0 });
    ttp = await buildTtpApp(auth, { service: new TtpService(new TtpKeyStore()), audit: new TtpAuditLog(join(dir, 'audit.jsonl')) });
  });
  afterAll(async () => {
    await ttp?.close();
    await register?.close();
    await reg?.close();
  });

  it('pseudonymises for a client with a valid access token of the register', async () => {
    const res = await pseudonymise(await accessToken());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().pseudonym).toMatch(/^ttpv1:/);
  });

  it('refuses legacy tokens, tokens of another issuer or key, and expired tokens', async () => {
    const legacy = (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'legacy' })).token;
    expect((await pseudonymise(legacy)).statusCode).toBe(401);
    const token = await accessToken();
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await pseudonymise(tampered)).statusCode).toBe(401);
    const otherIssuer = new JwksAuth({ jwks: jwksUrl, issuer: 'https://elsewhere.example', refetchCooldownMs: 0 });
    expect(await otherIssuer.authenticateBearer(token)).toMatchObject({ ok: false, message: expect.stringMatching(/iss/) });
    const later = new JwksAuth({ jwks: jwksUrl, issuer: reg.services.auth.issuer, now: () => Date.now() + 10 * 60_000 });
    expect(await later.authenticateBearer(token)).toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
  });

  it('follows a rotation of the register’s signing key (fetches the set again for a new kid)', async () => {
    await accessToken(); // the TTP has the current set cached after this
    expect((await pseudonymise(await accessToken())).statusCode).toBe(200);
    await rotateSigningKey(secretFile);
    const fresh = await accessToken();
    expect((await pseudonymise(fresh)).statusCode).toBe(200);
  });

  it('reads the set from LIR_REGISTER_JWKS (a file), with the issuer from LIR_PUBLIC_URL', async () => {
    const set = (await register.inject({ method: 'GET', url: '/oauth/jwks.json' })).json();
    const file = join(dir, 'register-jwks.json');
    writeFileSync(file, JSON.stringify(set));
    const auth = jwksAuthFromEnv({ LIR_REGISTER_JWKS: file });
    expect(auth).toBeInstanceOf(JwksAuth);
    expect(await auth!.authenticateBearer(await accessToken())).toMatchObject({ ok: true, caller: { role: 'provider', providerKvk: '12345678' } });
    expect(jwksAuthFromEnv({})).toBeUndefined();
  });

  it('`lir serve --only ttp` with LIR_REGISTER_JWKS opens no database: it starts with DATABASE_URL naming a server that does not exist', async () => {
    const set = (await register.inject({ method: 'GET', url: '/oauth/jwks.json' })).json();
    const file = join(dir, 'register-jwks-2.json');
    writeFileSync(file, JSON.stringify(set));
    const child = spawn(process.execPath, ['bin/lir.js', 'serve', '--only', 'ttp', '--port', '0'], {
      env: { ...process.env, LIR_REGISTER_JWKS: file, DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', LIR_TTP_KEY_FILE: join(dir, 'ttp-key-2.json') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no start:\n${err}`)), 60_000);
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /on (http:\/\/[^/\s]+)\/ttp\/v1 \(([^)]*)\)/.exec(err);
          if (m) {
            clearTimeout(timer);
            expect(m[2]).toMatch(/no database/);
            resolve(m[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}:\n${err}`)));
      });
      const res = await fetch(`${base}/ttp/v1/pseudonyms`, { method: 'POST', headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ bsn: '111222333' }) });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
