// The streaming record generator. Procedures are generated in date order over the period; each
// procedure's rows follow one another (an invalid first attempt, the implantation(s), a lot
// correction, the IUD 6-week follow-up, an explantation by the same or another provider, a death
// report, a withdrawal), each with the date it reaches the register (receivedOn). Memory is
// bounded: per-provider counters and a fixed ring of recent patients per population (for repeat
// implants); no list of records is kept.

import type { Random } from '../random.js';
import {
  DEFECTS, DELIVERY, IUD_HORMONAL_SHARE, IUD_PLACEMENT, IUD_PLACERS, IUD_RATES, JOINT_CLINIC_SHARE, BREAST_CLINIC_SHARE, OTHER_RATES, REPEAT_SHARE, YEARLY_VOLUMES,
} from './config.js';
import type { SimCategory, SimDevice } from './catalogue.js';
import type { SimProvider } from './providers.js';
import { drawOutcome, drawPlacement, outcomeProbabilities, type IudEvent } from './iud.js';
import { multipliersFor, type ActiveScenario } from './scenarios.js';
import { Cumulative, DateTable, dayOf, pseudonym, stream } from './util.js';

export type SimValue = string | number | boolean;
/** A record in the shape intake accepts (RecordInput field names); invalid rows carry their defect. */
export type SimFields = Record<string, SimValue>;

export interface SimRecord {
  record: SimFields;
  /** The date the register receives this row (YYYY-MM-DD). */
  receivedOn: string;
  /** null, or the defect kind of a deliberately invalid row. */
  invalid: string | null;
}

export type RowKind = 'implantation' | 'correction' | 'follow-up' | 'explantation' | 'explantation-elsewhere' | 'death' | 'withdrawal' | 'invalid';

export interface GenerationStats {
  rows: number;
  byKind: Record<RowKind, number>;
  byCategory: Record<string, number>;
  invalidByDefect: Record<string, number>;
  late: number;
  uncatalogued: number;
  repeatImplants: number;
  iud: { placements: number; perforations: number; expulsions: number; pregnancies: number; otherRemovals: number };
  firstDate: string | null;
  lastDate: string | null;
}

export function emptyStats(): GenerationStats {
  return {
    rows: 0,
    byKind: { implantation: 0, correction: 0, 'follow-up': 0, explantation: 0, 'explantation-elsewhere': 0, death: 0, withdrawal: 0, invalid: 0 },
    byCategory: {},
    invalidByDefect: {},
    late: 0,
    uncatalogued: 0,
    repeatImplants: 0,
    iud: { placements: 0, perforations: 0, expulsions: 0, pregnancies: 0, otherRemovals: 0 },
    firstDate: null,
    lastDate: null,
  };
}

type Procedure = 'hip' | 'knee' | 'shoulder' | 'breast' | 'pacemaker' | 'icd' | 'iud';
type Population = 'joint' | 'breast' | 'cardiac' | 'iud';

