import { openServices } from '../../register/services.js';
import type { Db } from '../../db/types.js';
import { SafetyFileError, type FileProblem } from '../../catalogue/certificate-recall-files.js';
import { CliError } from '../cli-error.js';

/** The shared body of `lir certificates import` and `lir recalls import`: run, print, exit code. */
export async function runSafetyImport<R extends { rows: number; accepted: number; rejected: number; problems: FileProblem[] }>(
  file: string,
  json: boolean | undefined,
  run: (db: Db) => Promise<R>,
  summary: (result: R) => string,
): Promise<void> {
  const services = await openServices();
  try {
    const result = await run(services.db);
    if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(`${result.rows} rows: ${result.accepted} accepted, ${result.rejected} rejected; ${summary(result)}\n`);
      for (const p of result.problems.slice(0, 50)) process.stdout.write(`  line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.code}: ${p.message}\n`);
    }
    process.exitCode = result.rejected > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof SafetyFileError) throw new CliError(`${file}${err.line ? `:${err.line}` : ''}: ${err.code}: ${err.message}`);
    throw err;
  } finally {
    await services.close();
  }
}
