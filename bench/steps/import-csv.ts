// Suite step (b): `lir import DIR/records.csv` through the intake pipeline, in a freshly migrated
// database with the providers and catalogue loaded first (as `lir simulate --load` does). The import
// runs as its own child process so that its peak resident memory (VmHWM) is its own.
//   node --import tsx bench/steps/import-csv.ts --target JSON --dir DIR --result FILE [--chunk-size N]

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argv, decodeTarget, loadReference, NODE_TSX, openTarget, runMeasured, targetEnv, writeJson } from './common.js';
import { DEFAULT_CHUNK_SIZE } from '../../src/register/file-import.js';

const a = argv();
const target = decodeTarget(a.need('target'));
const dir = a.need('dir');
const resultFile = a.need('result');
const chunkSize = a.get('chunk-size');

const db = await openTarget(target);
const ref = await loadReference(db, dir);
await db.close();

const receipt = join(tmpdir(), `lir-bench-receipt-${process.pid}.csv`);
const args = [...NODE_TSX.slice(1), 'bin/lir.js', 'import', join(dir, 'records.csv'), '--json', '--receipt', receipt, ...(chunkSize ? ['--chunk-size', chunkSize] : [])];
const run = await runMeasured(NODE_TSX[0]!, args, { env: targetEnv(target) });
rmSync(receipt, { force: true });
let summary: Record<string, unknown> | undefined;
try {
  summary = JSON.parse(run.stdout) as Record<string, unknown>;
} catch {
  summary = undefined;
}
if (!summary) {
  writeJson(resultFile, { error: `lir import exited with ${run.code ?? run.signal}: ${run.stderrTail.slice(-1500)}`, seconds: +run.seconds.toFixed(2), peakRssMiB: run.peakRssMiB });
  process.exit(1);
}
const rows = Number(summary.rows);
const importSeconds = Number(summary.seconds);
process.stderr.write(`lir import: ${rows.toLocaleString('en')} rows in ${importSeconds.toFixed(1)} s (${Math.round(rows / importSeconds).toLocaleString('en')} rows/s), peak RSS ${run.peakRssMiB} MiB\n`);
writeJson(resultFile, {
  rows,
  created: summary.created, updated: summary.updated, unchanged: summary.unchanged, withdrawn: summary.withdrawn, rejected: summary.rejected, warnings: summary.warnings,
  /** the import's own clock (file read to last chunk committed) */
  seconds: +importSeconds.toFixed(2),
  recordsPerSecond: Math.round(rows / importSeconds),
  /** the child process from start to exit, tsx start-up and migration check included */
  processSeconds: +run.seconds.toFixed(2),
  exitCode: run.code,
  peakRssMiB: run.peakRssMiB,
  chunkSize: chunkSize ? Number(chunkSize) : DEFAULT_CHUNK_SIZE,
  referenceLoadSeconds: +ref.seconds.toFixed(2),
});
