// Suite step (c): FHIR Bundles over real HTTP. Loads the providers and catalogue into a fresh
// database, gives every provider a bearer token, starts `lir serve` on a free port (its own
// process, whose peak memory is sampled), and sends DIR/bundles.ndjson with several concurrent
// clients. A provider's requests go one after the other, in file order, so corrections follow what
// they correct. Every Bundle is validated in full by the register.
//   node --import tsx bench/steps/fhir-http.ts --target JSON --dir DIR --result FILE
//       [--concurrency 6] [--chunk 200] [--mode single|bulk] [--limit N]
// --mode single (default) posts each Bundle alone to POST /fhir/R4: with one record per Bundle an
// EHR's one-procedure-at-a-time path, with many (`lir simulate --bundle-size N`) a bulk export as
// one batch or transaction Bundle. --mode bulk posts chunks of --chunk consecutive Bundles of one
// provider as NDJSON to POST /fhir/R4/$deliver-bundles. --limit N sends Bundles until N records
// (DeviceUseStatements) have been sent: a count of records, not of Bundles.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createToken } from '../../src/auth/tokens.js';
import { argv, decodeTarget, loadReference, NODE_TSX, openTarget, ownPeakRssMiB, targetEnv, watchMemory, writeJson } from './common.js';

const a = argv();
const target = decodeTarget(a.need('target'));
const dir = a.need('dir');
const resultFile = a.need('result');
const concurrency = a.num('concurrency', 6);
const chunkLines = a.num('chunk', 200);
const mode = a.get('mode', 'single') as 'bulk' | 'single';
/** send Bundles until N records have been sent (0: all) */
const limit = a.num('limit', 0);

// ---- set-up: reference data and one token per provider ----
const db = await openTarget(target);
const ref = await loadReference(db, dir);
const tokens = new Map<string, string>();
for (const [kvk, providerId] of ref.providers) tokens.set(kvk, (await createToken(db, { role: 'provider', providerId, label: 'benchmark' })).token);
await db.close();

// ---- the server ----
// LIR_BENCH_SERVER_NODE_ARGS: extra node options for the server, e.g. "--cpu-prof --cpu-prof-dir=prof"
const serverNodeArgs = (process.env.LIR_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(NODE_TSX[0]!, [...serverNodeArgs, ...NODE_TSX.slice(1), 'bin/lir.js', 'serve', '--port', '0'], {
  // a load test measures the pipeline, not the rate limits: raise them for this server
  env: { ...targetEnv(target), LOG_LEVEL: process.env.LIR_BENCH_LOG_LEVEL ?? 'warn', LIR_ADDRESS_RATE_PER_MINUTE: '100000000', LIR_TOKEN_RATE_PER_MINUTE: '100000000' },
  stdio: ['ignore', 'inherit', 'pipe'],
});
const serverMem = watchMemory(server.pid!);
let serverLog = '';
const base = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`lir serve did not start in 120 s: ${serverLog.slice(-1000)}`)), 120_000);
  server.stderr!.on('data', (b: Buffer) => {
    serverLog = (serverLog + b.toString()).slice(-20_000);
    const m = /LIR register on (http:\/\/[^/\s]+)\//.exec(serverLog);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]!);
    }
  });
  server.on('exit', (code) => reject(new Error(`lir serve exited with ${code}: ${serverLog.slice(-1000)}`)));
});
process.stderr.write(`server at ${base}; ${tokens.size} provider tokens; ${concurrency} clients, mode ${mode}\n`);

// ---- the clients ----
const KVK = /"http:\/\/fhir\.nl\/fhir\/NamingSystem\/kvk"\s*,\s*"value"\s*:\s*"(\d{8})"/;
function providerOf(line: string): string | undefined {
  const m = KVK.exec(line);
  if (m) return m[1];
  try {
    const b = JSON.parse(line) as { entry?: { resource?: { resourceType?: string; identifier?: { system?: string; value?: string }[] } }[] };
    for (const e of b.entry ?? []) {
      const kvk = e.resource?.resourceType === 'Organization' ? e.resource.identifier?.find((i) => i.system?.endsWith('/kvk'))?.value : undefined;
      if (kvk) return kvk;
    }
  } catch {
    // not JSON: sent anyway (under the first provider) and refused by the server
  }
  return undefined;
}

