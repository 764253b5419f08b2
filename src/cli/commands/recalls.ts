import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { SafetyFileError } from '../../catalogue/certificate-recall-files.js';
import { importRecalls } from '../../catalogue/recall-import.js';
import { listRecalls } from '../../catalogue/recalls.js';
import { openServices } from '../../register/services.js';
import { CliError } from '../cli-error.js';

export function recallsCommand(): Command {
  const cmd = new Command('recalls').description('recalls and field safety notices of devices: all units, lots or serial ranges');
  cmd
    .command('import <file>')
    .description(
      'load recalls from CSV (reference,kind,udi_di,issued_on[,lot,serial_from,serial_to,all_units]; one row per lot, range or all units) ' +
        'or NDJSON (one POST /api/v1/recalls body per line); exit 1 when a row was rejected',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const services = await openServices();
      try {
        const result = await importRecalls(services.db, file);
        if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else {
          process.stdout.write(`${result.rows} rows: ${result.accepted} accepted, ${result.rejected} rejected; ${result.created} new recalls\n`);
          for (const p of result.problems.slice(0, 50)) process.stdout.write(`  line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.code}: ${p.message}\n`);
        }
        process.exitCode = result.rejected > 0 ? 1 : 0;
      } catch (err) {
        if (err instanceof SafetyFileError) throw new CliError(`${file}${err.line ? `:${err.line}` : ''}: ${err.code}: ${err.message}`);
        throw err;
      } finally {
        await services.close();
      }
    });
  cmd
    .command('list')
    .description('recalls, newest first')
    .option('--udi-di <di>', 'of this device (UDI-DI)')
    .option('--json', 'print JSON')
    .action(async (o: { udiDi?: string; json?: boolean }) => {
      const services = await openServices();
      try {
        const list = await listRecalls(services.db, OPERATOR, o.udiDi ? { udiDi: o.udiDi } : {});
        if (o.json) {
          process.stdout.write(JSON.stringify(list, null, 2) + '\n');
          return;
        }
        const out = list.map((r) => {
          const scope = r.allUnits ? 'all units' : [r.lots.length > 0 ? `lots ${r.lots.join(', ')}` : '', r.serialRanges.length > 0 ? `serials ${r.serialRanges.map((s) => (s.from === s.to ? s.from : `${s.from}–${s.to}`)).join(', ')}` : ''].filter(Boolean).join('; ');
          return `${r.issuedOn}  ${r.reference}  ${r.kind}  ${r.udiDi}  ${scope}`;
        });
        process.stdout.write((out.length > 0 ? out.join('\n') : 'no recalls') + '\n');
      } finally {
        await services.close();
      }
    });
  return cmd;
}
