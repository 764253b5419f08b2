// `lir stats <method>`: a JSON request on standard input, the JSON result on standard output.
// An invalid request: one JSON error line on standard error and exit 1.

import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { STATS_CHARTS } from '../../web/charts/stats-charts.js';
import { STATS_METHODS } from '../../stats/requests/index.js';
import { object, StatsInputError } from '../../stats/request.js';
import { CliError } from '../cli-error.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON has no infinity: ±∞ is written "Infinity"/"-Infinity", and a NaN that slipped through null. */
export const statsJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity') : v));

/** Runs one method on a request text; the CLI and tests share it. */
export function runStats(method: string, text: string): unknown {
  return runStatsWithRequest(method, text).result;
}

export function runStatsWithRequest(method: string, text: string): { request: Record<string, unknown>; result: unknown } {
  const fn = STATS_METHODS[method];
  if (!fn) throw new StatsInputError(`unknown method "${method}"; methods: ${Object.keys(STATS_METHODS).sort().join(', ')}`, '');
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (err) {
    throw new StatsInputError(`the request is not valid JSON: ${(err as Error).message}`, '');
  }
  const req = object(request);
  // the result as `lir stats` writes it, for every method alike
  return { request: req, result: JSON.parse(statsJson(fn(req))) as unknown };
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('statistical methods for signal detection: a JSON request on stdin, the JSON result on stdout (docs/stats.md)')
    .argument('<method>', 'the method, e.g. proportion, kaplan-meier, cusum (docs/stats.md lists them)')
    .option('--svg <file>', `also draw the result as an SVG picture (${Object.keys(STATS_CHARTS).join(', ')})`)
    .action(async (method: string, o: { svg?: string }) => {
      try {
        if (o.svg && !STATS_CHARTS[method]) throw new StatsInputError(`--svg draws ${Object.keys(STATS_CHARTS).join(', ')}; ${method} has no picture`, '');
        const { request, result } = runStatsWithRequest(method, await readStdin());
        process.stdout.write(JSON.stringify(result) + '\n');
        if (o.svg) {
          await writeFile(o.svg, STATS_CHARTS[method]!(request, result as Record<string, unknown>));
          process.stderr.write(`picture written to ${o.svg}\n`);
        }
      } catch (err) {
        if (err instanceof StatsInputError) {
          throw new CliError(JSON.stringify({ error: { code: err.code, message: err.message, pointer: err.pointer } }));
        }
        throw err;
      }
    });
}
