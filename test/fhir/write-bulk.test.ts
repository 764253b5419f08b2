// $deliver-bundles: an NDJSON file of Bundles, streamed in and answered line by line.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { validateFhir } from '../helpers/fhir-validate.js';
import { buildApp } from '../../src/http/app.js';
import { ndjsonLines, type NdjsonLine } from '../../src/http/fhir/bulk.js';
import { FIXTURES, fhirBody, fixture, issues, storedRefs, type Json, type WriteContext, writeContext } from './write-helpers.js';

const LINE = 'https://fhir.implantatenregister.nl/StructureDefinition/ndjson-line';
const lineOf = (r: Json): number | undefined => r.meta?.extension?.find((e: Json) => e.url === LINE)?.valueInteger;
const totalsOf = (p: Json): Record<string, unknown> => Object.fromEntries(p.parameter.filter((x: Json) => x.name !== 'delivery').map((x: Json) => [x.name, x.valueInteger ?? x.valueBoolean]));

/** The answer lines, each checked as R4. */
function answerLines(body: string): Json[] {
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);
  for (const l of lines) validateFhir(l);
  return lines;
}

describe('ndjsonLines', () => {
  const split = async (chunks: string[], max: number): Promise<NdjsonLine[]> => {
    const out: NdjsonLine[] = [];
    for await (const l of ndjsonLines((async function* () {
      for (const c of chunks) yield new TextEncoder().encode(c);
    })(), max)) out.push(l);
    return out;
  };

  it('splits on LF and CRLF across chunk boundaries, skips blank lines, drops a BOM, numbers physical lines', async () => {
    expect(await split(['\uFEFF{"a"', ':1}\r', '\n\n  \n{"b":2}\n{"c"', ':3}'], 100)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('reports a line over the limit once, without keeping it, and reads on at the next line', async () => {
    const long = 'x'.repeat(25);
    expect(await split(['{"a":1}\n' + long.slice(0, 10), long.slice(10, 20), long.slice(20) + '\n{"b":2}\n', long + long], 12)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, tooLong: true },
      { line: 3, text: '{"b":2}' },
      { line: 4, tooLong: true },
    ]);
  });
});

for (const database of DATABASES) {
  describe(`$deliver-bundles on ${database.name}`, () => {
    let ctx: WriteContext;
    const file = readFileSync(`${FIXTURES}bulk.ndjson`, 'utf8');
    beforeAll(async () => {
      ctx = await writeContext(database);
    });
    afterAll(() => ctx.close());

    const deliver = (payload: string, url = '/fhir/R4/$deliver-bundles', contentType = 'application/fhir+ndjson') =>
      ctx.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ctx.tokens.midwife}`, 'content-type': contentType }, payload });

    it('answers every line (a response Bundle, or an OperationOutcome for a bad line with its number), then the totals', async () => {
      const res = await deliver(file);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
      const lines = answerLines(res.body);
      expect(lines.map((l) => [l.resourceType, l.type ?? null, lineOf(l) ?? null])).toEqual([
        ['Bundle', 'transaction-response', 1],
        ['OperationOutcome', null, 2],
        ['Bundle', 'transaction-response', 3],
        ['Bundle', 'transaction-response', 5], // line 4 is blank
        ['Parameters', null, null],
      ]);
      expect(issues(lines[1])).toEqual([expect.objectContaining({ severity: 'error', code: 'structure', errorCode: 'INVALID_JSON', diagnostics: expect.stringMatching(/^line 2 is not valid JSON/) })]);
      for (const i of [0, 2, 3]) expect(lines[i]!.entry.map((e: Json) => e.response.status)).toEqual(['200 OK', '200 OK', '201 Created', '201 Created']);
      expect(totalsOf(lines[4]!)).toEqual({ complete: true, lines: 4, bundlesAccepted: 3, bundlesRejected: 1, records: 3, created: 3, updated: 0, unchanged: 0, withdrawn: 0, rejected: 0, warnings: 0 });
      expect(await storedRefs(ctx, ctx.tokens.midwife)).toEqual(expect.arrayContaining(['VK-BULK-1', 'VK-BULK-2', 'VK-BULK-3']));

      // the whole file is one delivery, with one receipt in the register
      const deliveries = lines[4]!.parameter.filter((p: Json) => p.name === 'delivery').map((p: Json) => p.valueString);
      expect(deliveries).toHaveLength(1);
      expect(lines.slice(0, 4).filter((l) => l.resourceType === 'Bundle').map((l) => l.identifier.value)).toEqual([deliveries[0], deliveries[0], deliveries[0]]);
      const receipt = await ctx.app.inject({ url: `/api/v1/deliveries/${deliveries[0]}`, headers: { authorization: `Bearer ${ctx.tokens.midwife}` } });
      expect(receipt.json()).toMatchObject({ channel: 'fhir', source: '$deliver-bundles', counts: { total: 3, created: 3 } });
    });

    it('stores lines in line order although they are written together: a later line corrects what an earlier one created', async () => {
      const first = file.split('\n')[0]!;
      // 24 lines: VK-SEQ-n created on line 2n+1 and its lot corrected on line 2n+2
      const body = Array.from({ length: 24 }, (_, k) => first.replaceAll('VK-BULK-1', `VK-SEQ-${k >> 1}`).replaceAll('CU-BULK-1', k % 2 === 0 ? 'CU-SEQ-A' : 'CU-SEQ-B')).join('\n') + '\n';
      const lines = answerLines((await deliver(body)).body);
      expect(lines.map(lineOf).slice(0, 24)).toEqual(Array.from({ length: 24 }, (_, k) => k + 1));
      expect(totalsOf(lines[24]!)).toMatchObject({ complete: true, lines: 24, bundlesAccepted: 24, records: 24, created: 12, updated: 12, rejected: 0 });
      const rows = await ctx.reg.db.query<{ ref: string; version: number; lot: string; versions: string }>(
        `SELECT r.provider_record_ref AS ref, r.version, r.lot, string_agg(v.content->>'lot', ',' ORDER BY v.version) AS versions
         FROM records r JOIN record_versions v ON v.record_id = r.id WHERE r.provider_record_ref LIKE 'VK-SEQ-%' GROUP BY 1, 2, 3 ORDER BY 1`,
      );
      expect(rows).toHaveLength(12);
      for (const r of rows) expect(r).toMatchObject({ version: 2, lot: 'CU-SEQ-B', versions: 'CU-SEQ-A,CU-SEQ-B' });
    });

    it('sending the file again changes nothing; a refused Bundle is answered with its OperationOutcome', async () => {
      const refused = fixture('implantation'); // the hospital's KvK, sent with the midwife's token
      const res = await deliver(file + JSON.stringify(refused) + '\n', '/fhir/R4/%24deliver-bundles');
      const lines = answerLines(res.body);
      expect(lines).toHaveLength(6);
      expect(lines[4]!.resourceType).toBe('OperationOutcome');
      expect(lineOf(lines[4]!)).toBe(6);
      expect(issues(lines[4]).map((i) => [i.errorCode, i.expression])).toEqual([['FOREIGN_PROVIDER', 'Bundle.entry[0].resource.identifier[0]']]);
      expect(totalsOf(lines[5]!)).toMatchObject({ lines: 5, bundlesAccepted: 3, bundlesRejected: 2, records: 4, unchanged: 3, rejected: 1 });
    });

    it('streams: the answer to a line arrives before the request body has ended', async () => {
      await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const { port } = ctx.app.server.address() as AddressInfo;
        const bundles = file.split('\n').filter((l) => l.startsWith('{"resourceType":"Bundle","type":"transaction","entry":[{'));
        const second = bundles.map((b) => b.replaceAll('VK-BULK-', 'VK-STREAM-').replaceAll('CU-BULK-', 'CU-STREAM-'));
        const answers: string[] = [];
        await new Promise<void>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/fhir/R4/$deliver-bundles', headers: { authorization: `Bearer ${ctx.tokens.midwife}`, 'content-type': 'application/fhir+ndjson' } }, (res) => {
            let buffer = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
                answers.push(buffer.slice(0, nl));
                buffer = buffer.slice(nl + 1);
                // the next line is written only after the previous one was answered
                if (answers.length < second.length) req.write(second[answers.length] + '\n');
                else if (answers.length === second.length) req.end();
              }
            });
            res.on('end', resolve);
            res.on('error', reject);
          });
          req.on('error', reject);
          req.write(second[0] + '\n'); // and the request stays open
        });
        expect(answers).toHaveLength(4);
        expect(answers.slice(0, 3).map((a) => lineOf(JSON.parse(a)))).toEqual([1, 2, 3]);
        expect(totalsOf(JSON.parse(answers[3]!))).toMatchObject({ complete: true, created: 3 });
      } finally {
        await ctx.app.close();
        ctx.app = await buildApp(ctx.reg.services);
      }
    });

    it('a line longer than the limit is refused and skipped; the lines around it are delivered', async () => {
      const small = await buildApp(ctx.reg.services, { bodyLimit: 8 * 1024 });
      try {
        const first = file.split('\n')[0]!.replaceAll('VK-BULK-1', 'VK-LONG-1');
        const long = '{"resourceType":"Bundle","type":"transaction","entry":[' + ' '.repeat(20 * 1024) + ']}';
        const res = await small.inject({ method: 'POST', url: '/fhir/R4/$deliver-bundles', headers: { authorization: `Bearer ${ctx.tokens.midwife}`, 'content-type': 'application/x-ndjson' }, payload: `${first}\n${long}\n${first}\n` });
        const lines = answerLines(res.body);
        expect(lines.map((l) => [l.resourceType, lineOf(l) ?? null])).toEqual([['Bundle', 1], ['OperationOutcome', 2], ['Bundle', 3], ['Parameters', null]]);
        expect(issues(lines[1])).toEqual([expect.objectContaining({ severity: 'error', code: 'too-long', errorCode: 'LINE_TOO_LONG' })]);
        expect(totalsOf(lines[3]!)).toMatchObject({ complete: true, lines: 3, bundlesRejected: 1, created: 1, unchanged: 1 });
      } finally {
        await small.close();
      }
    });

    it('refuses another content type, a missing token and another role, with an OperationOutcome', async () => {
      const json = await deliver(JSON.stringify(fixture('carrier-aidc')), undefined, 'application/fhir+json');
      expect(json.statusCode).toBe(415);
      expect(issues(fhirBody(json))[0]!.errorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
      const anonymous = await ctx.app.inject({ method: 'POST', url: '/fhir/R4/$deliver-bundles', headers: { 'content-type': 'application/fhir+ndjson' }, payload: file });
      expect(anonymous.statusCode).toBe(401);
      expect(issues(fhirBody(anonymous))[0]!.code).toBe('login');
      const inspector = await ctx.app.inject({ method: 'POST', url: '/fhir/R4/$deliver-bundles', headers: { authorization: `Bearer ${ctx.tokens.inspector}`, 'content-type': 'application/fhir+ndjson' }, payload: file });
      expect(inspector.statusCode).toBe(403);
      expect(issues(fhirBody(inspector))[0]!.code).toBe('forbidden');
      const ndjsonToBase = await deliver(file, '/fhir/R4');
      expect(ndjsonToBase.statusCode).toBe(415);
    });
  });
}