interface Chunk { kvk: string; lines: string[] }
const DUS = /"resourceType"\s*:\s*"DeviceUseStatement"/g;
/** Records of one Bundle line: its DeviceUseStatements (a contained resource is never one). */
const recordsIn = (line: string) => line.match(DUS)?.length ?? 0;
const totals = { recordsSent: 0, bundles: 0, requests: 0, refusedBundles: 0, records: 0, rejectedRecords: 0, retries429: 0, httpErrors: 0, latencyMs: [] as number[] };
const buffers = new Map<string, string[]>();
const ready: Chunk[] = [];
const inFlight = new Set<string>();
let buffered = 0;
let eof = false;
let wake: (() => void) | undefined;
let readerWake: (() => void) | undefined;
const signal = () => {
  const w = wake;
  wake = undefined;
  w?.();
  const r = readerWake;
  readerWake = undefined;
  r?.();
};

function flush(kvk: string) {
  const lines = buffers.get(kvk);
  if (!lines || lines.length === 0) return;
  buffers.delete(kvk);
  ready.push({ kvk, lines });
  signal();
}

/** Counts from a $deliver-bundles answer: its last line is a Parameters resource with the totals. */
function countAnswer(text: string): void {
  const last = text.trimEnd().slice(text.trimEnd().lastIndexOf('\n') + 1);
  const p = JSON.parse(last) as { resourceType?: string; parameter?: { name: string; valueInteger?: number; valueBoolean?: boolean }[] };
  if (p.resourceType !== 'Parameters') throw new Error(`the answer does not end with its totals: ${last.slice(0, 200)}`);
  const v = (n: string) => p.parameter?.find((x) => x.name === n)?.valueInteger ?? 0;
  totals.records += v('records');
  totals.rejectedRecords += v('rejected');
  totals.refusedBundles += v('bundlesRejected');
  if (p.parameter?.find((x) => x.name === 'complete')?.valueBoolean === false) totals.httpErrors++;
}

