// Shared by the benchmark suite (bench/suite.ts) and its steps (bench/steps/*.ts): arguments, fresh
// databases that can be handed from one process to another, loading the generator's providers and
// catalogue, and running a child process while sampling its peak resident memory.

import { spawn } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/db/types.js';
import { loadImplantTypes, openDatabase, upsertProvider, type ProviderType } from '../../src/catalogue/reference-data.js';
import { importCatalogue } from '../../src/catalogue/catalogue-import.js';
import { readCsv } from '../../src/register/csv-reader.js';

// ---------- arguments ----------

export function argv(args = process.argv.slice(2)) {
  const get = (name: string, dflt?: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
  };
  return {
    get,
    need(name: string): string {
      const v = get(name);
      if (v === undefined) throw new Error(`--${name} is required`);
      return v;
    },
    num(name: string, dflt: number): number {
      const v = get(name);
      if (v === undefined) return dflt;
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, not ${v}`);
      return n;
    },
    has: (name: string) => args.includes(`--${name}`),
  };
}

// ---------- databases ----------

export type DbKind = 'pglite' | 'postgres';

/** A database one process creates and another opens: a PGlite directory or a PostgreSQL URL. */
export type DbTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; admin: string; name: string };

export async function freshTarget(kind: DbKind, label: string, adminUrl: string | undefined): Promise<DbTarget> {
  if (kind === 'pglite') return { kind, dataDir: await mkdtemp(join(tmpdir(), `lir-bench-${label}-`)) };
  if (!adminUrl) throw new Error('PostgreSQL needs DATABASE_URL (scripts/bench.sh starts a throw-away server when the server is installed)');
  const name = `lir_bench_${label.replace(/[^a-z0-9]/g, '_')}_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { kind, url: url.toString(), admin: adminUrl, name };
}

export async function dropTarget(t: DbTarget): Promise<void> {
  if (t.kind === 'pglite') return rm(t.dataDir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: t.admin });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${t.name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export async function openTarget(t: DbTarget): Promise<Db> {
  if (t.kind === 'pglite') {
    const { PgliteDb } = await import('../../src/db/pglite-db.js');
    return PgliteDb.open(t.dataDir);
  }
  const { PostgresDb } = await import('../../src/db/postgres-db.js');
  return PostgresDb.open(t.url);
}

/** The environment under which `lir` uses this database. */
export function targetEnv(t: DbTarget): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.LIR_DATA_DIR;
  if (t.kind === 'pglite') env.LIR_DATA_DIR = t.dataDir;
  else env.DATABASE_URL = t.url;
  return env;
}

export const encodeTarget = (t: DbTarget) => JSON.stringify(t);
export const decodeTarget = (s: string) => JSON.parse(s) as DbTarget;

// ---------- the generator's reference files ----------

async function* csvObjects(path: string): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  for await (const row of readCsv(createReadStream(path))) {
    if (!header) {
      header = row.fields.map((f) => f.trim());
      continue;
    }
    const o: Record<string, string> = {};
    header.forEach((h, i) => (o[h] = (row.fields[i] ?? '').trim()));
    yield o;
  }
}

/** Migrates the database and loads DIR/providers.csv and DIR/catalogue.csv (what `lir simulate --load` does). */
export async function loadReference(db: Db, dir: string): Promise<{ providers: Map<string, string>; devices: number; seconds: number }> {
  const t0 = performance.now();
  await openDatabase(db);
  const providers = new Map<string, string>();
  for await (const p of csvObjects(join(dir, 'providers.csv'))) {
    const saved = await upsertProvider(db, { kvk: p.kvk!, agb: p.agb || null, name: p.name!, type: p.type as ProviderType, region: p.region || null });
    providers.set(saved.kvk.trim(), saved.id);
  }
  const implantTypes = await loadImplantTypes(db);
  const cat = await importCatalogue(db, join(dir, 'catalogue.csv'), { implantTypes, source: 'benchmark' });
  if (cat.rejected > 0) process.stderr.write(`catalogue.csv: ${cat.rejected} rows rejected (first: ${JSON.stringify(cat.problems[0])})\n`);
  return { providers, devices: cat.written + cat.unchanged, seconds: (performance.now() - t0) / 1000 };
}

export { csvObjects };

// ---------- child processes and their memory ----------

export interface Measured {
  code: number | null;
  signal: string | null;
  seconds: number;
  stdout: string;
  stderrTail: string;
  /** Highest VmHWM (peak resident set) of any process in the child's tree, MiB. */
  peakRssMiB: number | null;
  /** Peak per process (command name → MiB), the highest of each name. */
  peakByProcess: Record<string, number>;
}

function procChildren(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(d));
      kids.set(ppid, list);
    } catch {
      // gone
    }
  }
  return kids;
}

function status(pid: number): { name: string; hwmKiB: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(s);
    const name = /Name:\s+(.*)/.exec(s)?.[1] ?? '?';
    return hwm ? { name, hwmKiB: Number(hwm[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/** Samples VmHWM of `pid` and its descendants every `everyMs` until stopped. */
export function watchMemory(pid: number, everyMs = 200) {
  const peak = new Map<number, { name: string; hwmKiB: number }>();
  const sample = () => {
    const kids = procChildren();
    const todo = [pid];
    while (todo.length > 0) {
      const p = todo.pop()!;
      const s = status(p);
      if (s) {
        const cmd = (() => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 4).join(' ').replace(/.*\/(node|tsx)\b/, '$1').slice(0, 80);
          } catch {
            return s.name;
          }
        })();
        const prev = peak.get(p);
        if (!prev || s.hwmKiB > prev.hwmKiB) peak.set(p, { name: cmd, hwmKiB: s.hwmKiB });
      }
      todo.push(...(kids.get(p) ?? []));
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const byName: Record<string, number> = {};
      let max = 0;
      for (const { name, hwmKiB } of peak.values()) {
        const mib = +(hwmKiB / 1024).toFixed(1);
        byName[name] = Math.max(byName[name] ?? 0, mib);
        max = Math.max(max, mib);
      }
      return { peakRssMiB: peak.size > 0 ? max : null, peakByProcess: byName };
    },
  };
}

/** Runs a command; stdout kept whole (small), stderr passed through and its tail kept. */
export function runMeasured(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<Measured> {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const mem = watchMemory(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      const s = b.toString();
      if (opts.echo !== false) process.stderr.write(s);
      stderr = (stderr + s).slice(-4000);
    });
    child.on('close', (code, signal) => {
      const m = mem.stop();
      resolvePromise({ code, signal, seconds: (performance.now() - t0) / 1000, stdout, stderrTail: stderr.replace(/\r[^\n]*(?=\r)/g, ''), ...m });
    });
    child.on('error', (err) => {
      mem.stop();
      resolvePromise({ code: null, signal: null, seconds: 0, stdout, stderrTail: String(err), peakRssMiB: null, peakByProcess: {} });
    });
  });
}

/** `node` with tsx loaded, for the step scripts and `lir`. */
export const NODE_TSX = [process.execPath, '--import', 'tsx'];

export const mib = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** This process's own peak resident set (VmHWM), MiB. */
export function ownPeakRssMiB(): number | null {
  const s = status(process.pid);
  return s ? +(s.hwmKiB / 1024).toFixed(1) : null;
}
