import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { affectedPopulation, parseAffectedFilter } from '../../register/affected-population.js';
import { openServices } from '../../register/services.js';
import { implantedWhileSuspended, parseSuspendedFilter } from '../../register/suspended-implants.js';
import { CliError } from '../cli-error.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function queryCommand(): Command {
  const query = new Command('query').description('ask the register');
  query
    .command('affected')
    .description('who carries this implant: implants and patients, per provider and per implant year')
    .option('--udi-di <di>', 'UDI-DI (repeatable)', collect)
    .option('--manufacturer <text>', 'manufacturer name contains (case-insensitive)')
    .option('--product <text>', 'product name contains (case-insensitive)')
    .option('--implant-type <code>', 'implant type or category code, with everything below it')
    .option('--lot <lot>', 'lot number (repeatable)', collect)
    .option('--serial <serial>', 'serial number (repeatable)', collect)
    .option('--from <date>', 'implanted on or after YYYY-MM-DD')
    .option('--to <date>', 'implanted on or before YYYY-MM-DD')
    .option('--still-implanted', 'only implants not explanted and whose patient is not known dead')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, unknown>) => {
      const parsed = parseAffectedFilter({
        udiDi: o.udiDi, manufacturer: o.manufacturer, productName: o.product, implantType: o.implantType,
        lots: o.lot, serials: o.serial, implantedFrom: o.from, implantedTo: o.to, stillImplanted: o.stillImplanted ? true : undefined,
      });
      if (!parsed.ok) throw new CliError(parsed.errors.map((e) => `${e.path.slice(1) || 'query'}: ${e.message}`).join('; '));
      const services = await openServices();
      try {
        const result = await affectedPopulation(services.db, OPERATOR, parsed.filter, services.implantTypes);
        if (o.json) {
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        const out = [`implants: ${result.implants}`, `patients: ${result.patients}`, '', 'per provider:'];
        for (const p of result.providers) out.push(`  ${p.kvk}  ${p.name.padEnd(40)} ${String(p.implants).padStart(8)} implants ${String(p.patients).padStart(8)} patients`);
        out.push('', 'per implant year:');
        const max = Math.max(1, ...result.byYear.map((y) => y.implants));
        for (const y of result.byYear) out.push(`  ${y.year}  ${String(y.implants).padStart(8)}  ${'█'.repeat(Math.round((y.implants / max) * 40))}`);
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        await services.close();
      }
    });
  query
    .command('suspended')
    .description('devices implanted while their certificate was suspended or withdrawn: implants and patients per provider')
    .option('--udi-di <di>', 'UDI-DI (repeatable)', collect)
    .option('--from <date>', 'implanted on or after YYYY-MM-DD')
    .option('--to <date>', 'implanted on or before YYYY-MM-DD')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, unknown>) => {
      const parsed = parseSuspendedFilter({ udiDi: o.udiDi, from: o.from, to: o.to });
      if (!parsed.ok) throw new CliError(parsed.errors.map((e) => `${e.path.slice(1) || 'query'}: ${e.message}`).join('; '));
      const services = await openServices();
      try {
        const result = await implantedWhileSuspended(services.db, OPERATOR, parsed.filter);
        if (o.json) {
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        const out = [`implants: ${result.implants}`, `patients: ${result.patients}`];
        for (const d of result.devices) {
          const c = d.certificate;
          out.push(
            '',
            `${d.udiDi}  ${[d.manufacturer, d.productName].filter(Boolean).join(' ') || '(not in the catalogue)'}`,
            `  ${c.notifiedBody} ${c.nbName}, certificate ${c.certificateNumber} version ${c.certificateVersion}: ${d.status} ${d.period.from} – ${d.period.to ?? 'now'}${d.reasonCode ? ` (${d.reasonCode})` : ''}`,
            `  ${d.implants} implants, ${d.patients} patients`,
          );
          for (const p of d.providers) out.push(`    ${p.kvk}  ${p.name.padEnd(40)} ${String(p.implants).padStart(8)} implants ${String(p.patients).padStart(8)} patients`);
        }
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        await services.close();
      }
    });
  return query;
}
