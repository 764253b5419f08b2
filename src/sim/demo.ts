// A small synthetic register for `lir serve --demo`: a few providers of each kind, a catalogue
// with IUDs, hips, knees, pacemakers and breast implants, and a few thousand records over
// 2019–today delivered through the real intake pipeline (with explantations, deaths, late
// deliveries, and one device missing from the catalogue). Fictional names; valid-format numbers.

import type { Services } from '../register/services.js';
import { DeliverySession } from '../register/intake.js';
import { OPERATOR } from '../auth/caller.js';
import { upsertDevices, upsertProvider, type Device, type ProviderType } from '../catalogue/reference-data.js';
import { createToken } from '../auth/tokens.js';
import { createUser } from '../auth/users.js';
import { addOneMonth, dateOf } from '../domain/dates.js';
import { Random } from './random.js';

export const DEMO_PROVIDERS: { kvk: string; agb: string | null; name: string; type: ProviderType; region: string }[] = [
  { kvk: '41000001', agb: '06010001', name: 'Ziekenhuis Rivierenland (demo)', type: 'hospital', region: 'Gelderland' },
  { kvk: '41000002', agb: '06010002', name: 'Universitair Medisch Centrum Noord (demo)', type: 'umc', region: 'Groningen' },
  { kvk: '41000003', agb: '22010003', name: 'Kliniek De Linde (demo)', type: 'independent-clinic', region: 'Utrecht' },
  { kvk: '41000004', agb: '03010004', name: 'Verloskundigenpraktijk Het Nest (demo)', type: 'midwifery-practice', region: 'Noord-Holland' },
  { kvk: '41000005', agb: '01010005', name: 'Huisartsenpraktijk Dorpsstraat (demo)', type: 'gp-practice', region: 'Zeeland' },
  { kvk: '41000006', agb: null, name: 'Abortuskliniek Oost (demo)', type: 'abortion-clinic', region: 'Overijssel' },
];

/** GTIN-14 from a 13-digit body with its mod-10 check digit (GS1 General Specifications §7.9). */
export function gtin14(body13: string): string {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(body13[12 - i]) * (i % 2 === 0 ? 3 : 1);
  return body13 + String((10 - (sum % 10)) % 10);
}

export const DEMO_DEVICES: Device[] = [
  { udiDi: gtin14('0871234500001'), issuer: 'GS1', manufacturer: 'Cuprum Medical (demo)', productName: 'CuFlex 380 copper IUD', model: 'CF380', implantType: '13.01' },
  { udiDi: gtin14('0871234500002'), issuer: 'GS1', manufacturer: 'Cuprum Medical (demo)', productName: 'CuBall mini copper IUD', model: 'CBM', implantType: '13.01' },
  { udiDi: gtin14('0871234500003'), issuer: 'GS1', manufacturer: 'Hormona Pharma (demo)', productName: 'LNG-52 hormonal IUD', model: 'LNG52', implantType: '13.02' },
  { udiDi: gtin14('0871234500004'), issuer: 'GS1', manufacturer: 'Orthoworks (demo)', productName: 'Acetabular cup 52 mm', model: 'AC52', implantType: '01.01.01' },
  { udiDi: gtin14('0871234500005'), issuer: 'GS1', manufacturer: 'Orthoworks (demo)', productName: 'Cementless femoral stem size 4', model: 'FS4', implantType: '01.01.02' },
  { udiDi: gtin14('0871234500006'), issuer: 'GS1', manufacturer: 'Kniekracht (demo)', productName: 'Total knee femoral component', model: 'TKF', implantType: '01.02.01' },
  { udiDi: gtin14('0871234500007'), issuer: 'GS1', manufacturer: 'Cardiotec (demo)', productName: 'DualBeat DR pacemaker', model: 'DB-DR', implantType: '04.01.01' },
  { udiDi: gtin14('0871234500008'), issuer: 'GS1', manufacturer: 'Formae (demo)', productName: 'Round textured breast implant 300 cc', model: 'RT300', implantType: '11.01' },
];
/** In records but not in the catalogue: shows the curation queue and unresolved marking. */
export const DEMO_UNKNOWN_DI = gtin14('0871234599999');

