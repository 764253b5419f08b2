import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { openServices } from '../../register/services.js';
import { CatalogueFileError, importCatalogue } from '../../catalogue/catalogue-import.js';
import { COLUMN_SETS } from '../../catalogue/catalogue-columns.js';
import { DEVICE_FIELDS, deviceHistory } from '../../catalogue/catalogue-history.js';
import { UNRESOLVED_MAX_LIMIT, unresolvedDevices } from '../../catalogue/catalogue-curation.js';
import { CliError } from '../cli-error.js';

const positiveInt = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`a whole number from 1 to ${max}`);
  return n;
};

const show = (v: string | null | undefined) => (v === null || v === undefined ? '(none)' : v);

export function catalogueCommand(): Command {
  const cmd = new Command('catalogue').description('the device catalogue (UDI-DI → manufacturer, product, implant type)');
  cmd
    .command('import <file>')
    .description(
      `load devices from CSV, pipe-delimited text or NDJSON; the column set is detected from the header: ${COLUMN_SETS.map((s) => `${s.name} (${s.key}, …)`).join(', ')}. See docs/catalogue.md`,
    )
    .option('--implant-type <code>', 'implant type for rows without an implant_type (GUDID and GS1 files carry none)')
    .option('--chunk-size <n>', 'devices per transaction', positiveInt(100_000), 1000)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { implantType?: string; chunkSize: number; json?: boolean }) => {
      if (!existsSync(file)) throw new CliError(`${file}: no such file`);
      const services = await openServices();
      try {
        const result = await importCatalogue(services.db, file, {
          implantTypes: services.implantTypes,
          defaultImplantType: o.implantType,
          chunkSize: o.chunkSize,
          onRow: (n) => {
            if (n % 5000 === 0) process.stderr.write(`\r${n.toLocaleString('en')} devices read`);
          },
        });
        if (result.rows >= 5000) process.stderr.write('\n');
        if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else {
          const set = COLUMN_SETS.find((s) => s.name === result.columnSet)!;
          process.stdout.write(
            `${file}: ${set.title} columns, ${result.format}\n` +
              `${result.rows} rows: ${result.inserted} inserted, ${result.updated} updated, ${result.unchanged} unchanged, ${result.rejected} rejected (${result.problems.length} problems)\n`,
          );
          if (result.ignoredColumns.length > 0) process.stdout.write(`columns not used: ${result.ignoredColumns.join(', ')}\n`);
          for (const p of result.problems.slice(0, 50)) process.stdout.write(`  line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.code}: ${p.message}\n`);
          if (result.problems.length > 50) process.stdout.write(`  … ${result.problems.length - 50} more (use --json for all)\n`);
        }
        if (result.rejected > 0) process.exitCode = 1;
      } catch (err) {
        if (err instanceof CatalogueFileError) throw new CliError(`${file}: ${err.message}`);
        throw err;
      } finally {
        await services.close();
      }
    });

  cmd
    .command('history <udiDi>')
    .description('every insert and change of one catalogue device, oldest first')
    .option('--json', 'print JSON')
    .action(async (udiDi: string, o: { json?: boolean }) => {
      const services = await openServices();
      try {
        const history = await deviceHistory(services.db, udiDi);
        if (!history) throw new CliError(`UDI-DI ${udiDi.slice(0, 60)} has never been in the catalogue`);
        if (o.json) {
          process.stdout.write(JSON.stringify(history, null, 2) + '\n');
          return;
        }
        const out = [`${history.udiDi}${history.inCatalogue ? '' : ' (no longer in the catalogue)'}`];
        for (const h of history.items) {
          out.push(`${h.changedAt}  ${h.operation.padEnd(6)}  ${h.source}`);
          for (const field of DEVICE_FIELDS) {
            const c = h.changes[field];
            if (c) out.push(`    ${field}: ${show(c.old)} → ${show(c.new)}`);
          }
        }
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        await services.close();
      }
    });

  cmd
    .command('unresolved')
    .description('curation queue: UDI-DIs that records reference but the catalogue lacks, most waiting records first')
    .option('--limit <n>', `at most this many UDI-DIs (1–${UNRESOLVED_MAX_LIMIT})`, positiveInt(UNRESOLVED_MAX_LIMIT), 100)
    .option('--json', 'print JSON')
    .action(async (o: { limit: number; json?: boolean }) => {
      const services = await openServices();
      try {
        const queue = await unresolvedDevices(services.db, OPERATOR, { limit: o.limit });
        if (o.json) {
          process.stdout.write(JSON.stringify(queue, null, 2) + '\n');
          return;
        }
        const out = [`${queue.devices} UDI-DIs unresolved, ${queue.records} records waiting`];
        if (queue.items.length > 0) {
          out.push('', `${'UDI-DI'.padEnd(20)} ${'issuer'.padEnd(6)} ${'records'.padStart(8)} ${'providers'.padStart(9)}  implanted               first received`);
          for (const u of queue.items) {
            const implanted = u.firstImplantDate ? `${u.firstImplantDate} – ${u.lastImplantDate}` : '';
            out.push(`${u.udiDi.padEnd(20)} ${(u.issuer ?? '').padEnd(6)} ${String(u.records).padStart(8)} ${String(u.providers).padStart(9)}  ${implanted.padEnd(23)} ${u.firstReceivedAt}`);
          }
        }
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        await services.close();
      }
    });
  // Nested subcommands do not inherit main's exitOverride: errors must reach main, not process.exit.
  for (const sub of cmd.commands) sub.exitOverride();
  return cmd;
}
