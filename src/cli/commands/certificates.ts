import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { importCertificates } from '../../catalogue/certificate-import.js';
import { listCertificates } from '../../catalogue/certificates.js';
import { isValidIsoDate } from '../../domain/dates.js';
import { openServices } from '../../register/services.js';
import { CliError } from '../cli-error.js';
import { runSafetyImport } from './safety-import.js';

export function certificatesCommand(): Command {
  const cmd = new Command('certificates').description("notified bodies' certificates of devices, with their status history");
  cmd
    .command('import <file>')
    .description(
      'load certificates from CSV (udi_di,nb_number,nb_name,certificate_number,certificate_version,valid_from,valid_until[,status,effective_from,reason_code]) ' +
        'or NDJSON (one POST /api/v1/certificates body per line); exit 1 when a row was rejected',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      await runSafetyImport(file, o.json, (db) => importCertificates(db, file), (r) => `${r.created} new certificates, ${r.statusesAdded} status changes recorded`);
    });
  cmd
    .command('list')
    .description('certificates of a device, with status history and periods')
    .requiredOption('--udi-di <di>', 'the device (UDI-DI)')
    .option('--on <date>', 'also give the status on this date (YYYY-MM-DD)')
    .option('--json', 'print JSON')
    .action(async (o: { udiDi: string; on?: string; json?: boolean }) => {
      if (o.on !== undefined && !isValidIsoDate(o.on)) throw new CliError('--on must be a date written YYYY-MM-DD');
      const services = await openServices();
      try {
        const list = await listCertificates(services.db, OPERATOR, { udiDi: o.udiDi, ...(o.on ? { on: o.on } : {}) });
        if (o.json) {
          process.stdout.write(JSON.stringify(list, null, 2) + '\n');
          return;
        }
        const out: string[] = [];
        for (const c of list) {
          out.push(`${c.notifiedBody} ${c.nbName}: certificate ${c.certificateNumber} version ${c.certificateVersion}, valid ${c.validFrom} – ${c.validUntil}, now ${c.status ?? 'not yet valid'}`);
          if (c.statusOn) out.push(`  on ${c.statusOn.date}: ${c.statusOn.status ?? 'not in force'}`);
          for (const p of c.periods) out.push(`  ${p.from} – ${p.to ?? '…'}  ${p.status}${p.reasonCode ? ` (${p.reasonCode})` : ''}`);
        }
        process.stdout.write((out.length > 0 ? out.join('\n') : `no certificates for ${o.udiDi}`) + '\n');
      } finally {
        await services.close();
      }
    });
  return cmd;
}
