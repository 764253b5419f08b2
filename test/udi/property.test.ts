/**
 * Property-based tests (fast-check): valid UDIs are generated, rendered in every input form and
 * parsed back to the same fields; arbitrary strings and bytes never make the parser throw.
 * Check digits and check characters are computed here independently of the parser. Seeded and
 * bounded so that the file stays fast and reproducible.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UDI_ERROR_CODES, parseUdi, parseUdiGroup, type UdiParse } from '../../src/udi/index.js';

const GS = '\u001d';
const REF = { referenceDate: new Date('2026-01-15T00:00:00Z') };
// Fixed for reproducible CI runs; override to explore: UDI_FC_SEED=123 UDI_FC_RUNS=5000 npx vitest run test/udi/property.test.ts
const SEED = Number(process.env.UDI_FC_SEED ?? 20260115);
const RUNS = Number(process.env.UDI_FC_RUNS ?? 300);
const params = { seed: SEED, numRuns: RUNS };

// ---- independent helpers ----------------------------------------------------------------------

/** GS1 mod 10 over the digits (without the check digit). */
function mod10(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

const M43 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%';
function mod43(data: string): string {
  let sum = 0;
  for (const ch of data) sum += M43.indexOf(ch);
  return M43.charAt(sum % 43);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const dim = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

interface Day {
  y: number;
  m: number;
  d: number;
}
const day = (fromYear: number, toYear: number): fc.Arbitrary<Day> =>
  fc
    .record({ y: fc.integer({ min: fromYear, max: toYear }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
    .map(({ y, m, d }) => ({ y, m, d: Math.min(d, dim(y, m)) }));
const ordinal = ({ y, m, d }: Day) => {
  let n = d;
  for (let k = 1; k < m; k++) n += dim(y, k);
  return n;
};

function expectOk(r: UdiParse, fields: Record<string, unknown>, input: unknown): void {
  if (!r.ok) throw new Error(`${JSON.stringify(input)} → ${JSON.stringify(r.error)}`);
  expect(r.value).toMatchObject(fields);
}

// ---- GS1 ----------------------------------------------------------------------------------------

const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const cset82 = (max: number) => fc.string({ unit: fc.constantFrom(...CSET82), minLength: 1, maxLength: max });

interface Gs1Udi {
  gtin: string;
  /** Elements after (01), in label order. */
  pis: [ai: string, value: string][];
  expected: { udiDi: string; lot: string | null; serial: string | null; expiryDate: string | null; manufactureDate: string | null };
}

/** The GS1 scan year 2026 maps YY 77–99 to 1977–1999 and 00–76 to 2000–2076 (GenSpecs 7.12). */
const gs1Day = day(1977, 2076);

const gs1Udi: fc.Arbitrary<Gs1Udi> = fc
  .record({
    body: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }),
    lot: fc.option(cset82(20), { nil: null }),
    serial: fc.option(cset82(20), { nil: null }),
    expiry: fc.option(gs1Day, { nil: null }),
    made: fc.option(gs1Day, { nil: null }),
    version: fc.option(cset82(20), { nil: null }),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  })
  .map(({ body, lot, serial, expiry, made, version, order }) => {
    const yymmdd = ({ y, m, d }: Day) => pad(y % 100) + pad(m) + pad(d);
    const pis: [string, string][] = [];
    if (expiry) pis.push(['17', yymmdd(expiry)]);
    if (made) pis.push(['11', yymmdd(made)]);
    if (lot !== null) pis.push(['10', lot]);
    if (serial !== null) pis.push(['21', serial]);
    if (version !== null) pis.push(['8012', version]);
    // shuffle deterministically by the generated keys
    const keyed = pis.map((p, k) => ({ p, key: order[k] ?? 0 }));
    keyed.sort((a, b) => a.key - b.key);
    return {
      gtin: body + mod10(body),
      pis: keyed.map((k) => k.p),
      expected: {
        udiDi: body + mod10(body),
        lot,
        serial,
        expiryDate: expiry ? iso(expiry.y, expiry.m, expiry.d) : null,
        manufactureDate: made ? iso(made.y, made.m, made.d) : null,
      },
    };
  });

const PREDEFINED = new Set(['01', '11', '17']);

/** Raw element string: GS after every variable-length element that is not last. */
function raw(elements: [string, string][], sep = GS): string {
  return elements.map(([ai, v], k) => ai + v + (!PREDEFINED.has(ai) && k < elements.length - 1 ? sep : '')).join('');
}
/** HRI, with `(` in data escaped as `\(` (syntax engine convention). */
function hri(elements: [string, string][]): string {
  return elements.map(([ai, v]) => `(${ai})${v.replaceAll('(', '\\(')}`).join('');
}

describe('property: GS1 UDIs in every input form parse back to the same fields', () => {
  it('raw with symbology identifiers, leading GS, redundant GS, keyboard-wedge separator; HRI; two-part label', () => {
    fc.assert(
      fc.property(gs1Udi, fc.constantFrom(']d2', ']C1', ']Q3', ']e0', ']J1', GS), (u, prefix) => {
        const all: [string, string][] = [['01', u.gtin], ...u.pis];
        const forms: [string, { separators?: string[] }][] = [
          [prefix + raw(all), {}],
          [`${raw(all)}`, {}],
          [`]d2${all.map(([ai, v]) => ai + v + GS).join('')}`, {}], // GS after every element, even predefined ones
          [raw(all, '|'), { separators: ['|'] }],
          [hri(all), {}],
        ];
        for (const [input, opts] of forms) expectOk(parseUdi(input, { ...REF, ...opts }), u.expected, input);
        // GS1-128 "shared in 2 parts": DI (+ first PI) in one symbol, the rest in the other
        const cut = Math.min(2, all.length);
        const session = [`]C1${raw(all.slice(0, cut))}`, ...(all.length > cut ? [`]C1${raw(all.slice(cut))}`] : [])];
        expectOk(parseUdiGroup(session, REF), { ...u.expected, partial: u.pis.length === 0 }, session);
        expectOk(parseUdiGroup([...session].reverse(), REF), u.expected, session);
      }),
      params,
    );
  });

  it('a bare GTIN is the DI only, also with the EAN/ITF symbology identifiers', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 12 }), (body) => {
        const ean13 = body + mod10(body);
        expectOk(parseUdi(ean13, REF), { udiDi: `0${ean13}`, partial: true }, ean13);
        expectOk(parseUdi(`]E0${ean13}`, REF), { udiDi: `0${ean13}` }, ean13);
        const itf = `1${ean13.slice(0, 12)}`;
        expectOk(parseUdi(`]I1${itf}${mod10(itf)}`, REF), { udiDi: itf + mod10(itf) }, itf);
      }),
      params,
    );
  });

  it('a wrong check digit is always GS1_CHECK_DIGIT at the check digit', () => {
    fc.assert(
      fc.property(gs1Udi, fc.integer({ min: 1, max: 9 }), (u, delta) => {
        const wrong = u.gtin.slice(0, 13) + String((Number(u.gtin[13]) + delta) % 10);
        const r = parseUdi(`]d201${wrong}`, REF);
        expect(r.ok ? null : r.error).toMatchObject({ code: 'GS1_CHECK_DIGIT', position: 18 });
      }),
      params,
    );
  });
});