async function post(chunk: Chunk): Promise<void> {
  const token = tokens.get(chunk.kvk) ?? tokens.values().next().value!;
  const bulk = mode === 'bulk';
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(`${base}/fhir/R4${bulk ? '/$deliver-bundles' : ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': bulk ? 'application/fhir+ndjson' : 'application/fhir+json', accept: bulk ? 'application/fhir+ndjson' : 'application/fhir+json' },
      body: chunk.lines.join('\n') + (bulk ? '\n' : ''),
    });
    const text = await res.text();
    totals.latencyMs.push(performance.now() - t0);
    if (res.status === 429) {
      totals.retries429++;
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    totals.requests++;
    totals.bundles += chunk.lines.length;
    if (bulk) {
      if (!res.ok) {
        totals.httpErrors++;
        if (totals.httpErrors <= 3) process.stderr.write(`HTTP ${res.status}: ${text.slice(0, 300)}\n`);
      } else countAnswer(text);
    } else if (res.ok) {
      // per entry: a DeviceUseStatement entry answered 200/201 is a stored record
      const sent = JSON.parse(chunk.lines[0]!) as { entry?: { resource?: { resourceType?: string } }[] };
      const b = JSON.parse(text) as { entry?: { response?: { status?: string } }[] };
      (sent.entry ?? []).forEach((e, k) => {
        if (e.resource?.resourceType !== 'DeviceUseStatement') return;
        if (/^20[01]/.test(b.entry?.[k]?.response?.status ?? '')) totals.records++;
        else totals.rejectedRecords++;
      });
    } else {
      totals.refusedBundles++;
      totals.rejectedRecords += recordsIn(chunk.lines[0]!);
      if (res.status >= 500) totals.httpErrors++;
      if (totals.refusedBundles <= 3) process.stderr.write(`HTTP ${res.status}: ${text.slice(0, 300)}\n`);
    }
    return;
  }
}

async function worker(): Promise<void> {
  for (;;) {
    const i = ready.findIndex((c) => !inFlight.has(c.kvk));
    if (i < 0) {
      if (eof && ready.length === 0) return;
      await new Promise<void>((r) => (wake = wake ? ((prev) => () => (prev(), r()))(wake) : r));
      continue;
    }
    const [chunk] = ready.splice(i, 1);
    inFlight.add(chunk!.kvk);
    buffered -= chunk!.lines.length;
    try {
      await post(chunk!);
    } finally {
      inFlight.delete(chunk!.kvk);
      signal();
    }
    if (totals.bundles % 5000 < chunk!.lines.length && process.stderr.isTTY) {
      process.stderr.write(`\r${totals.bundles.toLocaleString('en')} bundles, ${Math.round(totals.records / ((performance.now() - started) / 1000)).toLocaleString('en')} records/s   `);
    }
  }
}

const perRequest = mode === 'bulk' ? chunkLines : 1;
const maxBuffered = Math.max(20_000, perRequest * concurrency * 4);
const started = performance.now();
const workers = Array.from({ length: concurrency }, () => worker());
let lines = 0;
for await (const line of createInterface({ input: createReadStream(join(dir, 'bundles.ndjson')), crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  if (limit > 0 && totals.recordsSent >= limit) break;
  lines++;
  totals.recordsSent += recordsIn(line);
  const kvk = providerOf(line) ?? tokens.keys().next().value!;
  let buf = buffers.get(kvk);
  if (!buf) buffers.set(kvk, (buf = []));
  buf.push(line);
  buffered++;
  if (buf.length >= perRequest) flush(kvk);
  // bounded memory: when too much waits, send the largest partial chunks now
  while (buffered > maxBuffered && ready.length < concurrency * 2) {
    let largest: string | undefined;
    let n = 0;
    for (const [k, b] of buffers) if (b.length > n) [largest, n] = [k, b.length];
    if (!largest) break;
    flush(largest);
  }
  while (ready.length > concurrency * 4) await new Promise<void>((r) => (readerWake = r));
}
for (const k of [...buffers.keys()]) flush(k);
eof = true;
signal();
await Promise.all(workers);
const seconds = (performance.now() - started) / 1000;
if (process.stderr.isTTY) process.stderr.write('\n');

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
const mem = serverMem.stop();
const lat = [...totals.latencyMs].sort((x, y) => x - y);
const pct = (p: number) => (lat.length ? +lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1) : null);
const result = {
  mode, endpoint: mode === 'bulk' ? 'POST /fhir/R4/$deliver-bundles' : 'POST /fhir/R4', concurrency, limit: limit || null, bundlesPerRequest: perRequest,
  recordsPerBundle: lines > 0 ? +(totals.recordsSent / lines).toFixed(2) : null, recordsSent: totals.recordsSent, bundles: totals.bundles, lines, requests: totals.requests, refusedBundles: totals.refusedBundles,
  records: totals.records, rejectedRecords: totals.rejectedRecords, retries429: totals.retries429, httpErrors: totals.httpErrors,
  seconds: +seconds.toFixed(2), recordsPerSecond: Math.round(totals.records / seconds), bundlesPerSecond: Math.round(totals.bundles / seconds),
  requestLatencyMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
  serverPeakRssMiB: mem.peakRssMiB, clientPeakRssMiB: ownPeakRssMiB(), serverLogLevel: process.env.LIR_BENCH_LOG_LEVEL ?? 'warn',
  referenceLoadSeconds: +ref.seconds.toFixed(2),
};
process.stderr.write(`FHIR ${mode}, ${result.recordsPerBundle} records per Bundle: ${totals.records.toLocaleString('en')} records in ${seconds.toFixed(1)} s (${result.recordsPerSecond.toLocaleString('en')} records/s), server peak RSS ${mem.peakRssMiB} MiB\n`);
writeJson(resultFile, result);
