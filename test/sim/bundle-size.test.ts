// `lir simulate --bundle-size N`: several records of one provider in one batch Bundle. The file the
// command writes goes through POST /fhir/R4 on every test database: every entry is accepted, and the
// register then holds one version per valid row and one record per provider reference.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { servicesFor } from '../../src/register/services.js';
import { buildApp } from '../../src/http/app.js';
import { bundlePoster } from './post-bundle.js';
import { createNationalModel } from '../../src/sim/national/index.js';
import { loadReferenceData } from '../../src/sim/national/load.js';
import { simulateCommand } from '../../src/cli/commands/simulate.js';

const NOW = () => new Date('2026-11-20T10:00:00Z');
const SIM = { seed: 21, records: 1000 };
const dir = mkdtempSync(join(tmpdir(), 'lir-sim-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Entry = { fullUrl?: string; resource: { resourceType: string; identifier?: { system: string; value: string }[] }; request: { method: string } };
type Bundle = { resourceType: string; type: string; entry: Entry[] };
let bundles: Bundle[] = [];

beforeAll(async () => {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await simulateCommand().parseAsync(['--records', String(SIM.records), '--seed', String(SIM.seed), '--out', dir, '--format', 'fhir', '--bundle-size', '50'], { from: 'user' });
  } finally {
    out.mockRestore();
  }
  bundles = readFileSync(join(dir, 'bundles.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Bundle);
}, 60_000);

/** The valid rows of the model, as the command saw them. */
function validRows() {
  const model = createNationalModel({ seed: SIM.seed, records: SIM.records });
  return { model, rows: [...model.records()].filter((r) => r.invalid === null).map((r) => r.record) };
}

describe('lir simulate --bundle-size', () => {
  it('writes batch Bundles of up to N records of one provider, one Organization and one Patient per pseudonym each', () => {
    const { rows } = validRows();
    const dus = bundles.flatMap((b) => b.entry.filter((e) => e.resource.resourceType === 'DeviceUseStatement'));
    expect(dus.length).toBe(rows.length);
    expect(bundles.length).toBeLessThan(rows.length / 5);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { bundles: number; records: number; bundleSize: number }> };
    expect(manifest.files['bundles.ndjson']).toMatchObject({ bundles: bundles.length, records: rows.length, bundleSize: 50 });
    for (const b of bundles) {
      expect(b.type).toBe('batch');
      const records = b.entry.filter((e) => e.resource.resourceType === 'DeviceUseStatement').length;
      expect(records).toBeGreaterThan(0);
      expect(records).toBeLessThanOrEqual(50);
      expect(b.entry.filter((e) => e.resource.resourceType === 'Organization').length).toBe(1);
      const urls = b.entry.map((e) => e.fullUrl);
      expect(new Set(urls).size).toBe(urls.length);
    }
    // rows of a provider stay in their order: the references of each provider, Bundle after Bundle
    const refsOf = (list: { kvk: string; ref: string }[]) => {
      const m = new Map<string, string[]>();
      for (const { kvk, ref } of list) m.set(kvk, [...(m.get(kvk) ?? []), ref]);
      return m;
    };
    const fromFile = bundles.flatMap((b) => {
      const kvk = b.entry.find((e) => e.resource.resourceType === 'Organization')!.resource.identifier![0]!.value;
      return b.entry.filter((e) => e.resource.resourceType === 'DeviceUseStatement').map((e) => ({ kvk, ref: e.resource.identifier![0]!.value }));
    });
    expect(refsOf(fromFile)).toEqual(refsOf(rows.map((r) => ({ kvk: String(r.providerKvk), ref: String(r.providerRecordRef) }))));
  });
});

describe.each(DATABASES)('multi-record Bundles through POST /fhir/R4 on $name', (database) => {
  it('accepts every entry; one version per row, one record per provider reference', async () => {
    const { model, rows } = validRows();
    const db = await database.open();
    try {
      const services = await servicesFor(db, NOW);
      await loadReferenceData(db, model.providers, model.devices);
      const app = await buildApp(services);
      const post = bundlePoster(app, db);
      let accepted = 0;
      for (const [n, b] of bundles.entries()) {
        const kvk = b.entry.find((e) => e.resource.resourceType === 'Organization')!.resource.identifier![0]!.value;
        const res = await post(kvk, b);
        if (res.statusCode !== 200) throw new Error(`bundle ${n}: ${res.statusCode} ${res.body.slice(0, 2000)}`);
        const answer = res.json<{ type: string; entry: { response: { status: string; location?: string } }[] }>();
        expect(answer.type).toBe('batch-response');
        expect(answer.entry.length).toBe(b.entry.length);
        answer.entry.forEach((e, k) => {
          if (!/^20[01]/.test(e.response.status)) throw new Error(`bundle ${n} entry ${k} (${b.entry[k]!.resource.resourceType}): ${JSON.stringify(e.response)}`);
          if (b.entry[k]!.resource.resourceType === 'DeviceUseStatement') accepted++;
        });
      }
      expect(accepted).toBe(rows.length);
      const count = async (sql: string) => Number((await db.query<{ n: string }>(sql))[0]!.n);
      expect(await count('SELECT count(*)::text AS n FROM record_versions')).toBe(rows.length);
      const keys = new Set(rows.map((r) => `${String(r.providerKvk)}|${String(r.providerRecordRef)}`));
      expect(await count('SELECT count(*)::text AS n FROM records')).toBe(keys.size);
      await app.close();
    } finally {
      await db.close();
    }
  }, 180_000);
});