// ---- HIBC -----------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const alnum = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength: min, maxLength: max });
const hibcDay = day(2000, 2099);

interface HibcUdi {
  primary: string; // +LIC PCN U/M, no check
  segments: string[]; // secondary + supplementals, no flag `+`, joined with `/` in 2-D
  expected: Record<string, string | null>;
}

const hibcUdi: fc.Arbitrary<HibcUdi> = fc
  .record({
    lic: fc.tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), alnum(3, 3)).map(([a, b]) => a + b),
    pcn: alnum(1, 18),
    um: fc.integer({ min: 0, max: 9 }),
    id: alnum(1, 18),
    exp: hibcDay,
    hh: fc.integer({ min: 0, max: 23 }),
    format: fc.constantFrom('$', '$$7', '$$MMYY', '$$2', '$$3', '$$4', '$$5', '$$6', '$+', '$$+7', '$$+3', '$$+5', 'YYJJJ'),
    serial: fc.option(alnum(1, 18), { nil: null }),
    made: fc.option(hibcDay, { nil: null }),
  })
  .map(({ lic, pcn, um, id, exp, hh, format, serial, made }) => {
    const yy = pad(exp.y % 100);
    const mm = pad(exp.m);
    const dd = pad(exp.d);
    const jjj = pad(ordinal(exp), 3);
    const dates: Record<string, [string, string | null]> = {
      $: ['$', null],
      $$7: ['$$7', null],
      $$MMYY: [`$$${mm}${yy}`, iso(exp.y, exp.m, dim(exp.y, exp.m))],
      $$2: [`$$2${mm}${dd}${yy}`, iso(exp.y, exp.m, exp.d)],
      $$3: [`$$3${yy}${mm}${dd}`, iso(exp.y, exp.m, exp.d)],
      $$4: [`$$4${yy}${mm}${dd}${pad(hh)}`, iso(exp.y, exp.m, exp.d)],
      $$5: [`$$5${yy}${jjj}`, iso(exp.y, exp.m, exp.d)],
      $$6: [`$$6${yy}${jjj}${pad(hh)}`, iso(exp.y, exp.m, exp.d)],
      '$+': ['$+', null],
      '$$+7': ['$$+7', null],
      '$$+3': [`$$+3${yy}${mm}${dd}`, iso(exp.y, exp.m, exp.d)],
      '$$+5': [`$$+5${yy}${jjj}`, iso(exp.y, exp.m, exp.d)],
      YYJJJ: [`${yy}${jjj}`, iso(exp.y, exp.m, exp.d)],
    };
    const [prefix, expiryDate] = dates[format]!;
    const isSerial = format.includes('+');
    const segments = [prefix + id];
    const extraSerial = isSerial ? null : serial;
    if (extraSerial !== null) segments.push(`S${extraSerial}`);
    if (made) segments.push(`16D${pad(made.y, 4)}${pad(made.m)}${pad(made.d)}`);
    return {
      primary: `+${lic}${pcn}${um}`,
      segments,
      expected: {
        udiDi: `${lic}${pcn}${um}`,
        lot: isSerial ? null : id,
        serial: isSerial ? id : extraSerial,
        expiryDate,
        manufactureDate: made ? iso(made.y, made.m, made.d) : null,
      },
    };
  });