/** Fixed tokens so a newcomer can try the API at once; created only with --demo. */
export const DEMO_TOKENS = {
  inspector: 'demo-inspector-token-do-not-use-in-production',
  provider: (kvk: string) => `demo-provider-${kvk}-token-do-not-use-in-production`,
};

/** Fixed portal accounts, one per role (demo only); two-factor roles enrol an authenticator at first sign-in. */
export const DEMO_PASSWORD = 'demo-password-not-for-production';
export const DEMO_USERS: { username: string; role: string; provider?: string; organisation?: string }[] = [
  { username: 'demo-inspecteur', role: 'inspector' },
  { username: 'demo-ziekenhuis', role: 'provider', provider: '41000001' },
  { username: 'demo-verloskundige', role: 'provider', provider: '41000004' },
  { username: 'demo-beheerder', role: 'registry-admin' },
  { username: 'demo-fabrikant', role: 'manufacturer', organisation: 'Cuprum Medical (demo)' },
  { username: 'demo-nvog', role: 'association', organisation: 'NVOG (demo)' },
  { username: 'demo-logbeheer', role: 'log-manager' },
];

interface DemoPlan {
  receivedOn: string;
  record: Record<string, unknown>;
}

export async function loadDemoData(services: Services, opts: { records?: number; seed?: number; today?: string } = {}): Promise<{ records: number }> {
  const rnd = new Random(opts.seed ?? 2019);
  const today = opts.today ?? dateOf(new Date());
  const { db, intake } = services;
  const providers = [];
  for (const p of DEMO_PROVIDERS) providers.push(await upsertProvider(db, p));
  await upsertDevices(db, DEMO_DEVICES);
  await createToken(db, { role: 'inspector', label: 'demo inspector', token: DEMO_TOKENS.inspector });
  for (const p of providers) await createToken(db, { role: 'provider', providerId: p.id, label: `demo ${p.kvk}`, token: DEMO_TOKENS.provider(p.kvk) });
  for (const u of DEMO_USERS) {
    const providerId = u.provider ? providers.find((p) => p.kvk === u.provider)!.id : undefined;
    await createUser(db, { username: u.username, role: u.role, password: DEMO_PASSWORD, createdBy: 'demo', ...(providerId ? { providerId } : {}), ...(u.organisation ? { organisation: u.organisation } : {}) });
  }

  const n = opts.records ?? 3000;
  const plans: DemoPlan[] = [];
  const start = Date.UTC(2019, 0, 1);
  const span = Date.parse(`${today}T00:00:00Z`) - 45 * 86400_000 - start;
  const iuds = DEMO_DEVICES.filter((d) => d.implantType.startsWith('13.'));
  const others = DEMO_DEVICES.filter((d) => !d.implantType.startsWith('13.'));
  const plus = (date: string, days: number) => dateOf(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400_000));
  for (let i = 0; i < n; i++) {
    const implantDate = dateOf(new Date(start + rnd.next() * span));
    const isIud = rnd.chance(0.45);
    const device = isIud ? rnd.pick(iuds) : rnd.chance(0.03) ? undefined : rnd.pick(others);
    const provider = isIud ? rnd.pick([providers[0]!, providers[3]!, providers[4]!, providers[5]!]) : rnd.pick([providers[0]!, providers[1]!, providers[2]!]);
    const lot = `L${implantDate.slice(2, 4)}${rnd.token(4)}`;
    const record: Record<string, unknown> = {
      providerKvk: provider.kvk,
      providerRecordRef: `DEMO-${String(i + 1).padStart(6, '0')}`,
      patientPseudonym: rnd.chance(0.8) ? `demo1:${rnd.token(24, 'abcdefghijklmnopqrstuvwxyz0123456789')}` : undefined,
      udiDi: device?.udiDi ?? DEMO_UNKNOWN_DI,
      lot,
      serial: !isIud && device?.implantType.startsWith('04') ? `SN${rnd.token(8)}` : undefined,
      implantType: device ? undefined : '01.02.01',
      implantDate,
      expiryDate: plus(implantDate, rnd.int(200, 900)),
      professionalRole: isIud ? { 'midwifery-practice': 'midwife', 'gp-practice': 'gp', 'abortion-clinic': 'abortion-doctor' }[provider.type as string] ?? 'gynaecologist' : provider.type === 'umc' && device?.implantType.startsWith('04') ? 'cardiologist' : 'surgeon',
    };
    if (isIud) {
      const pp = rnd.chance(0.25);
      record.weeksPostpartum = pp ? rnd.int(4, 36) : undefined;
      record.breastfeeding = pp ? rnd.chance(0.6) : false;
      record.ultrasoundCheck = rnd.chance(0.5);
      record.previousExpulsion = rnd.chance(0.05);
    }
    // usually delivered within a month; one in ten late
    const receivedOn = plus(implantDate, rnd.chance(0.9) ? rnd.int(0, 28) : rnd.int(32, 120));
    plans.push({ receivedOn: receivedOn > today ? today : receivedOn, record: { ...record } });
    // the 6-week follow-up visit arrives later as a correction of the placement record
    const followUp = plus(implantDate, rnd.int(35, 56));
    if (isIud && plus(followUp, 7) < today && rnd.chance(0.7)) {
      record.followUpDate = followUp;
      plans.push({ receivedOn: plus(followUp, rnd.int(1, 7)), record: { ...record } });
    }
    // some come out again: IUD expulsion or removal, revisions, deaths
    if (rnd.chance(isIud ? 0.12 : 0.04)) {
      const explantDate = plus(implantDate, record.followUpDate ? rnd.int(70, 900) : rnd.int(20, 900));
      if (addOneMonth(explantDate) < today) {
        const reason = isIud ? rnd.weighted([['expulsion', 4], ['pregnancy-wish', 3], ['pain-or-complaints', 2], ['perforation', 0.3]] as const) : rnd.pick(['infection', 'malfunction', 'replacement'] as const);
        const otherProvider = isIud && record.patientPseudonym && rnd.chance(0.5);
        plans.push({
          receivedOn: plus(explantDate, rnd.int(1, 25)),
          record: otherProvider
            ? { providerKvk: providers[0]!.kvk, providerRecordRef: `DEMO-X${String(i + 1).padStart(6, '0')}`, patientPseudonym: record.patientPseudonym, udiDi: record.udiDi, explantDate, explantReason: reason }
            : { ...record, explantDate, explantReason: reason },
        });
      }
    } else if (!isIud && record.patientPseudonym && rnd.chance(0.02)) {
      const deathDate = plus(implantDate, rnd.int(30, 1500));
      if (addOneMonth(deathDate) < today) plans.push({ receivedOn: plus(deathDate, rnd.int(1, 25)), record: { ...record, deathDate } });
    }
  }
  plans.sort((a, b) => (a.receivedOn < b.receivedOn ? -1 : a.receivedOn > b.receivedOn ? 1 : 0));
  // deliver per simulated week, so receipts and lateness look like a real register's
  const week = (d: string) => Math.floor(Date.parse(`${d}T00:00:00Z`) / (7 * 86400_000));
  let stored = 0;
  for (let i = 0; i < plans.length; ) {
    const w = week(plans[i]!.receivedOn);
    const batch: DemoPlan[] = [];
    while (i < plans.length && week(plans[i]!.receivedOn) === w) batch.push(plans[i++]!);
    const receivedAt = new Date(`${batch.at(-1)!.receivedOn}T12:00:00Z`);
    const receipt = await intake.deliver({ records: batch.map((b) => b.record), mode: 'batch', channel: 'demo', caller: OPERATOR, session: new DeliverySession(receivedAt) });
    stored += receipt.counts.created;
  }
  return { records: stored };
}
