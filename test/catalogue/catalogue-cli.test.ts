// `lir catalogue import | history | unresolved` in process, on every database (the embedded one in
// a temporary LIR_DATA_DIR, and a fresh database on the PostgreSQL server via DATABASE_URL).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { DATABASES } from '../helpers/databases.js';
import { useCliDatabase } from '../helpers/cli-database.js';
import { main } from '../../src/cli/main.js';
import { connect } from '../../src/db/connect.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertProvider } from '../../src/catalogue/reference-data.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/catalogue/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const lir = (...args: string[]) => captureOutput(() => main(['node', 'lir', ...args]));

// 0871234560007 → 0+8+21+1+6+3+12+5+18+0+0+0+21 = 95 → check digit 5 (not in any fixture)
const NEW_IUD = '08712345600075';

for (const database of DATABASES) {
  describe(`lir catalogue on ${database.name}`, () => {
    const cli = useCliDatabase(database, 'lir-catalogue-cli');

    beforeAll(async () => {
      const db = await connect();
      const services = await servicesFor(db, () => new Date('2026-06-15T10:00:00Z'));
      const p = await upsertProvider(db, { kvk: '41215422', agb: null, name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
      const r = await services.intake.deliver({
        mode: 'batch', channel: 'rest',
        caller: { role: 'provider', subject: 't', providerId: p.id, providerKvk: p.kvk },
        records: [1, 2, 3].map((i) => ({ providerKvk: '41215422', providerRecordRef: `IUD-${i}`, udiDi: NEW_IUD, lot: 'L7', implantDate: `2026-05-0${i}`, implantType: '13.01' })),
      });
      expect(r.counts.created).toBe(3);
      await services.close();
    });

    it('imports a GUDID download with --implant-type and exits 0', async () => {
      const r = await lir('catalogue', 'import', fixture('gudid-device.txt'), '--implant-type', '04.01.01');
      expect(r.exitCode ?? 0).toBe(0);
      expect(r.out).toContain(`${fixture('gudid-device.txt')}: GUDID (FDA AccessGUDID download) columns, pipe\n3 rows: 3 inserted, 0 updated, 0 unchanged, 0 rejected (0 problems)\n`);
      expect(r.out).toContain('columns not used: publicDeviceRecordKey, publicVersionStatus,');
    });

    it('exits 1 and lists the rejected rows with line, column and code', async () => {
      const r = await lir('catalogue', 'import', fixture('devices-gudid.csv'));
      expect(r.exitCode).toBe(1);
      expect(r.out).toContain('5 rows: 2 inserted, 0 updated, 0 unchanged, 3 rejected (3 problems)\n');
      expect(r.out).toContain('  line 4, deviceIdIssuingAgency: UNSUPPORTED_ISSUER: NDC/NHRIC device identifiers are issued for the US market only');
      expect(r.out).toContain('  line 5, PrimaryDI: GS1_CHECK_DIGIT: 00884521000590 is not a GTIN with a valid check digit: the last digit should be 2\n');
      expect(r.out).toContain('  line 6, implant_type: REQUIRED: implant_type is required: GUDID (FDA AccessGUDID download) has no implant-type code; add an implant_type column or pass --implant-type <code>\n');
      const json = await lir('catalogue', 'import', fixture('devices-gudid.csv'), '--json');
      expect(JSON.parse(json.out)).toMatchObject({ columnSet: 'gudid', rows: 5, inserted: 0, unchanged: 2, rejected: 3 });
    });

    it('refuses a file whose header matches no column set, and an unknown default type, with one line on stderr', async () => {
      const header = await lir('catalogue', 'import', fixture('unknown-header.csv'));
      expect(header.exitCode).toBe(1);
      expect(header.out).toBe('');
      expect(header.err).toMatch(new RegExp(`^lir: ${fixture('unknown-header.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the header matches no column set: it needs one of the identifying columns udi_di \\(LIR\\), PrimaryDI`));
      const type = await lir('catalogue', 'import', fixture('gudid-device.txt'), '--implant-type', '99.99');
      expect(type).toMatchObject({ exitCode: 1, out: '' });
      expect(type.err).toContain('the default implant type "99.99" is not on the implant-type list');
      const missing = await lir('catalogue', 'import', join(cli.dir(), 'nope.csv'));
      expect(missing).toMatchObject({ exitCode: 1, err: `lir: ${join(cli.dir(), 'nope.csv')}: no such file\n` });
    });

    it('prints a device’s history, as text and as JSON; exits 1 for a UDI-DI never in the catalogue', async () => {
      const text = await lir('catalogue', 'history', '00884521000110');
      expect(text.exitCode ?? 0).toBe(0);
      expect(text.out).toMatch(/^00884521000110\n\S+Z {2}insert {2}gudid-device\.txt\n {4}issuer: \(none\) → GS1\n/);
      expect(text.out).toContain('    model: (none) → VDR-200\n    implantType: (none) → 04.01.01\n');
      const json = JSON.parse((await lir('catalogue', 'history', '00884521000110', '--json')).out);
      expect(json).toMatchObject({ udiDi: '00884521000110', inCatalogue: true, items: [{ operation: 'insert', source: 'gudid-device.txt' }] });
      const unknown = await lir('catalogue', 'history', NEW_IUD);
      expect(unknown).toMatchObject({ exitCode: 1, err: `lir: UDI-DI ${NEW_IUD} has never been in the catalogue\n` });
    });

    it('prints the curation queue, and it empties when the device is imported', async () => {
      const text = await lir('catalogue', 'unresolved');
      expect(text.out).toContain('1 UDI-DIs unresolved, 3 records waiting\n');
      expect(text.out).toMatch(new RegExp(`${NEW_IUD} +GS1 +3 +1  2026-05-01 – 2026-05-03 +2026-06-15T10:00:00.000Z`));
      expect(JSON.parse((await lir('catalogue', 'unresolved', '--json')).out)).toEqual({
        devices: 1,
        records: 3,
        items: [{ udiDi: NEW_IUD, issuer: 'GS1', records: 3, providers: 1, firstImplantDate: '2026-05-01', lastImplantDate: '2026-05-03', firstReceivedAt: '2026-06-15T10:00:00.000Z' }],
      });
      const ndjson = join(cli.dir(), 'new.ndjson');
      await import('node:fs/promises').then((fs) => fs.writeFile(ndjson, JSON.stringify({ udiDi: NEW_IUD, manufacturer: 'Cuprum Medical B.V.', productName: 'CuFlex 300', implantType: '13.01' }) + '\n'));
      expect((await lir('catalogue', 'import', ndjson)).exitCode ?? 0).toBe(0);
      expect((await lir('catalogue', 'unresolved')).out).toBe('0 UDI-DIs unresolved, 0 records waiting\n');
      const bad = await lir('catalogue', 'unresolved', '--limit', '0');
      expect(bad.exitCode).toBe(1);
      expect(bad.err).toContain("option '--limit <n>' argument '0' is invalid");
    });
  });
}
