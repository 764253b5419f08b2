import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { openServices } from '../../register/services.js';
import { CatalogueFileError, importCatalogue } from '../../catalogue/catalogue-import.js';
import { CliError } from '../cli-error.js';

export function catalogueCommand(): Command {
  const cmd = new Command('catalogue').description('the device catalogue (UDI-DI → manufacturer, product, implant type)');
  cmd
    .command('import <file>')
    .description('load devices from CSV (udi_di,issuer,manufacturer,product_name,model,implant_type) or NDJSON')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      if (!existsSync(file)) throw new CliError(`${file}: no such file`);
      const services = await openServices();
      try {
        const result = await importCatalogue(services.db, file, services.implantTypes, (n) => {
          if (n % 5000 === 0) process.stderr.write(`\r${n.toLocaleString('en')} devices read`);
        });
        if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else {
          process.stdout.write(`${result.rows} rows, ${result.written} devices written, ${result.problems.length} problems\n`);
          for (const p of result.problems.slice(0, 50)) process.stdout.write(`  line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.code}: ${p.message}\n`);
        }
        if (result.problems.length > 0) process.exitCode = 1;
      } catch (err) {
        if (err instanceof CatalogueFileError) throw new CliError(`${file}: ${err.message}`);
        throw err;
      } finally {
        await services.close();
      }
    });
  return cmd;
}
