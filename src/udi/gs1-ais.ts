/**
 * GS1 Application Identifier table, data-driven.
 *
 * Each row is transcribed from the GS1 Barcode Syntax Dictionary (GS1 AISBL, Apache-2.0,
 * https://github.com/gs1/gs1-syntax-dictionary, `gs1-syntax-dictionary.txt`; the same file ships
 * as `src/c-lib/gs1-syntax-dictionary.txt` in gs1/gs1-syntax-engine): AI or AI range,
 * predefined-length flag (`*`: no FNC1/GS needed after it), format components (`N` digits,
 * `X` CSET 82, `Y` CSET 39, `Z` base64url; `n` fixed length, `..n` up to n; `[…]` optional last
 * component; `,linter` content checks) and pairing rules (`req=` one of, repeated key = all
 * groups; `ex=` never with; `n` in a pattern = any digit). The `dlpkey` and `key` attributes (GS1
 * Digital Link and GCP lookups) are left out: they play no part in parsing element strings.
 *
 * Device AIs follow the newer dictionary as quoted in shared/reference/udi-parsing.md §2.3: AI (03)
 * MTO GTIN exists and is accepted wherever (01) is ("req=01,02,03,…").
 *
 * Linters implemented (gs1.ts): csum, csumalpha, yymmd0, yymmdd, yymmddhh, hhmm/hhmi, mmoptss,
 * nonzero, zero, winding, yesno, pieceoftotal, hyphen, nozeroprefix. The others (iso3166,
 * iso3166list, iso3166999, iso3166alpha2, iso4217, pcenc, iban, latitude, longitude,
 * importeridx, mediatype, couponcode, couponposoffer) only get the format check; none of them
 * matter for a device UDI.
 */

export type ComponentType = 'N' | 'X' | 'Y' | 'Z';

export interface AiComponent {
  type: ComponentType;
  min: number;
  max: number;
  optional: boolean;
  linters: readonly string[];
}

/** An AI's table entry; `reqAll01` is a precomputed fast-path flag for the pairing check. */

export interface AiDefinition {
  ai: string;
  title: string;
  /** Predefined length (GenSpecs fig. 7.8.5-2): never followed by GS. */
  predefined: boolean;
  components: readonly AiComponent[];
  minLength: number;
  maxLength: number;
  /** Each inner array: at least one of these must be present (all arrays must be satisfied). */
  req: readonly (readonly string[])[];
  ex: readonly string[];
  /** Every req group can be satisfied by (01) (and there is at least one). */
  reqAll01: boolean;
}

type Row = readonly [ai: string, flags: '*' | '', spec: string, pairing: string, title: string];

const TRADE = 'req=01,02,03,8006,8026';
const MEASURE_TRADE = 'req=01,02';
const MEASURE_LOG = 'req=00,01';

