// Synthetic register rows written straight into `records` with COPY, for query benchmarks.
// (The full generator with ground truth is `lir simulate`; this one only needs realistic shape:
// skewed device popularity, lots of a few thousand units, repeat patients, explants and deaths.)

import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/types.js';
import { csvLine } from '../src/db/types.js';
import { upsertDevices, upsertProvider } from '../src/catalogue/reference-data.js';
import { gtin14 } from '../src/sim/demo.js';
import { Random } from '../src/sim/random.js';

export interface SyntheticShape {
  providers: { id: string; kvk: string }[];
  devices: { udiDi: string; manufacturer: string; productName: string }[];
  lots: string[][]; // per device
}

const TYPES = ['13.01', '13.02', '01.01.01', '01.01.02', '01.02.01', '04.01.01', '04.02.01', '11.01', '09.02', '02.01'];

export async function seedReference(db: Db, rnd: Random, nProviders = 120, nDevices = 400): Promise<SyntheticShape> {
  const providers = [];
  for (let i = 0; i < nProviders; i++) {
    const kvk = String(50000000 + i);
    const p = await upsertProvider(db, { kvk, agb: null, name: `Bench provider ${i}`, type: i < 70 ? 'hospital' : 'midwifery-practice', region: null });
    providers.push({ id: p.id, kvk });
  }
  const devices = [];
  for (let i = 0; i < nDevices; i++) {
    const udiDi = gtin14(`087${String(1000000000 + i).slice(0, 10)}`);
    devices.push({ udiDi, issuer: 'GS1' as const, manufacturer: `Manufacturer ${i % 40}`, productName: `Product ${i}`, model: null, implantType: TYPES[i % TYPES.length]! });
  }
  await upsertDevices(db, devices);
  const lots = devices.map((_, i) => Array.from({ length: 20 + (i % 80) }, (_, j) => `L${i}-${j}`));
  void rnd;
  return { providers, devices, lots };
}

/** Yields CSV chunks of `n` records (Zipf-like device popularity). */
export function* syntheticRecordCsv(n: number, shape: SyntheticShape, rnd: Random, columns: string[]): Generator<string> {
  const start = Date.UTC(2019, 0, 1);
  const span = Date.UTC(2026, 5, 1) - start;
  let chunk = '';
  let patients = 0;
  for (let i = 0; i < n; i++) {
    // popular devices get many more implants: index ~ floor(N * u^3)
    const d = Math.floor(shape.devices.length * rnd.next() ** 3);
    const device = shape.devices[d]!;
    const lot = rnd.pick(shape.lots[d]!);
    const implantDate = new Date(start + rnd.next() * span).toISOString().slice(0, 10);
    const pseudonym = rnd.chance(0.85) ? `bench1:${(rnd.chance(0.2) && patients > 0 ? rnd.int(0, patients - 1) : patients++).toString(36).padStart(16, '0')}` : null;
    const id = randomUUID();
    const explant = rnd.chance(0.08) ? implantDate : null;
    const death = !explant && rnd.chance(0.03) ? implantDate : null;
    const row: Record<string, unknown> = {
      patient_key: pseudonym ?? id, id, provider_id: rnd.pick(shape.providers).id, provider_record_ref: `B${i}`, version: 1, status: 'active',
      kind: 'implantation', patient_pseudonym: pseudonym, udi_di: device.udiDi, device_resolved: true, lot, serial: null,
      implant_type: TYPES[d % TYPES.length], implant_date: implantDate, closed_explant_date: explant, closed_death_date: death,
      content_hash: 'x', first_received_at: `${implantDate}T12:00:00Z`, last_received_at: `${implantDate}T12:00:00Z`, late: false,
    };
    chunk += csvLine(columns.map((c) => row[c] ?? null));
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export const SYNTHETIC_COLUMNS = ['patient_key', 'id', 'provider_id', 'provider_record_ref', 'version', 'status', 'kind', 'patient_pseudonym', 'udi_di', 'device_resolved', 'lot', 'serial', 'implant_type', 'implant_date', 'closed_explant_date', 'closed_death_date', 'content_hash', 'first_received_at', 'last_received_at', 'late'];
