import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createNationalModel, MAX_RECORDS, MIN_RECORDS, parseScenario, type ScenarioSpec } from '../../sim/national/index.js';
import { catalogueCsv, providersCsv, recordLine, RECORDS_HEADER } from '../../sim/national/csv.js';
import { recordBundle, recordsBundle } from '../../sim/national/fhir.js';
import type { SimFields } from '../../sim/national/records.js';
import { loadReferenceData } from '../../sim/national/load.js';
import { openServices } from '../../register/services.js';
import { CliError } from '../cli-error.js';
import { ProgressReporter } from '../progress.js';

interface SimulateOpts {
  records: number;
  seed: number;
  out: string;
  format: string;
  load?: boolean;
  scenario: ScenarioSpec[];
  startYear: number;
  endDate: string;
  invalidShare: number;
  bundleSize: number;
  bundleType: string;
  json?: boolean;
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('generate synthetic national register data with known ground truth (docs/simulation.md): providers.csv, catalogue.csv, records.csv, bundles.ndjson, ground-truth.json, manifest.json')
    .requiredOption('--out <dir>', 'directory to write into (created if needed)')
    .option('--records <n>', `rows to generate (${MIN_RECORDS.toLocaleString('en-US')}–${MAX_RECORDS.toLocaleString('en-US')})`, records, 100_000)
    .option('--seed <n>', 'random seed: the same seed gives byte-identical files', whole, 1)
    .option('--format <list>', 'csv, fhir or csv,fhir', 'csv')
    .option('--load', 'also upsert the providers and the catalogue into the database (DATABASE_URL or LIR_DATA_DIR)')
    .option('--scenario <name[:k]>', 'problem-device, bad-lot or poor-technique, with factor k; repeatable', scenario, [])
    .option('--start-year <year>', 'first year of implantations', whole, 2019)
    .option('--end-date <date>', 'last date of any event (fixed, so the output does not depend on today)', '2026-10-31')
    .option('--invalid-share <p>', 'share of deliberately invalid rows', share, 0.01)
    .option('--bundle-size <n>', 'records per FHIR Bundle: 1 writes one transaction Bundle per row; more puts consecutive valid rows of one provider into one Bundle of up to n records', bundleSize, 1)
    .option('--bundle-type <type>', 'type of the multi-record Bundles: batch (each record accepted or refused on its own) or transaction (all or nothing)', 'batch')
    .option('--json', 'print the manifest as JSON')
    .action(async (o: SimulateOpts) => {
      const formats = o.format.split(',').map((f) => f.trim());
      if (formats.some((f) => f !== 'csv' && f !== 'fhir') || formats.length === 0) throw new CliError('--format: give csv, fhir or csv,fhir');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(o.endDate)) throw new CliError('--end-date: give a date YYYY-MM-DD');
      if (o.bundleType !== 'batch' && o.bundleType !== 'transaction') throw new CliError('--bundle-type: give batch or transaction');
      const bundleType = o.bundleType;
      let model;
      try {
        model = createNationalModel({ seed: o.seed, records: o.records, startYear: o.startYear, endDate: o.endDate, invalidShare: o.invalidShare, scenarios: o.scenario });
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err));
      }
      await mkdir(o.out, { recursive: true });
      await writeFile(join(o.out, 'providers.csv'), providersCsv(model.providers));
      await writeFile(join(o.out, 'catalogue.csv'), catalogueCsv(model.devices));

      const csv = formats.includes('csv') ? new Sink(join(o.out, 'records.csv')) : null;
      const fhir = formats.includes('fhir') ? new Sink(join(o.out, 'bundles.ndjson')) : null;
      csv?.write(RECORDS_HEADER);
      const progress = new ProgressReporter({ label: 'simulate' });
      const started = performance.now();
      const invalidRows: { line: number; ref: string; defect: string }[] = [];
      let row = 0;
      let bundles = 0;
      let bundled = 0;
      // --bundle-size > 1: each provider's valid rows wait here, in file order, until it has a full Bundle
      const waiting = new Map<string, SimFields[]>();
      const writeBundle = (rows: SimFields[]) => {
        bundles++;
        const first = bundled + 1;
        bundled += rows.length;
        return fhir!.write(JSON.stringify(recordsBundle(rows, first, bundleType)) + '\n');
      };
      try {
        for (const r of model.records()) {
          row++;
          if (r.invalid !== null) invalidRows.push({ line: row + 1, ref: String(r.record.providerRecordRef), defect: r.invalid });
          if (csv) await csv.write(recordLine(r.record));
          if (fhir && r.invalid === null) {
            if (o.bundleSize === 1) {
              bundled++;
              await fhir.write(JSON.stringify(recordBundle(r.record, ++bundles)) + '\n');
            } else {
              const kvk = String(r.record.providerKvk);
              let rows = waiting.get(kvk);
              if (!rows) waiting.set(kvk, (rows = []));
              rows.push(r.record);
              if (rows.length >= o.bundleSize) {
                waiting.delete(kvk);
                await writeBundle(rows);
              }
            }
          }
          if ((row & 1023) === 0) progress.update({ done: row, total: o.records, rows: row });
        }
        for (const rows of waiting.values()) await writeBundle(rows);
        await csv?.close();
        await fhir?.close();
        progress.finish({ done: row, total: o.records, rows: row });
      } catch (err) {
        progress.abort();
        throw err;
      }
      const seconds = (performance.now() - started) / 1000;
      const stats = model.stats();
      const truth = model.groundTruth();
      await writeFile(join(o.out, 'ground-truth.json'), JSON.stringify(truth, null, 2) + '\n');
      const manifest = {
        generator: 'lir simulate',
        seed: o.seed,
        config: model.config,
        files: {
          'providers.csv': { rows: model.providers.length },
          'catalogue.csv': { rows: model.catalogue.length, devicesNotInCatalogue: model.devices.filter((d) => !d.inCatalogue).map((d) => d.udiDi) },
          ...(csv ? { 'records.csv': { rows: row, header: 'line 1', invalidRows: invalidRows.length } } : {}),
          ...(fhir
            ? {
                'bundles.ndjson':
                  o.bundleSize === 1
                    ? { bundles, note: 'one transaction Bundle per valid row; invalid rows are left out' }
                    : { bundles, records: bundled, bundleSize: o.bundleSize, bundleType, note: `${bundleType} Bundles of up to ${o.bundleSize} valid rows of one provider, in the provider's row order; invalid rows are left out` },
              }
            : {}),
          'ground-truth.json': {},
        },
        counts: stats,
        invalidRows,
      };
      await writeFile(join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      let loaded = '';
      if (o.load) {
        const services = await openServices();
        try {
          const n = await loadReferenceData(services.db, model.providers, model.devices);
          loaded = `loaded ${n.providers} providers and ${n.devices} catalogue devices into the database\n`;
        } finally {
          await services.close();
        }
      }
      const rate = seconds > 0 ? Math.round(row / seconds) : row;
      process.stdout.write(
        o.json
          ? JSON.stringify({ out: o.out, rows: row, bundles, seconds, recordsPerSecond: rate, invalid: invalidRows.length }, null, 2) + '\n'
          : `${o.out}: ${row.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s), ${invalidRows.length.toLocaleString('en-US')} invalid, ` +
              `${model.providers.length.toLocaleString('en-US')} providers, ${model.catalogue.length} catalogue devices${fhir ? `, ${bundles.toLocaleString('en-US')} bundles` : ''}\n${loaded}`,
      );
    });
}

