import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { importRecalls } from '../../catalogue/recall-import.js';
import { listRecalls } from '../../catalogue/recalls.js';
import { openServices } from '../../register/services.js';
import { runSafetyImport } from './safety-import.js';

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
      await runSafetyImport(file, o.json, (db) => importRecalls(db, file), (r) => `${r.created} new recalls`);
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
