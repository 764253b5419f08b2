// Writes one benchmark's result to bench/results/<name>.json with the machine it ran on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';

export function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync('bench/results', { recursive: true });
  const host = { hostname: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), node: process.version, host, ...result }, null, 2)}\n`);
  console.log(`wrote bench/results/${name}.json`);
}