/** A file written in 256 KiB pieces, waiting for the stream to drain: fast and bounded in memory. */
class Sink {
  readonly #stream: WriteStream;
  #buffer = '';
  constructor(path: string) {
    this.#stream = createWriteStream(path);
  }
  write(text: string): Promise<void> | void {
    this.#buffer += text;
    if (this.#buffer.length < 262_144) return;
    return this.flush();
  }
  flush(): Promise<void> | void {
    const chunk = this.#buffer;
    this.#buffer = '';
    if (!this.#stream.write(chunk)) return new Promise((resolve) => this.#stream.once('drain', () => resolve()));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.#stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

function whole(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('give a whole number');
  return Number(value);
}
function records(value: string): number {
  const n = whole(value.replace(/_/g, ''));
  if (n < MIN_RECORDS || n > MAX_RECORDS) throw new InvalidArgumentError(`give a number from ${MIN_RECORDS} to ${MAX_RECORDS}`);
  return n;
}
function bundleSize(value: string): number {
  const n = whole(value);
  if (n < 1 || n > 10_000) throw new InvalidArgumentError('give a number from 1 to 10000');
  return n;
}
function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 0.5) throw new InvalidArgumentError('give a share from 0 to 0.5, e.g. 0.01');
  return n;
}
function scenario(value: string, previous: ScenarioSpec[]): ScenarioSpec[] {
  try {
    return [...previous, ...value.split(',').map((v) => parseScenario(v.trim()))];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