describe('property: HIBC UDIs in every input form parse back to the same fields', () => {
  it('2-D concatenated, 1-D pair read together, two scans (both orders), caption delimiters, symbology IDs', () => {
    fc.assert(
      fc.property(hibcUdi, fc.constantFrom('', ']d1', ']Q0', ']zB', ']C0'), (u, id) => {
        const concatenatedData = `${u.primary}/${u.segments.join('/')}`;
        const concatenated = concatenatedData + mod43(concatenatedData);
        const link = mod43(u.primary);
        const primary = u.primary + link;
        const secondaryData = `+${u.segments.join('/')}${link}`;
        const secondary = secondaryData + mod43(secondaryData);
        const caption = (s: string) => `*${s.endsWith(' ') ? `${s.slice(0, -1)}_` : s}*`;
        for (const input of [id + concatenated, id + primary + secondary, caption(concatenated)]) {
          expectOk(parseUdi(input, REF), { issuer: 'HIBCC', ...u.expected, partial: false }, input);
        }
        expectOk(parseUdiGroup([id + primary, id + secondary], REF), u.expected, [primary, secondary]);
        expectOk(parseUdiGroup([secondary, caption(primary)], REF), u.expected, [secondary, primary]);
        expectOk(parseUdi(primary, REF), { udiDi: u.expected.udiDi, partial: true }, primary);
      }),
      params,
    );
  });

  it('a wrong check character is always an error, and only a warning when typed', () => {
    fc.assert(
      fc.property(hibcUdi, fc.integer({ min: 1, max: 42 }), (u, delta) => {
        const data = `${u.primary}/${u.segments.join('/')}`;
        const wrong = data + M43.charAt((M43.indexOf(mod43(data)) + delta) % 43);
        const r = parseUdi(wrong, REF);
        expect(r.ok ? null : r.error).toMatchObject({ code: 'HIBC_CHECK_CHARACTER', position: data.length });
        expectOk(parseUdi(wrong, { ...REF, typed: true }), u.expected, wrong);
      }),
      params,
    );
  });

  it('a secondary with another primary\'s link character is rejected in a session', () => {
    fc.assert(
      fc.property(hibcUdi, fc.integer({ min: 1, max: 42 }), (u, delta) => {
        const link = mod43(u.primary);
        const other = M43.charAt((M43.indexOf(link) + delta) % 43);
        const secondaryData = `+${u.segments.join('/')}${other}`;
        const r = parseUdiGroup([u.primary + link, secondaryData + mod43(secondaryData)], REF);
        expect(r.ok ? null : r.error).toMatchObject({ code: 'HIBC_LINK_CHARACTER', input: 1 });
      }),
      params,
    );
  });
});

// ---- ICCBBA ---------------------------------------------------------------------------------------

const FINP = 'ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789';
const isbtUdi = fc
  .record({
    fin: fc.string({ unit: fc.constantFrom(...FINP), minLength: 5, maxLength: 5 }),
    fpc: alnum(6, 6),
    pdc: alnum(5, 5),
    dinFirst: fc.constantFrom(...'ABCDEFGHIJKLMNPQRSTUVWXYZ123456789'),
    dinRest: fc.tuple(fc.string({ unit: fc.constantFrom(...FINP), minLength: 2, maxLength: 2 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 10, maxLength: 10 })),
    div: alnum(6, 6),
    exp: fc.option(hibcDay, { nil: null }),
    made: fc.option(hibcDay, { nil: null }),
    lot: fc.option(alnum(18, 18), { nil: null }),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  })
  .map((g) => {
    const cyyjjj = (d: Day) => `0${pad(d.y % 100)}${pad(ordinal(d), 3)}`;
    const di = g.fin + g.fpc + g.pdc;
    const pis = [`=${g.dinFirst}${g.dinRest[0]}${g.dinRest[1]}00`, `=,${g.div}`];
    if (g.exp) pis.push(`=>${cyyjjj(g.exp)}`);
    if (g.made) pis.push(`=}${cyyjjj(g.made)}`);
    if (g.lot) pis.push(`&,1${g.lot}`);
    const keyed = pis.map((p, k) => ({ p, key: g.order[k] ?? 0 })).sort((a, b) => a.key - b.key);
    return {
      structures: [`=/${di}`, ...keyed.map((k) => k.p)],
      expected: {
        udiDi: di,
        serial: g.div,
        lot: g.lot,
        expiryDate: g.exp ? iso(g.exp.y, g.exp.m, g.exp.d) : null,
        manufactureDate: g.made ? iso(g.made.y, g.made.m, g.made.d) : null,
      },
    };
  });

