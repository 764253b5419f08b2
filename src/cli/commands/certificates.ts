import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { SafetyFileError } from '../../catalogue/certificate-recall-files.js';
import { importCertificates } from '../../catalogue/certificate-import.js';
import { listCertificates } from '../../catalogue/certificates.js';
import { isValidIsoDate } from '../../domain/dates.js';
import { openServices } from '../../register/services.js';
import { CliError } from '../cli-error.js';

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
      const services = await openServices();
      try {
        const result = await importCertificates(services.db, file);
        if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else {
          process.stdout.write(
            `${result.rows} rows: ${result.accepted} accepted, ${result.rejected} rejected; ${result.created} new certificates, ${result.statusesAdded} status changes recorded\n`,
          );
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
