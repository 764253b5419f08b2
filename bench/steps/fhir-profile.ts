// Where the time of one FHIR transaction Bundle goes: delivers the first N Bundles of
// DIR/bundles.ndjson in process (no HTTP), one at a time, through the same function as
// POST /fhir/R4 (deliverBundle), and counts the database statements and the time spent waiting
// for them, by the statement's first words.
//   node --import tsx bench/steps/fhir-profile.ts --target JSON --dir DIR [--bundles 2000] [--result FILE]

import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db, Queryable } from '../../src/db/types.js';
import { servicesFor } from '../../src/register/services.js';
import { deliverBundle } from '../../src/register/fhir/bundle-deliver.js';
import { argv, decodeTarget, loadReference, openTarget, writeJson } from './common.js';

const a = argv();
const target = decodeTarget(a.need('target'));
const dir = a.need('dir');
const max = a.num('bundles', 2000);

const raw = await openTarget(target);
const ref = await loadReference(raw, dir);

const byKind = new Map<string, { n: number; ms: number }>();
let counting = false;
const kindOf = (sql: string) => {
  const s = sql.replace(/\s+/g, ' ').trim();
  const m = /^(WITH \w+|INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+|SELECT .{0,40}?FROM \w+|SELECT \w+|SET LOCAL \w+|\w+)/i.exec(s);
  return (m?.[1] ?? s.slice(0, 30)).slice(0, 60);
};
function wrapQ<T extends Queryable>(q: T): T {
  return new Proxy(q, {
    get(t, p, r) {
      const v = Reflect.get(t, p, r) as unknown;
      if (p === 'query') {
        return async (sql: string, params?: readonly unknown[]) => {
          const s = performance.now();
          try {
            return await t.query(sql, params);
          } finally {
            if (counting) {
              const k = byKind.get(kindOf(sql)) ?? { n: 0, ms: 0 };
              k.n++;
              k.ms += performance.now() - s;
              byKind.set(kindOf(sql), k);
            }
          }
        };
      }
      if (p === 'copyFrom') {
        return async (table: string, cols: readonly string[], chunks: Iterable<string> | AsyncIterable<string>) => {
          const s = performance.now();
          try {
            return await t.copyFrom(table, cols, chunks);
          } finally {
            if (counting) {
              const k = byKind.get(`COPY ${table}`) ?? { n: 0, ms: 0 };
              k.n++;
              k.ms += performance.now() - s;
              byKind.set(`COPY ${table}`, k);
            }
          }
        };
      }
      if (p === 'transaction') {
        return (fn: (tx: Queryable) => Promise<unknown>) => (t as unknown as Db).transaction((tx) => fn(wrapQ(tx)));
      }
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(t) : v;
    },
  });
}
const db = wrapQ(raw);
const services = await servicesFor(db);
const KVK = /"http:\/\/fhir\.nl\/fhir\/NamingSystem\/kvk"\s*,\s*"value"\s*:\s*"(\d{8})"/;
let n = 0;
let records = 0;
let jsonMs = 0;
const t0 = performance.now();
for await (const line of createInterface({ input: createReadStream(join(dir, 'bundles.ndjson')), crlfDelay: Infinity })) {
  if (n >= max) break;
  const kvk = KVK.exec(line)?.[1];
  const providerId = kvk ? ref.providers.get(kvk) : undefined;
  if (!kvk || !providerId) continue;
  const j = performance.now();
  const body = JSON.parse(line) as unknown;
  jsonMs += performance.now() - j;
  if (n === 50) counting = true; // after a warm-up
  const r = await deliverBundle(services, { role: 'provider', providerId, providerKvk: kvk, subject: 'bench' }, body);
  if (counting) records += r.sent;
  n++;
}
const counted = n - 50;
const seconds = (performance.now() - t0) / 1000;
await services.close();
const dbMs = [...byKind.values()].reduce((s, k) => s + k.ms, 0);
const rows = [...byKind.entries()].sort((x, y) => y[1].ms - x[1].ms).map(([k, v]) => ({ statement: k, perBundle: +(v.n / counted).toFixed(2), msPerBundle: +(v.ms / counted).toFixed(3) }));
const out = { database: target.kind, bundles: counted, records, statementsPerBundle: +([...byKind.values()].reduce((s, k) => s + k.n, 0) / counted).toFixed(1), dbMsPerBundle: +(dbMs / counted).toFixed(2), jsonParseMsPerBundle: +(jsonMs / n).toFixed(3), wallSecondsAll: +seconds.toFixed(1), statements: rows };
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
if (a.get('result')) writeJson(a.get('result')!, out);
