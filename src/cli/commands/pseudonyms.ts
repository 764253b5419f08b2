// `lir pseudonyms rekey <pairs.csv>`: the register's half of a TTP key rotation (docs/ttp.md).

import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { openDatabase } from '../../catalogue/reference-data.js';
import { OPERATOR } from '../../auth/caller.js';
import { applyRekeyPairs, RekeyError, type RekeyPair } from '../../register/pseudonym-rekey.js';
import { CliError } from '../cli-error.js';

/** The "old,new" file `lir ttp rekey-map` writes: a header, then one pair a line. */
export function parsePairs(text: string, file: string): RekeyPair[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'old,new') throw new CliError(`${file}: the first line must be the header old,new (as lir ttp rekey-map writes it)`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 2) throw new CliError(`${file} line ${i + 2}: expected two values, old,new`);
    return { old: cells[0]!, new: cells[1]! };
  });
}

export function pseudonymsCommand(): Command {
  const cmd = new Command('pseudonyms').description('patient pseudonyms in the register');
  cmd
    .command('rekey <pairs-file>')
    .description('replace old pseudonyms by new ones after a TTP key rotation (the CSV old,new from lir ttp rekey-map)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const pairs = parsePairs(text, file);
      const db = await connect();
      try {
        await openDatabase(db);
        const summary = await applyRekeyPairs(db, OPERATOR, pairs, (done) => process.stderr.write(`\rre-keyed ${done.toLocaleString('en')} of ${pairs.length.toLocaleString('en')} pairs`));
        process.stderr.write('\n');
        process.stdout.write(
          o.json
            ? JSON.stringify(summary) + '\n'
            : `${summary.pairs} pairs: ${summary.records} records and ${summary.versions} versions re-keyed; ${summary.unused} old pseudonyms were not in the register\n`,
        );
      } catch (err) {
        if (err instanceof RekeyError) throw new CliError(`${file} line ${err.index + 2}: ${err.message.replace(/^pair \d+: /, '')}`);
        throw err;
      } finally {
        await db.close();
      }
    });
  return cmd;
}