const ROWS: readonly Row[] = [
  ['00', '*', 'N18,csum', '', 'SSCC'],
  ['01', '*', 'N14,csum', 'ex=255,37', 'GTIN'],
  ['02', '*', 'N14,csum', 'req=37 ex=01,03', 'CONTENT'],
  ['03', '*', 'N14,csum', '', 'MTO GTIN'],
  ['10', '', 'X..20', TRADE, 'BATCH/LOT'],
  ['11', '*', 'N6,yymmd0', TRADE, 'PROD DATE'],
  ['12', '*', 'N6,yymmd0', 'req=8020', 'DUE DATE'],
  ['13', '*', 'N6,yymmd0', TRADE, 'PACK DATE'],
  ['15', '*', 'N6,yymmd0', TRADE, 'BEST BEFORE or BEST BY'],
  ['16', '*', 'N6,yymmd0', TRADE, 'SELL BY'],
  ['17', '*', 'N6,yymmd0', 'req=01,02,03,255,8006,8026', 'USE BY or EXPIRY'],
  ['20', '*', 'N2', TRADE, 'VARIANT'],
  ['21', '', 'X..20', 'req=01,03,8006 ex=235', 'SERIAL'],
  ['22', '', 'X..20', 'req=01', 'CPV'],
  ['235', '', 'X..28', 'req=01', 'TPX'],
  ['240', '', 'X..30', TRADE, 'ADDITIONAL ID'],
  ['241', '', 'X..30', TRADE, 'CUST. PART No.'],
  ['242', '', 'N..6', TRADE, 'MTO VARIANT'],
  ['243', '', 'X..20', 'req=01,03', 'PCN'],
  ['250', '', 'X..30', 'req=01,03,8006 req=21', 'SECONDARY SERIAL'],
  ['251', '', 'X..30', 'req=01,03,8006', 'REF. TO SOURCE'],
  ['253', '', 'N13,csum [X..17]', '', 'GDTI'],
  ['254', '', 'X..20', 'req=414', 'GLN EXTENSION COMPONENT'],
  ['255', '', 'N13,csum [N..12]', 'ex=01,02,415,8006,8020,8026', 'GCN'],
  ['30', '', 'N..8', 'req=01,02,03', 'VAR. COUNT'],
  ['3100-3105', '*', 'N6', `${MEASURE_TRADE} ex=310n`, 'NET WEIGHT (kg)'],
  ['3110-3115', '*', 'N6', `${MEASURE_TRADE} ex=311n`, 'LENGTH (m)'],
  ['3120-3125', '*', 'N6', `${MEASURE_TRADE} ex=312n`, 'WIDTH (m)'],
  ['3130-3135', '*', 'N6', `${MEASURE_TRADE} ex=313n`, 'HEIGHT (m)'],
  ['3140-3145', '*', 'N6', `${MEASURE_TRADE} ex=314n`, 'AREA (m²)'],
  ['3150-3155', '*', 'N6', `${MEASURE_TRADE} ex=315n`, 'NET VOLUME (l)'],
  ['3160-3165', '*', 'N6', `${MEASURE_TRADE} ex=316n`, 'NET VOLUME (m³)'],
  ['3200-3205', '*', 'N6', `${MEASURE_TRADE} ex=320n`, 'NET WEIGHT (lb)'],
  ['3210-3215', '*', 'N6', `${MEASURE_TRADE} ex=321n`, 'LENGTH (in)'],
  ['3220-3225', '*', 'N6', `${MEASURE_TRADE} ex=322n`, 'LENGTH (ft)'],
  ['3230-3235', '*', 'N6', `${MEASURE_TRADE} ex=323n`, 'LENGTH (yd)'],
  ['3240-3245', '*', 'N6', `${MEASURE_TRADE} ex=324n`, 'WIDTH (in)'],
  ['3250-3255', '*', 'N6', `${MEASURE_TRADE} ex=325n`, 'WIDTH (ft)'],
  ['3260-3265', '*', 'N6', `${MEASURE_TRADE} ex=326n`, 'WIDTH (yd)'],
  ['3270-3275', '*', 'N6', `${MEASURE_TRADE} ex=327n`, 'HEIGHT (in)'],
  ['3280-3285', '*', 'N6', `${MEASURE_TRADE} ex=328n`, 'HEIGHT (ft)'],
  ['3290-3295', '*', 'N6', `${MEASURE_TRADE} ex=329n`, 'HEIGHT (yd)'],
  ['3300-3305', '*', 'N6', `${MEASURE_LOG} ex=330n`, 'GROSS WEIGHT (kg)'],
  ['3310-3315', '*', 'N6', `${MEASURE_LOG} ex=331n`, 'LENGTH (m), log'],
  ['3320-3325', '*', 'N6', `${MEASURE_LOG} ex=332n`, 'WIDTH (m), log'],
  ['3330-3335', '*', 'N6', `${MEASURE_LOG} ex=333n`, 'HEIGHT (m), log'],
  ['3340-3345', '*', 'N6', `${MEASURE_LOG} ex=334n`, 'AREA (m²), log'],
  ['3350-3355', '*', 'N6', `${MEASURE_LOG} ex=335n`, 'VOLUME (l), log'],
  ['3360-3365', '*', 'N6', `${MEASURE_LOG} ex=336n`, 'VOLUME (m³), log'],
  ['3370-3375', '*', 'N6', 'req=01 ex=337n', 'KG PER m²'],
  ['3400-3405', '*', 'N6', `${MEASURE_LOG} ex=340n`, 'GROSS WEIGHT (lb)'],
  ['3410-3415', '*', 'N6', `${MEASURE_LOG} ex=341n`, 'LENGTH (in), log'],
  ['3420-3425', '*', 'N6', `${MEASURE_LOG} ex=342n`, 'LENGTH (ft), log'],
  ['3430-3435', '*', 'N6', `${MEASURE_LOG} ex=343n`, 'LENGTH (yd), log'],
  ['3440-3445', '*', 'N6', `${MEASURE_LOG} ex=344n`, 'WIDTH (in), log'],
  ['3450-3455', '*', 'N6', `${MEASURE_LOG} ex=345n`, 'WIDTH (ft), log'],
  ['3460-3465', '*', 'N6', `${MEASURE_LOG} ex=346n`, 'WIDTH (yd), log'],
  ['3470-3475', '*', 'N6', `${MEASURE_LOG} ex=347n`, 'HEIGHT (in), log'],
  ['3480-3485', '*', 'N6', `${MEASURE_LOG} ex=348n`, 'HEIGHT (ft), log'],
  ['3490-3495', '*', 'N6', `${MEASURE_LOG} ex=349n`, 'HEIGHT (yd), log'],
  ['3500-3505', '*', 'N6', `${MEASURE_TRADE} ex=350n`, 'AREA (in²)'],
  ['3510-3515', '*', 'N6', `${MEASURE_TRADE} ex=351n`, 'AREA (ft²)'],
  ['3520-3525', '*', 'N6', `${MEASURE_TRADE} ex=352n`, 'AREA (yd²)'],
  ['3530-3535', '*', 'N6', `${MEASURE_LOG} ex=353n`, 'AREA (in²), log'],
  ['3540-3545', '*', 'N6', `${MEASURE_LOG} ex=354n`, 'AREA (ft²), log'],
  ['3550-3555', '*', 'N6', `${MEASURE_LOG} ex=355n`, 'AREA (yd²), log'],
  ['3560-3565', '*', 'N6', `${MEASURE_TRADE} ex=356n`, 'NET WEIGHT (t oz)'],
  ['3570-3575', '*', 'N6', `${MEASURE_TRADE} ex=357n`, 'NET VOLUME (oz)'],
  ['3600-3605', '*', 'N6', `${MEASURE_TRADE} ex=360n`, 'NET VOLUME (qt)'],
  ['3610-3615', '*', 'N6', `${MEASURE_TRADE} ex=361n`, 'NET VOLUME (gal.)'],
  ['3620-3625', '*', 'N6', `${MEASURE_LOG} ex=362n`, 'VOLUME (qt), log'],
  ['3630-3635', '*', 'N6', `${MEASURE_LOG} ex=363n`, 'VOLUME (gal.), log'],
  ['3640-3645', '*', 'N6', `${MEASURE_TRADE} ex=364n`, 'VOLUME (in³)'],
  ['3650-3655', '*', 'N6', `${MEASURE_TRADE} ex=365n`, 'VOLUME (ft³)'],
  ['3660-3665', '*', 'N6', `${MEASURE_TRADE} ex=366n`, 'VOLUME (yd³)'],
  ['3670-3675', '*', 'N6', `${MEASURE_LOG} ex=367n`, 'VOLUME (in³), log'],
  ['3680-3685', '*', 'N6', `${MEASURE_LOG} ex=368n`, 'VOLUME (ft³), log'],
  ['3690-3695', '*', 'N6', `${MEASURE_LOG} ex=369n`, 'VOLUME (yd³), log'],
  ['37', '', 'N..8', 'req=00 req=02,8026', 'COUNT'],
  ['3900-3909', '', 'N..15', 'req=255,8020 ex=390n,391n,394n,8111', 'AMOUNT'],
  ['3910-3919', '', 'N3,iso4217 N..15', 'req=8020 ex=391n', 'AMOUNT'],
  ['3920-3929', '', 'N..15', 'req=01 req=30,31nn,32nn,35nn,36nn ex=392n,393n', 'PRICE'],
  ['3930-3939', '', 'N3,iso4217 N..15', 'req=30,31nn,32nn,35nn,36nn ex=393n', 'PRICE'],
  ['3940-3943', '', 'N4', 'req=255 ex=394n,8111', 'PRCNT OFF'],
  ['3950-3955', '', 'N6', 'req=30,31nn,32nn,35nn,36nn ex=392n,393n,395n,8005', 'PRICE/UoM'],
  ['400', '', 'X..30', '', 'ORDER NUMBER'],
  ['401', '', 'X..30', '', 'GINC'],
  ['402', '', 'N17,csum', '', 'GSIN'],
  ['403', '', 'X..30', 'req=00', 'ROUTE'],
  ['410', '*', 'N13,csum', '', 'SHIP TO LOC'],
  ['411', '*', 'N13,csum', '', 'BILL TO'],
  ['412', '*', 'N13,csum', '', 'PURCHASE FROM'],
  ['413', '*', 'N13,csum', '', 'SHIP FOR LOC'],
  ['414', '*', 'N13,csum', '', 'LOC No.'],
  ['415', '*', 'N13,csum', 'req=8020', 'PAY TO'],
  ['416', '*', 'N13,csum', '', 'PROD/SERV LOC'],
  ['417', '*', 'N13,csum', '', 'PARTY'],
  ['420', '', 'X..20', 'ex=421', 'SHIP TO POST'],
  ['421', '', 'N3,iso3166 X..9', 'ex=4307', 'SHIP TO POST'],
  ['422', '', 'N3,iso3166', `${TRADE} ex=426`, 'ORIGIN'],
  ['423', '', 'N..15,iso3166list', 'req=01,02,03 ex=426', 'COUNTRY - INITIAL PROCESS'],
  ['424', '', 'N3,iso3166', 'req=01,02,03 ex=426', 'COUNTRY - PROCESS'],
  ['425', '', 'N..15,iso3166list', 'req=01,02,03 ex=426', 'COUNTRY - DISASSEMBLY'],
  ['426', '', 'N3,iso3166', 'req=01,02,03', 'COUNTRY - FULL PROCESS'],
  ['427', '', 'X..3', 'req=01,02,03 req=422', 'ORIGIN SUBDIVISION'],
  ['4300', '', 'X..35,pcenc', 'req=00', 'SHIP TO COMP'],
  ['4301', '', 'X..35,pcenc', 'req=00', 'SHIP TO NAME'],
  ['4302', '', 'X..70,pcenc', 'req=00', 'SHIP TO ADD1'],
  ['4303', '', 'X..70,pcenc', 'req=4302', 'SHIP TO ADD2'],
  ['4304', '', 'X..70,pcenc', 'req=00', 'SHIP TO SUB'],
  ['4305', '', 'X..70,pcenc', 'req=00', 'SHIP TO LOC'],
  ['4306', '', 'X..70,pcenc', 'req=00', 'SHIP TO REG'],
  ['4307', '', 'X2,iso3166alpha2', 'req=00', 'SHIP TO COUNTRY'],
  ['4308', '', 'X..30', 'req=00', 'SHIP TO PHONE'],
  ['4309', '', 'N10,latitude N10,longitude', 'req=00', 'SHIP TO GEO'],
  ['4310', '', 'X..35,pcenc', 'req=00', 'RTN TO COMP'],
  ['4311', '', 'X..35,pcenc', 'req=00', 'RTN TO NAME'],
  ['4312', '', 'X..70,pcenc', 'req=00', 'RTN TO ADD1'],
  ['4313', '', 'X..70,pcenc', 'req=4312', 'RTN TO ADD2'],
  ['4314', '', 'X..70,pcenc', 'req=00', 'RTN TO SUB'],
  ['4315', '', 'X..70,pcenc', 'req=00', 'RTN TO LOC'],
  ['4316', '', 'X..70,pcenc', 'req=00', 'RTN TO REG'],
  ['4317', '', 'X2,iso3166alpha2', 'req=00', 'RTN TO COUNTRY'],
  ['4318', '', 'X..20', 'req=00', 'RTN TO POST'],
  ['4319', '', 'X..30', 'req=00', 'RTN TO PHONE'],
  ['4320', '', 'X..35,pcenc', 'req=00', 'SRV DESCRIPTION'],
  ['4321', '', 'N1,yesno', 'req=00', 'DANGEROUS GOODS'],
  ['4322', '', 'N1,yesno', 'req=00', 'AUTH TO LEAVE'],
  ['4323', '', 'N1,yesno', 'req=00', 'SIG REQUIRED'],
  ['4324', '', 'N6,yymmd0 N4,hhmm', 'req=00', 'NOT BEF DEL DT'],
  ['4325', '', 'N6,yymmd0 N4,hhmm', 'req=00', 'NOT AFT DEL DT'],
  ['4326', '', 'N6,yymmdd', 'req=00', 'REL DATE'],
  ['4330', '', 'N6 [X1],hyphen', 'req=00 ex=4331', 'MAX TEMP F.'],
  ['4331', '', 'N6 [X1],hyphen', 'req=00 ex=4330', 'MAX TEMP C.'],
  ['4332', '', 'N6 [X1],hyphen', 'req=00 ex=4333', 'MIN TEMP F.'],
  ['4333', '', 'N6 [X1],hyphen', 'req=00 ex=4332', 'MIN TEMP C.'],
  ['7001', '', 'N13', 'req=01,02,8006,8026', 'NSN'],
  ['7002', '', 'X..30', 'req=01,02', 'MEAT CUT'],
  ['7003', '', 'N6,yymmdd N4,hhmm', 'req=01,02,03', 'EXPIRY TIME'],
  ['7004', '', 'N..4', 'req=01 req=10', 'ACTIVE POTENCY'],
  ['7005', '', 'X..12', 'req=01,02', 'CATCH AREA'],
  ['7006', '', 'N6,yymmdd', 'req=01,02', 'FIRST FREEZE DATE'],
  ['7007', '', 'N6,yymmdd [N6],yymmdd', 'req=01,02', 'HARVEST DATE'],
  ['7008', '', 'X..3', 'req=01,02', 'AQUATIC SPECIES'],
  ['7009', '', 'X..10', 'req=01,02', 'FISHING GEAR TYPE'],
  ['7010', '', 'X..2', 'req=01,02', 'PROD METHOD'],
  ['7011', '', 'N6,yymmdd [N4],hhmm', 'req=01,02,03', 'TEST BY DATE'],
  ['7020', '', 'X..20', 'req=01,8006 req=416', 'REFURB LOT'],
  ['7021', '', 'X..20', 'req=01,8006', 'FUNC STAT'],
  ['7022', '', 'X..20', 'req=7021', 'REV STAT'],
  ['7023', '', 'X..30', '', 'GIAI - ASSEMBLY'],
  ['7030-7039', '', 'N3,iso3166999 X..27', 'req=01,02', 'PROCESSOR # s'],
  ['7040', '', 'N1 X1 X1 X1,importeridx', '', 'UIC+EXT'],
  ['710', '', 'X..20', 'req=01', 'NHRN PZN'],
  ['711', '', 'X..20', 'req=01', 'NHRN CIP'],
  ['712', '', 'X..20', 'req=01', 'NHRN CN'],
  ['713', '', 'X..20', 'req=01', 'NHRN DRN'],
  ['714', '', 'X..20', 'req=01', 'NHRN AIM'],
  ['715', '', 'X..20', 'req=01', 'NHRN NDC'],
  ['7230-7239', '', 'X2 X..28', 'req=01,8004', 'CERT # s'],
  ['7240', '', 'X..20', 'req=01,8006 ex=03', 'PROTOCOL'],
  ['7241', '', 'N2,mediatype', 'req=8017,8018', 'AIDC MEDIA TYPE'],
  ['7242', '', 'X..25', 'req=8017,8018', 'VCN'],
  ['8001', '', 'N4,nonzero N5,nonzero N3,nonzero N1,winding N1', 'req=01', 'DIMENSIONS'],
  ['8002', '', 'X..20', '', 'CMT No.'],
  ['8003', '', 'N1,zero N13,csum [X..16]', '', 'GRAI'],
  ['8004', '', 'X..30', '', 'GIAI'],
  ['8005', '', 'N6', 'req=01,02', 'PRICE PER UNIT'],
  ['8006', '', 'N14,csum N4,pieceoftotal', 'ex=01,37', 'ITIP'],
  ['8007', '', 'X..34,iban', 'req=415', 'IBAN'],
  ['8008', '', 'N8,yymmddhh [N..4],mmoptss', 'req=01,02', 'PROD TIME'],
  ['8009', '', 'X..50', 'req=00,01', 'OPTSEN'],
  ['8010', '', 'Y..30', '', 'CPID'],
  ['8011', '', 'N..12,nozeroprefix', 'req=8010', 'CPID SERIAL'],
  ['8012', '', 'X..20', 'req=01,03,8006', 'VERSION'],
  ['8013', '', 'X..25,csumalpha', '', 'GMN'],
  ['8017', '', 'N18,csum', 'ex=8018', 'GSRN - PROVIDER'],
  ['8018', '', 'N18,csum', 'ex=8017', 'GSRN - RECIPIENT'],
  ['8019', '', 'N..10', 'req=8017,8018', 'SRIN'],
  ['8020', '', 'X..25', 'req=415', 'REF No.'],
  ['8026', '', 'N14,csum N4,pieceoftotal', 'req=37 ex=02,8006', 'ITIP CONTENT'],
  ['8030', '', 'Z..90', 'req=00,01,253,255,8003,8004,8006,8010,8017,8018', 'DIGSIG'],
  ['8110', '', 'X..70,couponcode', '', 'COUPON CODE'],
  ['8111', '', 'N4', 'req=255', 'POINTS'],
  ['8112', '', 'X..70,couponposoffer', '', 'POSITIVE OFFER FILE COUPON CODE'],
  ['8200', '', 'X..70', 'req=01', 'PRODUCT URL'],
  ['90', '', 'X..30', '', 'INTERNAL'],
  ['91-99', '', 'X..90', '', 'INTERNAL'],
];

