/**
 * GS1 Application Identifier table (subset), data-driven.
 *
 * Each row follows the notation of the GS1 Barcode Syntax Dictionary (GS1 AISBL, Apache-2.0,
 * https://github.com/gs1/gs1-syntax-dictionary): AI or AI range, predefined-length flag (`*`:
 * no FNC1/GS needed after it), format components (`N` digits, `X` CSET 82, `Y` CSET 39,
 * `Z` base64url; `n` fixed length, `..n` up to n; `[…]` optional last component; `,linter`
 * content checks) and pairing rules (`req=` one of, repeated key = all groups; `ex=` never with;
 * `n` in a pattern = any digit). Pairing rules for device AIs follow the newer dictionary as
 * quoted in shared/reference/udi-parsing.md §2.3.
 *
 * To support another AI, add its row. Linters implemented: csum, yymmd0, yymmdd, hhmi/hhmm.
 * Others (iso3166, csumalpha, pcenc, …) are accepted without their content check for now.
 */

export type ComponentType = 'N' | 'X' | 'Y' | 'Z';

export interface AiComponent {
  type: ComponentType;
  min: number;
  max: number;
  optional: boolean;
  linters: string[];
}

export interface AiDefinition {
  ai: string;
  title: string;
  /** Predefined length (GenSpecs fig. 7.8.5-2): never followed by GS. */
  predefined: boolean;
  components: AiComponent[];
  minLength: number;
  maxLength: number;
  /** Each inner array: at least one of these must be present (all arrays must be satisfied). */
  req: string[][];
  ex: string[];
}

type Row = readonly [ai: string, flags: '*' | '', spec: string, pairing: string, title: string];

const ROWS: readonly Row[] = [
  ['00', '*', 'N18,csum', '', 'SSCC'],
  ['01', '*', 'N14,csum', 'ex=255,37', 'GTIN'],
  ['02', '*', 'N14,csum', 'req=37 ex=01,03', 'CONTENT'],
  ['03', '*', 'N14,csum', '', 'MTO GTIN'],
  ['10', '', 'X..20', 'req=01,02,03,8006,8026', 'BATCH/LOT'],
  ['11', '*', 'N6,yymmd0', 'req=01,02,03,8006,8026', 'PROD DATE'],
  ['12', '*', 'N6,yymmd0', 'req=8020', 'DUE DATE'],
  ['13', '*', 'N6,yymmd0', 'req=01,02,03,8006,8026', 'PACK DATE'],
  ['15', '*', 'N6,yymmd0', 'req=01,02,03,8006,8026', 'BEST BEFORE or BEST BY'],
  ['16', '*', 'N6,yymmd0', 'req=01,02,03,8006,8026', 'SELL BY'],
  ['17', '*', 'N6,yymmd0', 'req=01,02,03,255,8006,8026', 'USE BY or EXPIRY'],
  ['20', '*', 'N2', 'req=01,02,03,8006,8026', 'VARIANT'],
  ['21', '', 'X..20', 'req=01,03,8006 ex=235', 'SERIAL'],
  ['22', '', 'X..20', 'req=01', 'CPV'],
  ['235', '', 'X..28', 'req=01', 'TPX'],
  ['240', '', 'X..30', 'req=01,02,03,8006,8026', 'ADDITIONAL ID'],
  ['241', '', 'X..30', 'req=01,02,03,8006,8026', 'CUST. PART No.'],
  ['242', '', 'N..6', 'req=01,02,03,8006,8026', 'MTO VARIANT'],
  ['243', '', 'X..20', 'req=01,03', 'PCN'],
  ['250', '', 'X..30', 'req=01,03,8006 req=21', 'SECONDARY SERIAL'],
  ['251', '', 'X..30', 'req=01,03,8006', 'REF. TO SOURCE'],
  ['253', '', 'N13,csum [X..17]', '', 'GDTI'],
  ['254', '', 'X..20', 'req=414', 'GLN EXTENSION COMPONENT'],
  ['255', '', 'N13,csum [N..12]', 'ex=01,02,415,8006,8020,8026', 'GCN'],
  ['30', '', 'N..8', 'req=01,02,03', 'VAR. COUNT'],
  ['37', '', 'N..8', 'req=00 req=02,8026', 'COUNT'],
  ['3100-3695', '*', 'N6', '', 'MEASURE'],
  ['400', '', 'X..30', '', 'ORDER NUMBER'],
  ['410-417', '*', 'N13,csum', '', 'GLN'],
  ['420', '', 'X..20', 'ex=421', 'SHIP TO POST'],
  ['422', '', 'N3,iso3166', 'req=01,02,03,8006,8026 ex=426', 'ORIGIN'],
  ['423', '', 'N..15,iso3166list', 'req=01,02,03 ex=426', 'COUNTRY - INITIAL PROCESS'],
  ['424', '', 'N3,iso3166', 'req=01,02,03 ex=426', 'COUNTRY - PROCESS'],
  ['425', '', 'N..15,iso3166list', 'req=01,02,03 ex=426', 'COUNTRY - DISASSEMBLY'],
  ['426', '', 'N3,iso3166', 'req=01,02,03', 'COUNTRY - FULL PROCESS'],
  ['7003', '', 'N6,yymmdd N4,hhmi', 'req=01,02,03', 'EXPIRY TIME'],
  ['7011', '', 'N6,yymmdd [N4],hhmi', 'req=01,02,03', 'TEST BY DATE'],
  ['7020', '', 'X..20', 'req=01,8006 req=416', 'REFURB LOT'],
  ['7021', '', 'X..20', 'req=01,8006', 'FUNC STAT'],
  ['7022', '', 'X..20', 'req=7021', 'REV STAT'],
  ['7023', '', 'X..30', '', 'GIAI - ASSEMBLY'],
  ['710-715', '', 'X..20', 'req=01', 'NHRN'],
  ['7240', '', 'X..20', 'req=01,8006 ex=03', 'PROTOCOL'],
  ['8001', '', 'N14', 'req=01', 'DIMENSIONS'],
  ['8004', '', 'X..30', '', 'GIAI'],
  ['8006', '', 'N14,csum N4', 'ex=01,37', 'ITIP'],
  ['8012', '', 'X..20', 'req=01,03,8006', 'VERSION'],
  ['8013', '', 'X..25,csumalpha', '', 'GMN'],
  ['8020', '', 'X..25', 'req=415', 'REF No.'],
  ['8026', '', 'N14,csum N4', 'req=37 ex=02,8006', 'ITIP CONTENT'],
  ['8030', '', 'Z..90', 'req=00,01,253,255,8003,8004,8006,8010,8017,8018', 'DIGSIG'],
  ['8200', '', 'X..70', 'req=01', 'PRODUCT URL'],
  ['90', '', 'X..30', '', 'INTERNAL'],
  ['91-99', '', 'X..90', '', 'INTERNAL'],
];