const PROCEDURES: readonly (readonly [Procedure, number])[] = [
  ['hip', YEARLY_VOLUMES.hipProcedures],
  ['knee', YEARLY_VOLUMES.kneeProcedures],
  ['shoulder', YEARLY_VOLUMES.shoulderProcedures],
  ['breast', YEARLY_VOLUMES.breastImplants / 1.8], // 80 % bilateral: 1.8 implants per procedure
  ['pacemaker', YEARLY_VOLUMES.pacemakers],
  ['icd', YEARLY_VOLUMES.icds],
  ['iud', YEARLY_VOLUMES.iudInsertions],
];
const POPULATION: Record<Procedure, Population> = { hip: 'joint', knee: 'joint', shoulder: 'joint', breast: 'breast', pacemaker: 'cardiac', icd: 'cardiac', iud: 'iud' };
const POPULATION_NO: Record<Population, number> = { joint: 0, breast: 1, cardiac: 2, iud: 3 };
/** Components per procedure: [category, implantType]. */
const COMPONENTS: Record<Procedure, readonly (readonly [SimCategory, string])[]> = {
  hip: [['hip', '01.01.01'], ['hip', '01.01.02']],
  knee: [['knee', '01.02.01'], ['knee', '01.02.02']],
  shoulder: [['shoulder', '01.04.01'], ['shoulder', '01.04.06']],
  breast: [['breast', '11.01']],
  pacemaker: [['pacemaker', '04.01.01']],
  icd: [['icd', '04.02.01']],
  iud: [],
};
const SITE: Record<Procedure, string> = { hip: '24136001', knee: '72696002', shoulder: '91775009', breast: '76752008', pacemaker: '80891009', icd: '80891009', iud: '35039007' };
const PROCEDURE_CODE: Partial<Record<Procedure, string>> = { hip: '52734007', knee: '609588000', iud: '65200003' };
const IUD_REMOVAL = '68254000';
const REF_PREFIX: Record<string, string> = { hospital: 'OK', umc: 'UMC', 'independent-clinic': 'KL', 'midwifery-practice': 'VK', 'gp-practice': 'HA', 'abortion-clinic': 'AK' };
const ROLE_OF_PLACER: Record<string, string> = { hospital: 'gynaecologist', umc: 'gynaecologist', 'gp-practice': 'gp', 'midwifery-practice': 'midwife', 'abortion-clinic': 'abortion-doctor' };
const RING = 65_536;
/** Lot suffixes within a manufacture month: A, B, … (SimDevice.lotsPerMonth of them). */
const LOT_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface GeneratorInput {
  seed: number;
  /** Rows to emit (exactly). */
  rows: number;
  /** Procedures to spread over the period (from the pilot). */
  procedures: number;
  startDay: number;
  endDay: number;
  invalidPerImplant: number;
  providers: readonly SimProvider[];
  devices: readonly SimDevice[];
  scenarios: readonly ActiveScenario[];
  stats: GenerationStats;
  /** Stop after this many procedures (the pilot). */
  maxProcedures?: number;
}