/** Linter names as string literals (internalised), so that gs1.ts's `switch` compares by identity. */
const LINTERS = [
  'csum', 'csumalpha', 'yymmd0', 'yymmdd', 'yymmddhh', 'hhmm', 'hhmi', 'mmoptss', 'nonzero', 'zero', 'winding',
  'yesno', 'hyphen', 'nozeroprefix', 'pieceoftotal',
] as const;

function parseComponents(spec: string): AiComponent[] {
  return spec.split(/\s+/).map((raw) => {
    const optional = raw.startsWith('[');
    const cleaned = raw.replace('[', '').replace(']', '');
    const [fmt = '', ...linters] = cleaned.split(',');
    const m = /^([NXYZ])(\.\.)?(\d+)$/.exec(fmt);
    if (!m) throw new Error(`bad AI spec component ${raw}`);
    const n = Number(m[3]);
    const interned = linters.map((l) => LINTERS.find((k) => k === l) ?? l);
    return { type: m[1] as ComponentType, min: m[2] ? 1 : n, max: n, optional, linters: interned };
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
  const ais = expand(range);
  for (const [k, ai] of ais.entries()) {
    TABLE.set(ai, {
      ai,
      // `s` in a range title stands for the sequence number (PROCESSOR # 0…9, CERT # 1…10).
      title: title.endsWith('# s') ? title.replace('# s', `# ${range.startsWith('72') ? k + 1 : k}`) : title,
      predefined: flags === '*',
      components,
      minLength: components.filter((c) => !c.optional).reduce((s, c) => s + c.min, 0),
      maxLength: components.reduce((s, c) => s + c.max, 0),
      req,
      ex,
      reqAll01: req.length > 0 && req.every((g) => g.includes('01')),
    });
  }
}

/** Numeric index of an AI: 2 digits → 0–99, 3 digits → 100–1099, 4 digits → 1100–11099. */
function aiIndex(ai: string, from: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) {
    const d = ai.charCodeAt(from + k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return len === 2 ? v : len === 3 ? 100 + v : len === 4 ? 1100 + v : -1;
}

const BY_INDEX: (AiDefinition | undefined)[] = new Array<AiDefinition | undefined>(11100).fill(undefined);
for (const def of TABLE.values()) BY_INDEX[aiIndex(def.ai, 0, def.ai.length)] = def;

export function lookupAi(ai: string): AiDefinition | undefined {
  return TABLE.get(ai);
}

/** The AI of `len` digits at text[from…], without slicing the text; undefined when unknown. */
export function lookupAiAt(text: string, from: number, len: number): AiDefinition | undefined {
  const k = aiIndex(text, from, len);
  return k < 0 ? undefined : BY_INDEX[k];
}

/**
 * True when the pairing rules certainly hold for these AIs, decided without the general check:
 * (01) is present, every other AI's req groups all accept (01), and no ex rule matches. Nearly
 * every device UDI — (01) with (10), (11), (17), (21), (240), (8012)… — takes this path.
 */
export function pairingFastOk(defs: readonly AiDefinition[]): boolean {
  let hasDi = false;
  for (const d of defs) {
    if (d.ai === '01') hasDi = true;
    else if (!d.reqAll01) return false;
  }
  if (!hasDi) return false;
  for (const d of defs) {
    for (const pattern of d.ex) {
      for (const other of defs) if (other !== d && matches(pattern, other.ai)) return false;
    }
  }
  return true;
}

/** Every AI in the table, in lexical order (for tests and documentation). */
export function allAis(): AiDefinition[] {
  return [...TABLE.values()].sort((a, b) => (a.ai < b.ai ? -1 : 1));
}

/** AI length by its first two digits (0 = no AI starts with these digits). */
const AI_LENGTH_BY_PREFIX = new Uint8Array(100);
(() => {
  const set = (from: number, to: number, len: number): void => {
    for (let p = from; p <= to; p++) AI_LENGTH_BY_PREFIX[p] = len;
  };
  set(0, 22, 2);
  set(30, 30, 2);
  set(37, 37, 2);
  set(90, 99, 2);
  set(23, 25, 3);
  set(40, 42, 3);
  set(71, 71, 3);
  set(31, 36, 4);
  set(39, 39, 4);
  set(43, 43, 4);
  set(70, 70, 4);
  set(72, 72, 4);
  set(80, 82, 4);
})();

/**
 * Length of the AI itself from its first two digits (GenSpecs; syntax engine
 * `test_ai_checkAIlengthByPrefix`): 00–22, 30, 37, 90–99 → 2; 23–25, 40–42, 71 → 3;
 * 31–36, 39, 43, 70, 72, 80–82 → 4.
 */
export function aiLengthForPrefix(prefix: string): number | null {
  if (prefix.length !== 2) return null;
  const a = prefix.charCodeAt(0) - 48;
  const b = prefix.charCodeAt(1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return null;
  const len = AI_LENGTH_BY_PREFIX[a * 10 + b] ?? 0;
  return len === 0 ? null : len;
}

/**
 * Data length of the AI prefixes that are predefined (no FNC1/GS needed), GenSpecs fig. 7.8.5-2
 * as listed in the syntax engine's `fixedAIprefixLengths` (AI 23 no longer has one).
 */
export function predefinedLengthForPrefix(prefix: string): number | null {
  const p = Number(prefix);
  if (!/^[0-9]{2}$/.test(prefix)) return null;
  if (p === 0) return 18;
  if (p >= 1 && p <= 3) return 14;
  if (p === 4) return 16;
  if (p >= 11 && p <= 19) return 6;
  if (p === 20) return 2;
  if (p >= 31 && p <= 36) return 6;
  if (p === 41) return 13;
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
export function pairingViolations(ais: readonly string[]): readonly PairingViolation[] {
  const key = ais.join(',');
  const cached = PAIRING_CACHE.get(key);
  if (cached) return cached;
  const result = computePairing(ais);
  if (PAIRING_CACHE.size >= 4096) PAIRING_CACHE.clear();
  PAIRING_CACHE.set(key, result);
  return result;
}

/** Results by AI list: labels repeat the same few AI combinations, so this is nearly always a hit. */
const PAIRING_CACHE = new Map<string, readonly PairingViolation[]>();

function computePairing(ais: readonly string[]): readonly PairingViolation[] {
  const present: string[] = [];
  for (const ai of ais) if (!present.includes(ai)) present.push(ai);
  let out: PairingViolation[] | null = null;
  let reportedPairs: string[] | null = null;
  for (const ai of present) {
    const def = TABLE.get(ai);
    if (!def) continue;
    for (const pattern of def.ex) {
      const clash = present.find((other) => other !== ai && matches(pattern, other));
      if (clash === undefined) continue;
      const key = ai < clash ? `${ai}+${clash}` : `${clash}+${ai}`;
      reportedPairs ??= [];
      if (reportedPairs.includes(key)) continue;
      reportedPairs.push(key);
      (out ??= []).push({ kind: 'ex', ai, message: `AI (${ai}) must not occur together with (${clash})` });
    }
    for (const group of def.req) {
      if (!group.some((pattern) => present.some((other) => other !== ai && matches(pattern, other)))) {
        (out ??= []).push({ kind: 'req', ai, message: `AI (${ai}) requires one of (${group.join('), (')})` });
      }
    }
  }
  return Object.freeze(out ?? []);
}
