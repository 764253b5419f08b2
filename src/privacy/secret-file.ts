// Secret files (the token-signing key, the TTP key): JSON, mode 0600 from the first byte, written
// atomically, never in the database. One implementation for every secret the register keeps.

import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The data directory secrets default to: LIR_DATA_DIR, or ./data for the in-memory database too. */
export function secretDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LIR_DATA_DIR && env.LIR_DATA_DIR !== 'memory' ? env.LIR_DATA_DIR : './data');
}

/** Whether the file exists; `fail` builds the error for anything but "not found". */
export function secretFileExists(file: string, fail: (message: string) => Error): boolean {
  try {
    statSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Reads and parses the file, first tightening a too-open mode to 0600 where we may. */
export function readSecretJson(file: string, fail: (message: string) => Error): unknown {
  let text: string;
  try {
    if (statSync(file).mode & 0o077) {
      try {
        chmodSync(file, 0o600);
      } catch {
        // not ours to change; reading it still works
      }
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(`${file} is not valid JSON`);
  }
}

/**
 * Writes `text` to `file` atomically with mode 0600. `create`: only if absent — two processes
 * starting at once agree on one file (a hard link to a complete temporary file; the loser keeps the
 * winner's). `replace`: renames over the existing file.
 */
export function writeSecretFile(file: string, text: string, how: 'create' | 'replace'): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(file), `.${randomBytes(6).toString('hex')}.secret.tmp`);
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  if (how === 'replace') {
    renameSync(tmp, file);
    return;
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Changes whenever the file is replaced or rewritten (inode, time, size): tells a reader to reload. */
export function secretFileVersion(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'absent';
  }
}