/** The generator. Deterministic for (seed, rows, procedures, …). */
export function* generateRows(input: GeneratorInput): Generator<SimRecord> {
  const { seed, startDay, endDay, providers, devices, scenarios, stats } = input;
  const span = endDay - 45 - startDay; // procedures end 45 days before the last date, so their first rows arrive in time
  const dates = new DateTable(startDay - 800, endDay + 4000);
  const iso = (d: number) => dates.iso(d);

  const rProc = stream(seed, 'procedure');
  const rProv = stream(seed, 'provider');
  const rDev = stream(seed, 'device');
  const rLot = stream(seed, 'lot');
  const rPat = stream(seed, 'patient');
  const rIud = stream(seed, 'iud-placement');
  const rOut = stream(seed, 'outcome');
  const rDel = stream(seed, 'delivery');
  const rInv = stream(seed, 'invalid');

  const procedures = new Cumulative(PROCEDURES.map(([p]) => p), PROCEDURES.map(([, w]) => w));
  const pool = (types: readonly string[]) => {
    const list = providers.filter((p) => types.includes(p.type));
    return new Cumulative(list, list.map((p) => p.weight));
  };
  const hospitals = pool(['hospital', 'umc']);
  const clinics = pool(['independent-clinic']);
  const placers = new Map(IUD_PLACERS.map(([t]) => [t, t === 'hospital' ? hospitals : pool([t])] as const));
  const placerType = new Cumulative(IUD_PLACERS.map(([t]) => t), IUD_PLACERS.map(([, w]) => w));
  const providerIndex = new Map(providers.map((p, i) => [p.kvk, i] as const));
  const counters = new Int32Array(providers.length);

  // devices per component: all, and those without a market window (fallback outside it)
  const byComponent = new Map<string, { all: Cumulative<SimDevice>; always: Cumulative<SimDevice> }>();
  for (const key of new Set(devices.map((d) => `${d.category}|${d.implantType}`))) {
    const list = devices.filter((d) => `${d.category}|${d.implantType}` === key);
    const always = list.filter((d) => !d.from && !d.to);
    byComponent.set(key, { all: new Cumulative(list, list.map((d) => d.share)), always: new Cumulative(always, always.map((d) => d.share)) });
  }
  const windows = new Map(devices.map((d) => [d.udiDi, [d.from ? dayOf(d.from) : -Infinity, d.to ? dayOf(d.to) : Infinity] as const]));
  const pickDevice = (category: SimCategory, implantType: string, day: number): SimDevice => {
    const c = byComponent.get(`${category}|${implantType}`)!;
    const d = c.all.pick(rDev);
    if (d.from === undefined && d.to === undefined) return d;
    const [from, to] = windows.get(d.udiDi)!;
    return day >= from && day <= to ? d : c.always.pick(rDev);
  };

  // patients: a counter per population and a ring of recent patients (first day, death day) for repeat implants
  const patientCount = new Int32Array(4);
  const ringDeath = [0, 1, 2, 3].map(() => new Int32Array(RING));

  const hit: ActiveScenario[] = [];
  const defects = new Cumulative(DEFECTS.map(([d]) => d), DEFECTS.map(([, w]) => w));

  let emitted = 0;
  const rows: SimRecord[] = []; // rows of the current procedure only
  const kinds: RowKind[] = [];
  const lates: boolean[] = [];
  let lastLate = false;
  const received = (eventDay: number): string => {
    const late = rDel.chance(DELIVERY.lateShare);
    const delay = late ? rDel.int(32, 180) : rDel.int(0, 28);
    lastLate = late && eventDay + delay <= endDay;
    return iso(Math.min(endDay, eventDay + delay));
  };
  const push = (record: SimFields, receivedOn: string, kind: RowKind, _eventDay: number, invalid: string | null = null) => {
    rows.push({ record, receivedOn, invalid });
    kinds.push(kind);
    lates.push(lastLate);
  };
  const nextRef = (p: SimProvider, day: number): string => {
    const i = providerIndex.get(p.kvk)!;
    const n = ++counters[i]!;
    return `${REF_PREFIX[p.type]}-${iso(day).slice(0, 4)}-${String(n).padStart(6, '0')}`;
  };

  const maxProcedures = input.maxProcedures ?? Infinity;
  for (let proc = 0; emitted < input.rows && proc < maxProcedures; proc++) {
    const day = startDay + Math.min(span, Math.floor(((proc + rProc.next()) / input.procedures) * span));
    const kind = procedures.pick(rProc);
    const population = POPULATION[kind];
    const popNo = POPULATION_NO[population];

    // provider
    let provider: SimProvider;
    if (kind === 'iud') provider = placers.get(placerType.pick(rProv))!.pick(rProv);
    else if (kind === 'hip' || kind === 'knee' || kind === 'shoulder') provider = rProv.chance(JOINT_CLINIC_SHARE) ? clinics.pick(rProv) : hospitals.pick(rProv);
    else if (kind === 'breast') provider = rProv.chance(BREAST_CLINIC_SHARE) ? clinics.pick(rProv) : hospitals.pick(rProv);
    else provider = hospitals.pick(rProv);
    const institutional = provider.type === 'hospital' || provider.type === 'umc' || provider.type === 'independent-clinic';

    // patient: new, or a repeat implant in a recent patient who is still alive
    const deathRate = population === 'iud' ? 0 : OTHER_RATES[population].deathPerYear;
    let patientNo: number;
    let deathDay: number;
    let isNew = true;
    const count = patientCount[popNo]!;
    if (count > 0 && rPat.chance(REPEAT_SHARE[population])) {
      const back = 1 + Math.floor(rPat.next() * Math.min(count, RING - 1));
      patientNo = count - back;
      deathDay = ringDeath[popNo]![patientNo % RING]!;
      if (deathDay > day + 400) {
        isNew = false;
        stats.repeatImplants++;
      }
    }
    if (isNew) {
      patientNo = patientCount[popNo]!++;
      deathDay = deathRate > 0 ? day + 1 + Math.floor((-Math.log(1 - rPat.next()) / deathRate) * 365) : 2_000_000_000;
      ringDeath[popNo]![patientNo % RING] = Math.min(deathDay, 2_000_000_000);
    }
    const withPseudonym = !rPat.chance(DELIVERY.noPseudonymShare);
    const pseudo = withPseudonym ? pseudonym(seed, popNo, patientNo!) : undefined;

    rows.length = 0;
    kinds.length = 0;
    lates.length = 0;
    if (kind === 'iud') iudProcedure(day, provider, pseudo, deathDay!);
    else otherProcedure(kind, day, provider, institutional, pseudo, deathDay!, isNew);

    for (let i = 0; i < rows.length; i++) {
      if (emitted >= input.rows) break;
      const r = rows[i]!;
      emitted++;
      stats.rows++;
      stats.byKind[kinds[i]!]++;
      if (lates[i]) stats.late++;
      if (r.invalid !== null) stats.invalidByDefect[r.invalid] = (stats.invalidByDefect[r.invalid] ?? 0) + 1;
      const d = (r.record.implantDate ?? r.record.explantDate ?? r.record.deathDate) as string | undefined;
      if (d !== undefined && r.invalid === null) {
        if (stats.firstDate === null || d < stats.firstDate) stats.firstDate = d;
        if (stats.lastDate === null || d > stats.lastDate) stats.lastDate = d;
      }
      yield r;
    }
  }

  // ---- one procedure's rows ----

  function deviceFields(rec: SimFields, d: SimDevice, day: number, scanned: boolean): { lot: string; serial: string | null } {
    const made = day - rLot.int(20, 300);
    const mIso = iso(made);
    const letter = LOT_LETTERS[rLot.int(0, d.lotsPerMonth - 1)];
    const lot = d.lotMonths === 1 ? `${d.code}${mIso.slice(2, 4)}${mIso.slice(5, 7)}${letter}` : `${d.code}${lotMonth(mIso, d.lotMonths)}${letter}`;
    const serial = d.serialised ? `${d.code}S${String(rLot.int(0, 9_999_999)).padStart(7, '0')}` : null;
    const expiry = iso(made + d.shelfDays);
    if (scanned && d.issuer === 'GS1') {
      const yymmdd = `${expiry.slice(2, 4)}${expiry.slice(5, 7)}${expiry.slice(8, 10)}`;
      rec.udi = serial ? `(01)${d.udiDi}(17)${yymmdd}(21)${serial}` : `(01)${d.udiDi}(17)${yymmdd}(10)${lot}`;
    } else {
      rec.udiDi = d.udiDi;
      if (serial) rec.serial = serial;
      else rec.lot = lot;
      rec.expiryDate = expiry;
    }
    if (!d.inCatalogue) {
      rec.implantType = d.implantType;
      stats.uncatalogued++;
    }
    return { lot, serial };
  }

  /** The implantation row, perhaps preceded by an invalid attempt and followed by a lot correction. */
  function implantation(rec: SimFields, day: number, isIud: boolean): void {
    if (rInv.chance(input.invalidPerImplant)) {
      const { bad, defect } = withDefect(rec, isIud, rInv, defects);
      push(bad, received(day), 'invalid', day, defect);
    }
    const when = received(day);
    if (typeof rec.lot === 'string' && rDel.chance(DELIVERY.correctionShare)) {
      // first delivered with a typing error in the lot, corrected a few days later
      push({ ...rec, lot: `${rec.lot.slice(0, -1)}${rec.lot.endsWith('X') ? 'Y' : 'X'}` }, when, 'implantation', day);
      push({ ...rec }, iso(Math.min(endDay, dayOf(when) + rDel.int(1, 20))), 'correction', day);
    } else {
      push({ ...rec }, when, 'implantation', day); // a copy: the follow-up adds to rec later
    }
  }

  function explantElsewhere(by: SimProvider, pseudo: string, d: SimDevice, lot: string, serial: string | null, day: number, reason: string, role: string, procedureCode: string | undefined, extra: SimFields): void {
    const rec: SimFields = { providerKvk: by.kvk, providerRecordRef: nextRef(by, day), patientPseudonym: pseudo, udiDi: d.udiDi };
    if (serial) rec.serial = serial;
    else rec.lot = lot;
    rec.explantDate = iso(day);
    rec.explantReason = reason;
    if (procedureCode) rec.procedureCode = procedureCode;
    rec.professionalRole = role;
    Object.assign(rec, extra);
    push(rec, received(day), 'explantation-elsewhere', day);
  }

  function iudProcedure(day: number, provider: SimProvider, pseudo: string | undefined, deathDay: number): void {
    const hormonal = rDev.chance(IUD_HORMONAL_SHARE);
    const d = pickDevice(hormonal ? 'iud-hormonal' : 'iud-copper', hormonal ? '13.02' : '13.01', day);
    stats.byCategory[d.category] = (stats.byCategory[d.category] ?? 0) + 1;
    const rec: SimFields = { providerKvk: provider.kvk, providerRecordRef: nextRef(provider, day) };
    if (pseudo) rec.patientPseudonym = pseudo;
    const { lot, serial } = deviceFields(rec, d, day, false);
    rec.implantDate = iso(day);
    rec.bodySite = SITE.iud;
    rec.procedureCode = PROCEDURE_CODE.iud!;
    const role = ROLE_OF_PLACER[provider.type]!;
    rec.professionalRole = role;
    const placement = drawPlacement(rIud, provider.type);
    if (placement.weeksPostpartum !== null) rec.weeksPostpartum = placement.weeksPostpartum;
    rec.breastfeeding = placement.breastfeeding;
    rec.ultrasoundCheck = placement.ultrasoundCheck;
    rec.previousExpulsion = placement.previousExpulsion;

    const m = multipliersFor(scenarios, d.udiDi, lot, provider.kvk, day, placement.breastfeeding, hit);
    const outcome = drawOutcome(rOut, outcomeProbabilities(placement, hormonal, m));
    stats.iud.placements++;
    count(outcome.event);
    for (const s of hit) {
      s.realised.placements++;
      if (placement.breastfeeding) s.realised.breastfeedingPlacements++;
      if (outcome.event === 'expulsion') s.realised.expulsions++;
      else if (outcome.event === 'pregnancy') s.realised.pregnancies++;
      else if (outcome.event === 'perforation') {
        s.realised.perforations++;
        if (placement.breastfeeding) s.realised.breastfeedingPerforations++;
      }
    }

    implantation(rec, day, true);
    if (rDel.chance(DELIVERY.withdrawalShare)) {
      push({ providerKvk: provider.kvk, providerRecordRef: rec.providerRecordRef!, action: 'withdraw' }, received(day + 2), 'withdrawal', day);
      return;
    }
    // 6-week follow-up, delivered as a correction (the whole record again)
    const followDay = day + rIud.int(35, 56);
    const eventDay = day + outcome.afterDays;
    if (followDay <= endDay && rIud.chance(IUD_PLACEMENT.followUp) && !(outcome.event !== null && eventDay <= followDay)) {
      rec.followUpDate = iso(followDay);
      if (!placement.ultrasoundCheck && rIud.chance(0.3)) rec.ultrasoundCheck = true;
      push({ ...rec }, received(followDay), 'follow-up', followDay);
    }
    if (eventDay > endDay || eventDay >= deathDay) return;
    const reason = outcome.event === null ? (rOut.chance(0.5) ? 'end-of-use' : 'pregnancy-wish') : outcome.event === 'other' ? rOut.weighted(OTHER_REASONS) : outcome.event;
    const elsewhere = pseudo !== undefined && (outcome.event === 'perforation' ? rOut.chance(IUD_RATES.perforationByHospital) : rOut.chance(0.2));
    if (elsewhere) {
      const by = hospitals.pick(rProv);
      explantElsewhere(by, pseudo!, d, lot, serial, eventDay, reason, 'gynaecologist', IUD_REMOVAL, { bodySite: SITE.iud });
    } else {
      push({ ...rec, explantDate: iso(eventDay), explantReason: reason }, received(eventDay), 'explantation', eventDay);
    }
  }

  function count(e: IudEvent | null): void {
    if (e === 'perforation') stats.iud.perforations++;
    else if (e === 'expulsion') stats.iud.expulsions++;
    else if (e === 'pregnancy') stats.iud.pregnancies++;
    else if (e === 'other') stats.iud.otherRemovals++;
  }

  function otherProcedure(kind: Procedure, day: number, provider: SimProvider, institutional: boolean, pseudo: string | undefined, deathDay: number, isNew: boolean): void {
    const population = POPULATION[kind] as Exclude<Population, 'iud'>;
    const rates = OTHER_RATES[population];
    const scanned = institutional && rDel.chance(DELIVERY.scannedShare);
    const side = kind === 'breast' ? (rProc.chance(0.8) ? ['left', 'right'] : [rProc.chance(0.5) ? 'left' : 'right']) : kind === 'pacemaker' || kind === 'icd' ? [null] : [rProc.chance(0.5) ? 'left' : 'right'];
    const components = kind === 'breast' ? side.map(() => COMPONENTS.breast[0]!) : COMPONENTS[kind];
    const role = kind === 'pacemaker' || kind === 'icd' ? 'cardiologist' : 'surgeon';
    const placed: { rec: SimFields; d: SimDevice; lot: string; serial: string | null }[] = [];
    components.forEach(([category, implantType], i) => {
      const d = pickDevice(category, implantType, day);
      stats.byCategory[d.category] = (stats.byCategory[d.category] ?? 0) + 1;
      const rec: SimFields = { providerKvk: provider.kvk, providerRecordRef: nextRef(provider, day) };
      if (pseudo) rec.patientPseudonym = pseudo;
      const { lot, serial } = deviceFields(rec, d, day, scanned);
      rec.implantDate = iso(day);
      rec.bodySite = SITE[kind];
      const lat = kind === 'breast' ? side[i] : side[0];
      if (lat) rec.laterality = lat;
      const pc = PROCEDURE_CODE[kind];
      if (pc) rec.procedureCode = pc;
      rec.professionalRole = role;
      implantation(rec, day, false);
      placed.push({ rec, d, lot, serial });
    });
    if (rDel.chance(DELIVERY.withdrawalShare)) {
      const { rec } = placed[0]!;
      push({ providerKvk: provider.kvk, providerRecordRef: rec.providerRecordRef!, action: 'withdraw' }, received(day + 3), 'withdrawal', day);
      return;
    }
    // a revision (explantation of one component)
    const revisionDay = day + 1 + Math.floor((-Math.log(1 - rOut.next()) / rates.revisionPerYear) * 365);
    if (revisionDay <= endDay && revisionDay < deathDay) {
      const { rec, d, lot, serial } = placed[rOut.int(0, placed.length - 1)]!;
      const reason = rOut.chance(rates.infectionShare) ? 'infection' : kind === 'pacemaker' || kind === 'icd' ? rOut.pick(['malfunction', 'replacement'] as const) : rOut.pick(['replacement', 'pain-or-complaints', 'malfunction'] as const);
      if (pseudo && rOut.chance(OTHER_RATES.elsewhere)) {
        const by = hospitals.pick(rProv);
        explantElsewhere(by, pseudo, d, lot, serial, revisionDay, reason, role, undefined, rec.laterality ? { bodySite: rec.bodySite!, laterality: rec.laterality } : { bodySite: rec.bodySite! });
      } else {
        push({ ...rec, explantDate: iso(revisionDay), explantReason: reason }, received(revisionDay), 'explantation', revisionDay);
      }
    }
    // the death of a patient, reported once (at the patient's first implant) by the implanting provider
    if (isNew && pseudo && deathDay <= endDay) {
      const { d, lot, serial } = placed[0]!;
      const rec: SimFields = { providerKvk: provider.kvk, providerRecordRef: nextRef(provider, deathDay), patientPseudonym: pseudo, udiDi: d.udiDi };
      if (serial) rec.serial = serial;
      else rec.lot = lot;
      rec.deathDate = iso(deathDay);
      push(rec, received(deathDay), 'death', deathDay);
    }
  }
}

