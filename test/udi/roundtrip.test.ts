/**
 * Round trip with real barcodes: encode with bwip-js, render to PNG, decode the pixels with an
 * independent decoder (zxing-wasm, ZXing-C++), parse what the decoder returns — the symbology
 * identifier it reports plus its text, GS characters included — and compare with the input.
 * The .wasm file is read from node_modules; nothing is fetched from the network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { hibcCheckCharacter, parseUdi, parseUdiGroup, type UdiParse, type UdiResult } from '../../src/udi/index.js';

const REF = { referenceDate: new Date('2026-01-15T00:00:00Z') };

beforeAll(async () => {
  // node_modules/zxing-wasm/dist/reader/zxing_reader.wasm, resolved through the package exports.
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
  const bytes = readFileSync(wasmPath);
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(() => {
    throw new Error('zxing-wasm must not fetch its .wasm from the network');
  });
  try {
    await prepareZXingModule({
      // The binary comes from disk; locateFile points at the same local file should anything ask.
      overrides: { wasmBinary, locateFile: (path: string) => (path.endsWith('.wasm') ? wasmPath : path) },
      fireImmediately: true,
    });
    expect(fetchSpy).not.toHaveBeenCalled();
  } finally {
    fetchSpy.mockRestore();
  }
});

type ImageInput = Parameters<typeof readBarcodes>[0];

/** Encodes with bwip-js, decodes the PNG pixels with zxing-wasm; returns symbology id + text. */
async function scan(bcid: string, text: string, textMode: ReaderOptions['textMode'] = 'Plain'): Promise<{ scanned: string; format: string }> {
  // White background and a quiet zone; `height` (mm) only for linear symbols: on 2-D ones it distorts the matrix.
  const linear = bcid === 'gs1-128' || bcid.endsWith('code128');
  const png = await bwipjs.toBuffer({ bcid, text, scale: 3, ...(linear ? { height: 12 } : {}), backgroundcolor: 'FFFFFF', paddingwidth: 12, paddingheight: 12 });
  const image = PNG.sync.read(png);
  const rgba = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const results = await readBarcodes({ data: rgba, width: image.width, height: image.height } as unknown as ImageInput, {
    tryHarder: true,
    textMode,
    maxNumberOfSymbols: 1,
  });
  expect(results, `${bcid} ${text}: nothing decoded`).toHaveLength(1);
  const r = results[0]!;
  expect(r.isValid).toBe(true);
  // In HRI mode the text is the human-readable form; the identifier would be misleading then.
  return { scanned: textMode === 'HRI' ? r.text : r.symbologyIdentifier + r.text, format: r.format };
}

