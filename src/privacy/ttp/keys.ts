// The TTP's own HMAC keys. They live in a file of their own (LIR_TTP_KEY_FILE, default
// <LIR_DATA_DIR or ./data>/ttp-key.json, mode 0600), never in the register database and never in a
// log line. The file is versioned: { current: "v2", keys: { v1: "<base64>", v2: "<base64>" } }.
// A rotation adds a version and makes it current; earlier versions stay so that old→new pairs can
// be computed for the register (docs/ttp.md).

import { createHmac, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { readSecretJson, secretDir, secretFileExists, secretFileVersion, writeSecretFile } from '../secret-file.js';
import { isBsn } from '../../domain/identifiers.js';

export interface TtpKeyFile {
  comment?: string;
  current: string;
  keys: Record<string, string>;
}

export class TtpKeyError extends Error {}

const VERSION = /^v([1-9][0-9]{0,5})$/;

export function defaultTtpDir(env: NodeJS.ProcessEnv = process.env): string {
  return secretDir(env);
}

export function defaultTtpKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIR_TTP_KEY_FILE) return resolve(env.LIR_TTP_KEY_FILE);
  return join(defaultTtpDir(env), 'ttp-key.json');
}

function serialise(content: TtpKeyFile): string {
  const { current, keys } = content;
  return JSON.stringify({ comment: 'LIR TTP pseudonymisation keys (HMAC-SHA-256). Secret: mode 0600, never in the register database, never in a log.', current, keys }, null, 2) + '\n';
}

function parse(file: string): TtpKeyFile {
  const parsed = readSecretJson(file, (m) => new TtpKeyError(`TTP key file: ${m}`)) as TtpKeyFile;
  if (!parsed || typeof parsed.current !== 'string' || !parsed.keys || typeof parsed.keys !== 'object') {
    throw new TtpKeyError(`the TTP key file ${file} has no "current" version and "keys"`);
  }
  for (const [version, key] of Object.entries(parsed.keys)) {
    if (!VERSION.test(version) || typeof key !== 'string' || Buffer.from(key, 'base64').length < 32) {
      throw new TtpKeyError(`the TTP key file ${file} holds a malformed key version (versions are v1, v2, …; keys at least 32 bytes, base64)`);
    }
  }
  if (!(parsed.current in parsed.keys)) throw new TtpKeyError(`the TTP key file ${file} names a current version it does not hold`);
  return { current: parsed.current, keys: parsed.keys };
}

const freshKey = () => randomBytes(32).toString('base64');

/** Reads the key file; creates it (v1, 32 random bytes, mode 0600) when absent. Two processes agree on one key. */
export function readOrCreateTtpKeyFile(file: string): TtpKeyFile {
  if (secretFileExists(file, (m) => new TtpKeyError(`TTP key file: ${m}`))) return parse(file);
  writeSecretFile(file, serialise({ current: 'v1', keys: { v1: freshKey() } }), 'create');
  return parse(file);
}

const versionNumber = (v: string) => Number(VERSION.exec(v)![1]);

/** Adds a new key version and makes it current. Returns the new and the previous version. */
export function rotateTtpKey(file: string = defaultTtpKeyFile()): { current: string; previous: string } {
  const old = readOrCreateTtpKeyFile(file);
  const next = `v${Math.max(...Object.keys(old.keys).map(versionNumber)) + 1}`;
  writeSecretFile(file, serialise({ current: next, keys: { ...old.keys, [next]: freshKey() } }), 'replace');
  return { current: next, previous: old.current };
}

export type BsnCheck = { ok: true; bsn: string } | { ok: false; code: 'INVALID_BSN'; message: string };

/** Validates a BSN (11-proef); 8 digits are left-padded to 9. The message never repeats the input. */
export function checkBsn(input: unknown): BsnCheck {
  if (typeof input !== 'string') return { ok: false, code: 'INVALID_BSN', message: 'a BSN must be a string of 9 digits (or 8, left-padded with a zero)' };
  if (!/^\d{8,9}$/.test(input)) return { ok: false, code: 'INVALID_BSN', message: 'a BSN must be 9 digits (or 8, left-padded with a zero), nothing else' };
  if (!isBsn(input)) return { ok: false, code: 'INVALID_BSN', message: 'this is not a valid BSN: it fails the 11-proef' };
  return { ok: true, bsn: input.padStart(9, '0') };
}

/** The label of a key version: `ttp` + version, e.g. `ttpv1`. */
export const labelOf = (version: string) => `ttp${version}`;

/** One loaded key file. Pseudonymises validated 9-digit BSNs. */
export class TtpKeys {
  readonly #keys: Map<string, Buffer>;

  constructor(
    readonly current: string,
    keys: Record<string, string>,
  ) {
    this.#keys = new Map(Object.entries(keys).map(([v, k]) => [v, Buffer.from(k, 'base64')]));
  }

  /** The version before the current one (the highest lower number), if any. */
  get previous(): string | undefined {
    const cur = versionNumber(this.current);
    const lower = [...this.#keys.keys()].map(versionNumber).filter((n) => n < cur);
    return lower.length ? `v${Math.max(...lower)}` : undefined;
  }

  /** `ttpvN:` + base64url(HMAC-SHA-256(key vN, "lir-pseudonym|" + bsn)); `bsn` must be checked first. */
  pseudonym(bsn9: string, version: string = this.current): string {
    const key = this.#keys.get(version);
    if (!key) throw new TtpKeyError(`no TTP key version ${version}`);
    if (!/^\d{9}$/.test(bsn9)) throw new TtpKeyError('pseudonym() takes a checked 9-digit BSN');
    return `${labelOf(version)}:${createHmac('sha256', key).update(`lir-pseudonym|${bsn9}`).digest('base64url')}`;
  }
}

/** The keys of one process: created on first use, re-read when the file changes (a rotation by `lir ttp rotate-key`). */
export class TtpKeyStore {
  #keys: TtpKeys | undefined;
  #version = '';

  constructor(readonly file: string = defaultTtpKeyFile()) {}

  #fileVersion(): string {
    return secretFileVersion(this.file);
  }

  get(): TtpKeys {
    const v = this.#fileVersion();
    if (!this.#keys || v !== this.#version) {
      const content = readOrCreateTtpKeyFile(this.file);
      this.#version = this.#fileVersion();
      this.#keys = new TtpKeys(content.current, content.keys);
    }
    return this.#keys;
  }
}
