// The README's first command: `lir serve --demo` on the embedded database, reached over real HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LIR = join(import.meta.dirname, '../../bin/lir.js');
const INSPECTOR = 'demo-inspector-token-do-not-use-in-production';

describe('lir serve --demo', () => {
  let dir: string;
  let child: ChildProcess;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lir-serve-'));
    child = spawn('node', [LIR, 'serve', '--demo', '--port', '0'], { env: { ...process.env, LIR_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    base = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 150_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /LIR register on (http:\/\/[^/\s]+)\//.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${err}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('is healthy on the embedded database', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', database: 'pglite' });
    expect((await fetch(`${base}/`)).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('has demo data the inspector can query at once, IUDs included', async () => {
    const res = await fetch(`${base}/api/v1/queries/affected-population`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSPECTOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ implantType: '13' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { implants: number; providers: unknown[]; byYear: { year: number }[] };
    expect(body.implants).toBeGreaterThan(500);
    expect(body.providers.length).toBeGreaterThanOrEqual(3);
    expect(body.byYear[0]!.year).toBe(2019);
  });

  it('lets a demo provider deliver a record over HTTP', async () => {
    const res = await fetch(`${base}/api/v1/records`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-provider-41000004-token-do-not-use-in-production', 'content-type': 'application/json' },
      body: JSON.stringify({ providerKvk: '41000004', providerRecordRef: 'SERVE-1', udiDi: '08712345000011', lot: 'L1', implantDate: '2025-01-10', professionalRole: 'midwife' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', counts: { created: 1 } });
  });

  it('lets a demo association sign in to the portal and read the suppressed report with its session', async () => {
    const page = await fetch(`${base}/login`);
    const loginCookie = /__Host-lir-login=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `__Host-lir-login=${loginCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, username: 'demo-nvog', password: 'demo-password-not-for-production' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal');
    const session = /__Host-lir-session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
    const home = await fetch(`${base}/portal`, { headers: { cookie: `__Host-lir-session=${session}` } });
    expect(await home.text()).toContain('demo-nvog');
    const report = await fetch(`${base}/api/v1/reports/implantations?by=region`, { headers: { cookie: `__Host-lir-session=${session}` } });
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ by: 'region', suppression: { threshold: 10 } });
  });
});
