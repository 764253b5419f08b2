// `lir stats <method>`: a JSON request on standard input, the JSON result on standard output.
// An invalid request: one JSON error line on standard error and exit 1.

import { Command } from 'commander';
import { STATS_METHODS } from '../../stats/requests/index.js';
import { object, StatsInputError } from '../../stats/request.js';
import { CliError } from '../cli-error.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs one method on a request text; the CLI and tests share it. */
export function runStats(method: string, text: string): unknown {
  const fn = STATS_METHODS[method];
  if (!fn) throw new StatsInputError(`unknown method "${method}"; methods: ${Object.keys(STATS_METHODS).sort().join(', ')}`, '');
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (err) {
    throw new StatsInputError(`the request is not valid JSON: ${(err as Error).message}`, '');
  }
  return fn(object(request));
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('statistical methods for signal detection: a JSON request on stdin, the JSON result on stdout (docs/stats.md)')
    .argument('<method>', 'the method, e.g. proportion, kaplan-meier, cusum (docs/stats.md lists them)')
    .action(async (method: string) => {
      try {
        const result = runStats(method, await readStdin());
        process.stdout.write(JSON.stringify(result) + '\n');
      } catch (err) {
        if (err instanceof StatsInputError) {
          throw new CliError(JSON.stringify({ error: { code: err.code, message: err.message, pointer: err.pointer } }));
        }
        throw err;
      }
    });
}