function ok(r: UdiParse): UdiResult {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

interface Case {
  name: string;
  bcid: string;
  text: string;
  textMode?: ReaderOptions['textMode'];
  /** Symbology identifier the decoder must report. */
  id?: string;
  expected: Partial<UdiResult>;
}

// GTINs: 08023279277098 (Σ 112 → 8), 09506000134352 (Σ 78 → 2), 04006381333931 (Σ 99 → 1), all hand-checked in gs1.test.ts / vectors.ts.
const CASES: Case[] = [
  {
    name: 'GS1 DataMatrix: DI, expiry, lot, serial',
    bcid: 'gs1datamatrix',
    text: '(01)08023279277098(17)271231(10)LOT-42/A(21)SN000123',
    id: ']d2',
    expected: { issuer: 'GS1', udiDi: '08023279277098', expiryDate: '2027-12-31', lot: 'LOT-42/A', serial: 'SN000123', partial: false },
  },
  {
    name: 'GS1 DataMatrix: manufacture date, software version (8012), lot at its maximum length',
    bcid: 'gs1datamatrix',
    text: '(01)09506000134352(11)250301(10)ABCDEFGHIJKLMNOPQRST(8012)v2.1.0',
    id: ']d2',
    expected: { udiDi: '09506000134352', manufactureDate: '2025-03-01', lot: 'ABCDEFGHIJKLMNOPQRST', partial: false },
  },
  {
    name: 'GS1 DataMatrix read in HRI text mode',
    bcid: 'gs1datamatrix',
    text: '(01)08023279277098(17)300630(21)A1B2C3',
    textMode: 'HRI',
    expected: { udiDi: '08023279277098', expiryDate: '2030-06-30', serial: 'A1B2C3' },
  },
  {
    name: 'GS1-128: DI, expiry, lot',
    bcid: 'gs1-128',
    text: '(01)04006381333931(17)281130(10)B7',
    id: ']C1',
    expected: { udiDi: '04006381333931', expiryDate: '2028-11-30', lot: 'B7', partial: false },
  },
  {
    name: 'GS1-128: variable-length AIs in the middle need a GS',
    bcid: 'gs1-128',
    text: '(01)09506000134352(10)X9(21)77(17)290101',
    id: ']C1',
    expected: { udiDi: '09506000134352', lot: 'X9', serial: '77', expiryDate: '2029-01-01' },
  },
  {
    name: 'GS1 QR Code',
    bcid: 'gs1qrcode',
    text: '(01)08023279277098(10)QR1(21)QR2',
    id: ']Q3',
    expected: { udiDi: '08023279277098', lot: 'QR1', serial: 'QR2' },
  },
  {
    name: 'HIBC DataMatrix, concatenated primary + secondary + supplementals (Nictiz example)',
    bcid: 'hibcdatamatrix',
    text: 'A99912345/$$52001510X3/16D20111212/S77DEFG45',
    expected: { issuer: 'HIBCC', udiDi: 'A99912345', lot: '10X3', serial: '77DEFG45', expiryDate: '2020-01-15', manufactureDate: '2011-12-12' },
  },
  {
    name: 'HIBC Code 128 primary',
    bcid: 'hibccode128',
    text: 'A123BJC5D6E71',
    id: ']C0',
    expected: { issuer: 'HIBCC', udiDi: 'A123BJC5D6E71', partial: true },
  },
  {
    name: 'HIBC QR Code with a $$3 (YYMMDD) expiry and a serial',
    bcid: 'hibcqrcode',
    text: 'J123AQ3451/$$+3271231SER77',
    expected: { udiDi: 'J123AQ3451', serial: 'SER77', expiryDate: '2027-12-31' },
  },
  {
    name: 'ISBT 128 compound message in a DataMatrix (ST-017 §5)',
    bcid: 'datamatrix',
    text: '=+06000=/A9999XYZ100T0476=,000025=A99971712345600=>019032=}017032&,1000000000000XYZ123',
    id: ']d1',
    expected: { issuer: 'ICCBBA', udiDi: 'A9999XYZ100T0476', serial: '000025', expiryDate: '2019-02-01', lot: '000000000000XYZ123' },
  },
];

describe('round trip: bwip-js → PNG → zxing-wasm → parser', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { scanned } = await scan(c.bcid, c.text, c.textMode);
    if (c.id) expect(scanned.slice(0, 3)).toBe(c.id);
    const r = ok(parseUdi(scanned, REF));
    expect(r).toMatchObject(c.expected);
  });

  it('keeps the GS characters zxing returns for GS1 and the raw scan parses the same as the HRI', async () => {
    const hri = '(01)08023279277098(10)12345AB(21)12345XYZ(11)210101';
    const { scanned } = await scan('gs1datamatrix', hri);
    expect(scanned).toBe(']d201080232792770981012345AB\u001d2112345XYZ\u001d11210101');
    const fromScan = ok(parseUdi(scanned, REF));
    const fromHri = ok(parseUdi(hri, REF));
    expect({ ...fromScan, elements: [] }).toEqual({ ...fromHri, elements: [] });
    expect(fromScan.elements.map((e) => [e.id, e.value])).toEqual(fromHri.elements.map((e) => [e.id, e.value]));
  });

  it('combines a GS1-128 label printed in two parts into one UDI', async () => {
    const a = await scan('gs1-128', '(01)08023279277098(17)271231');
    const b = await scan('gs1-128', '(10)LOTB(21)SERB');
    expect(ok(parseUdi(b.scanned, REF))).toMatchObject({ udiDi: null, partial: true });
    expect(ok(parseUdiGroup([a.scanned, b.scanned], REF))).toMatchObject({
      udiDi: '08023279277098', expiryDate: '2027-12-31', lot: 'LOTB', serial: 'SERB', partial: false, warnings: [],
    });
  });

  it('combines HIBC primary and secondary Code 128 symbols and checks the link character', async () => {
    const primary = await scan('hibccode128', 'A123BJC5D6E71');
    const link = hibcCheckCharacter('+A123BJC5D6E71'); // G (Σ 145 = 3·43 + 16)
    const secondary = await scan('hibccode128', `$$52001510X3${link}`);
    expect(ok(parseUdiGroup([primary.scanned, secondary.scanned], REF))).toMatchObject({
      udiDi: 'A123BJC5D6E71', lot: '10X3', expiryDate: '2020-01-15', partial: false,
    });
    const foreign = await scan('hibccode128', '$$52001510X3H');
    const r = parseUdiGroup([primary.scanned, foreign.scanned], REF);
    expect(r.ok ? null : r.error).toMatchObject({ code: 'HIBC_LINK_CHARACTER', input: 1 });
  });

  it('combines ISBT 128 data structures from separate Code 128 symbols (ST-017 §6.1)', async () => {
    const parts = ['=/A9999XYZ100T0476', '=,000025', '=A99971712345600', '=>019032'];
    const scanned = [];
    for (const p of parts) scanned.push((await scan('code128', p)).scanned);
    expect(scanned[0]!.slice(0, 3)).toBe(']C0');
    expect(ok(parseUdiGroup(scanned, REF))).toMatchObject({ udiDi: 'A9999XYZ100T0476', serial: '000025', expiryDate: '2019-02-01', partial: false });
  });
});