function parseComponents(spec: string): AiComponent[] {
  return spec.split(/\s+/).map((raw) => {
    const optional = raw.startsWith('[');
    const cleaned = raw.replace('[', '').replace(']', '');
    const [fmt = '', ...linters] = cleaned.split(',');
    const m = /^([NXYZ])(\.\.)?(\d+)$/.exec(fmt);
    if (!m) throw new Error(`bad AI spec component ${raw}`);
    const n = Number(m[3]);
    return { type: m[1] as ComponentType, min: m[2] ? 1 : n, max: n, optional, linters };
  });
}

function expand(range: string): string[] {
  const [from, to] = range.split('-');
  if (to === undefined || from === undefined) return [range];
  const out: string[] = [];
  for (let i = Number(from); i <= Number(to); i++) out.push(String(i).padStart(from.length, '0'));
  return out;
}

const TABLE = new Map<string, AiDefinition>();
for (const [range, flags, spec, pairing, title] of ROWS) {
  const components = parseComponents(spec);
  const req: string[][] = [];
  let ex: string[] = [];
  for (const kv of pairing.split(/\s+/).filter(Boolean)) {
    const [k, v = ''] = kv.split('=');
    if (k === 'req') req.push(v.split(','));
    if (k === 'ex') ex = ex.concat(v.split(','));
  }
  for (const ai of expand(range)) {
    TABLE.set(ai, {
      ai,
      title,
      predefined: flags === '*',
      components,
      minLength: components.filter((c) => !c.optional).reduce((s, c) => s + c.min, 0),
      maxLength: components.reduce((s, c) => s + c.max, 0),
      req,
      ex,
    });
  }
}

export function lookupAi(ai: string): AiDefinition | undefined {
  return TABLE.get(ai);
}

/**
 * Length of the AI itself from its first two digits (GenSpecs; syntax engine):
 * 00–22, 30, 37, 90–99 → 2; 23–25, 40–42, 71 → 3; 31–36, 39, 43, 70, 72, 80–82 → 4.
 */
export function aiLengthForPrefix(prefix: string): number | null {
  if (!/^[0-9]{2}$/.test(prefix)) return null;
  const p = Number(prefix);
  if (p <= 22 || p === 30 || p === 37 || p >= 90) return 2;
  if ((p >= 23 && p <= 25) || (p >= 40 && p <= 42) || p === 71) return 3;
  if ((p >= 31 && p <= 36) || p === 39 || p === 43 || p === 70 || p === 72 || (p >= 80 && p <= 82)) return 4;
  return null;
}

function matches(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < ai.length; i++) {
    const p = pattern[i];
    if (p !== 'n' && p !== ai[i]) return false;
  }
  return true;
}

export interface PairingViolation {
  kind: 'req' | 'ex';
  ai: string;
  message: string;
}

/**
 * Evaluate req/ex over a set of AIs. Per the dictionary these rules apply to the combined data of
 * all carriers on one item, so callers decide whether a violation is an error or a warning.
 */
export function pairingViolations(ais: readonly string[]): PairingViolation[] {
  const present = [...new Set(ais)];
  const out: PairingViolation[] = [];
  const reportedPairs = new Set<string>();
  for (const ai of present) {
    const def = TABLE.get(ai);
    if (!def) continue;
    for (const pattern of def.ex) {
      const clash = present.find((other) => other !== ai && matches(pattern, other));
      const key = clash === undefined ? '' : [ai, clash].sort().join('+');
      if (clash !== undefined && !reportedPairs.has(key)) {
        reportedPairs.add(key);
        out.push({ kind: 'ex', ai, message: `AI (${ai}) must not occur together with (${clash})` });
      }
    }
    for (const group of def.req) {
      if (!group.some((pattern) => present.some((other) => matches(pattern, other)))) {
        out.push({ kind: 'req', ai, message: `AI (${ai}) requires one of (${group.join('), (')})` });
      }
    }
  }
  return out;
}