/** yymm of the first month of the block of `months` manufacture months (counted from January 2000) that holds the date. */
function lotMonth(isoDate: string, months: number): string {
  const index = (Number(isoDate.slice(0, 4)) - 2000) * 12 + Number(isoDate.slice(5, 7)) - 1;
  const start = index - (index % months);
  return `${String(Math.floor(start / 12) % 100).padStart(2, '0')}${String((start % 12) + 1).padStart(2, '0')}`;
}

const OTHER_REASONS: readonly (readonly [string, number])[] = [
  ['pain-or-complaints', 5],
  ['pregnancy-wish', 3],
  ['patient-request', 2],
  ['other', 1],
];

/** A copy of the row with one defect that intake rejects. */
export function withDefect(rec: SimFields, isIud: boolean, rnd: Random, defects: Cumulative<string>): { bad: SimFields; defect: string } {
  let defect = defects.pick(rnd);
  const bad: SimFields = { ...rec };
  if (defect === 'boolean-ja' && !isIud) defect = 'dutch-date';
  if (defect === 'gtin-check-digit' && !(typeof rec.udiDi === 'string' && /^\d{14}$/.test(rec.udiDi))) defect = 'dutch-date';
  switch (defect) {
    case 'dutch-date': {
      const [y, m, d] = String(rec.implantDate).split('-');
      bad.implantDate = `${Number(d)}-${Number(m)}-${y}`;
      break;
    }
    case 'unknown-role':
      bad.professionalRole = isIud ? 'verloskundige' : 'chirurg';
      break;
    case 'gtin-check-digit': {
      const di = String(rec.udiDi);
      bad.udiDi = di.slice(0, 13) + String((Number(di[13]) + 1 + rnd.int(0, 8)) % 10);
      break;
    }
    case 'missing-lot':
      if (typeof rec.udi === 'string') {
        delete bad.udi;
        bad.udiDi = rec.udi.slice(4, 18);
      }
      delete bad.lot;
      delete bad.serial;
      break;
    case 'boolean-ja':
      bad.breastfeeding = 'ja';
      break;
    case 'bad-pseudonym':
      bad.patientPseudonym = 'patient-' + String(rec.providerRecordRef).slice(-6);
      break;
  }
  return { bad, defect };
}
