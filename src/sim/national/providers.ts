// Care providers in realistic numbers and types, with valid-format KvK and AGB numbers and a
// province. Fictional names. Counts shrink for small runs so that every type appears.

import type { ProviderType } from '../../catalogue/reference-data.js';
import { PROVIDER_COUNTS, PROVIDER_FULL_SCALE_ROWS, PROVIDER_MINIMUM, REGIONS } from './config.js';
import { Cumulative, stream } from './util.js';

export interface SimProvider {
  kvk: string;
  agb: string | null;
  name: string;
  type: ProviderType;
  region: string;
  /** Relative size (volume share within its type). */
  weight: number;
}

/** AGB code prefix per type (Vektis zorgverlenerssoort: 01 huisarts, 03 verloskundige, 06 ziekenhuis, 22 ZBC); abortion clinics: none located, left empty. */
const AGB_PREFIX: Partial<Record<ProviderType, string>> = { hospital: '06', umc: '06', 'independent-clinic': '22', 'midwifery-practice': '03', 'gp-practice': '01' };
const NAME: Record<string, string> = {
  hospital: 'Ziekenhuis',
  umc: 'Universitair Medisch Centrum',
  'independent-clinic': 'Kliniek',
  'midwifery-practice': 'Verloskundigenpraktijk',
  'gp-practice': 'Huisartsenpraktijk',
  'abortion-clinic': 'Abortuskliniek',
};

export function providerCount(type: keyof typeof PROVIDER_COUNTS, records: number): number {
  const scale = Math.min(1, records / PROVIDER_FULL_SCALE_ROWS);
  return Math.max(PROVIDER_MINIMUM[type], Math.round(PROVIDER_COUNTS[type] * scale));
}

export function generateProviders(seed: number, records: number): SimProvider[] {
  const rnd = stream(seed, 'providers');
  const regions = new Cumulative(REGIONS.map(([r]) => r), REGIONS.map(([, w]) => w));
  const out: SimProvider[] = [];
  let serial = 0;
  for (const type of Object.keys(PROVIDER_COUNTS) as (keyof typeof PROVIDER_COUNTS)[]) {
    const n = providerCount(type, records);
    for (let i = 0; i < n; i++) {
      serial++;
      // KvK: 8 digits, unique: a permutation of the serial number (multiplication by an odd number mod 10^7).
      const kvk = `${1 + (serial % 8)}${String((serial * 7_654_321 + 1_234_567) % 10_000_000).padStart(7, '0')}`;
      const prefix = AGB_PREFIX[type];
      const agb = prefix ? `${prefix}${String((serial * 48_271) % 1_000_000).padStart(6, '0')}` : null;
      const region = type === 'umc' ? UMC_REGIONS[i % UMC_REGIONS.length]! : regions.pick(rnd);
      // sizes vary: log-normal weight (σ = 0.6) — a few large practices, many small ones
      const weight = Math.exp(0.6 * gaussian(rnd));
      out.push({ kvk, agb, name: `${NAME[type]} ${region} ${String(i + 1).padStart(4, '0')} (sim)`, type, region, weight });
    }
  }
  return out;
}

/** The seven UMCs: Amsterdam, Groningen, Leiden, Maastricht, Nijmegen, Rotterdam, Utrecht. */
const UMC_REGIONS = ['Noord-Holland', 'Groningen', 'Zuid-Holland', 'Limburg', 'Gelderland', 'Zuid-Holland', 'Utrecht'];

function gaussian(rnd: { next(): number }): number {
  const u = Math.max(rnd.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.next());
}
