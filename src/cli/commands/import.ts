import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { openServices } from '../../register/services.js';
import { DEFAULT_CHUNK_SIZE, FileImportError, importFile, type ImportSummary } from '../../register/file-import.js';
import { CliError } from '../cli-error.js';
import { ProgressReporter } from '../progress.js';

interface ImportOpts {
  provider?: string;
  receipt?: string;
  chunkSize: number;
  json?: boolean;
}

export function importCommand(): Command {
  return new Command('import')
    .description(
      'import a CSV file (header row of snake_case column names) or an NDJSON file (one JSON record per line) through the intake pipeline; ' +
        'exit code 0 when every row was accepted, 1 when a row was rejected or the file is invalid',
    )
    .argument('<file>', 'the file: .csv, .ndjson or .jsonl (otherwise recognised by its first character)')
    .option('--provider <kvk>', 'deliver for this registered provider (KvK number); rows may then leave provider_kvk out')
    .option('--receipt <path>', 'where to write the receipt CSV (default: <file>.receipt.csv)')
    .option('--chunk-size <n>', 'records per transaction', chunkSize, DEFAULT_CHUNK_SIZE)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, o: ImportOpts) => {
      await checkFile(file);
      const services = await openServices();
      const progress = new ProgressReporter({ label: basename(file) });
      let summary: ImportSummary;
      try {
        summary = await importFile(services, file, {
          providerKvk: o.provider,
          receiptPath: o.receipt,
          chunkSize: o.chunkSize,
          onProgress: (p) => progress.update({ done: p.bytes, total: p.totalBytes, rows: p.rows, rejected: p.rejected }),
        });
        progress.finish({ done: 1, total: 1, rows: summary.rows, rejected: summary.rejected });
      } catch (err) {
        progress.abort();
        if (err instanceof FileImportError) {
          const where = err.line !== undefined ? `${file}:${err.line}${err.column !== undefined ? `:${err.column}` : ''}: ` : `${file}: `;
          throw new CliError(`${where}${err.message}`, 1);
        }
        throw err;
      } finally {
        await services.close();
      }
      process.stdout.write(o.json ? JSON.stringify(summary, null, 2) + '\n' : humanSummary(file, summary));
      process.exitCode = summary.rejected > 0 ? 1 : 0;
    });
}

function chunkSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 50_000) throw new InvalidArgumentError('give a whole number from 1 to 50000');
  return n;
}

/** File-level errors before the database is opened. */
async function checkFile(file: string): Promise<void> {
  try {
    if (!(await stat(file)).isFile()) throw new CliError(`${file} is not a file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`no such file: ${file}`);
    throw err;
  }
}

function humanSummary(file: string, s: ImportSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.rows / s.seconds) : s.rows;
  const n = (x: number) => x.toLocaleString('en-US').padStart(10);
  const issues = s.rejected > 0 || s.warnings > 0;
  return [
    `${file}: ${s.rows.toLocaleString('en-US')} rows in ${s.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s)`,
    `  created   ${n(s.created)}`,
    `  updated   ${n(s.updated)}`,
    `  unchanged ${n(s.unchanged)}`,
    `  withdrawn ${n(s.withdrawn)}`,
    `  rejected  ${n(s.rejected)}`,
    `  warnings  ${n(s.warnings)}`,
    `receipt: ${s.receiptPath}${issues ? '' : ' (no issues)'}`,
    `deliveries: ${s.deliveryIds.length > 0 ? s.deliveryIds.join(', ') : 'none (nothing reached the register)'}`,
    s.rejected > 0 ? `${s.rejected.toLocaleString('en-US')} row(s) rejected: correct them (see the receipt) and import the file again\n` : '',
  ].join('\n');
}