describe('property: ISBT 128 UDIs in every input form parse back to the same fields', () => {
  it('compound message, HRI without header, ]C4 / ]d1, one Code 128 symbol per structure', () => {
    fc.assert(
      fc.property(isbtUdi, ({ structures, expected }) => {
        const header = `=+${pad(structures.length)}000`; // aa counts the structures after the header
        for (const input of [header + structures.join(''), structures.join(''), `]d1${header}${structures.join('')}`, `]C4${structures.join('')}`]) {
          expectOk(parseUdi(input, REF), { issuer: 'ICCBBA', ...expected, partial: false, warnings: [] }, input);
        }
        expectOk(parseUdiGroup(structures, REF), expected, structures);
        expectOk(parseUdiGroup(structures.map((s) => `]C0${s}`).reverse(), REF), expected, structures);
      }),
      params,
    );
  });
});

// ---- robustness ---------------------------------------------------------------------------------

function neverThrows(input: string, opts = {}): void {
  let r: UdiParse;
  try {
    r = parseUdi(input, { ...REF, ...opts });
  } catch (e) {
    throw new Error(`parseUdi threw for ${JSON.stringify(input)}: ${String(e)}`);
  }
  if (!r.ok) {
    expect(UDI_ERROR_CODES).toContain(r.error.code);
    expect(r.error.position).toBeGreaterThanOrEqual(0);
    expect(r.error.position).toBeLessThanOrEqual(input.length);
    expect(r.error.message.length).toBeGreaterThan(0);
  } else {
    for (const e of r.value.elements) expect(e.position).toBeLessThan(input.length);
  }
}

/** Characters that matter to the parsers, to reach deep paths more often than uniform noise. */
const INTERESTING = [...'0123456789()+/$=&,>}]\u001d\\ *_%-.SQDdCeE|T', 'A', 'Z', 'a', '\r', '\n', 'é', '↔', '\u0000'];

describe('property: no input makes the parser throw', () => {
  it('random Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => neverThrows(s)), { seed: SEED, numRuns: RUNS * 3 });
  });

  it('random byte strings (as Latin-1)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => neverThrows(Buffer.from(bytes).toString('latin1'))),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('strings of parser-relevant characters, with and without separators and typed mode', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...INTERESTING), maxLength: 60 }),
        fc.constantFrom('', ']d2', ']C1', '+', '(01)', '=', '&', '+A123'),
        fc.boolean(),
        (s, prefix, typed) => {
          neverThrows(prefix + s);
          neverThrows(prefix + s, { separators: ['|', '↔'], typed });
        },
      ),
      { seed: SEED, numRuns: RUNS * 5 },
    );
  });

  it('valid carriers with random edits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          gs1Udi.map((u) => `]d2${raw([['01', u.gtin], ...u.pis])}`),
          gs1Udi.map((u) => hri([['01', u.gtin], ...u.pis])),
          hibcUdi.map((u) => {
            const d = `${u.primary}/${u.segments.join('/')}`;
            return d + mod43(d);
          }),
          isbtUdi.map((u) => u.structures.join('')),
        ),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INTERESTING), fc.constantFrom('insert', 'replace', 'delete')), { maxLength: 3 }),
        (valid, edits) => {
          let s = valid;
          for (const [at, ch, op] of edits) {
            const k = at % (s.length + 1);
            s = op === 'insert' ? s.slice(0, k) + ch + s.slice(k) : op === 'replace' ? s.slice(0, k) + ch + s.slice(k + 1) : s.slice(0, k) + s.slice(k + 1);
          }
          neverThrows(s);
          try {
            const g = parseUdiGroup([valid, s], REF);
            if (!g.ok) expect(UDI_ERROR_CODES).toContain(g.error.code);
          } catch (e) {
            throw new Error(`parseUdiGroup threw for ${JSON.stringify([valid, s])}: ${String(e)}`);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 5 },
    );
  });
});
