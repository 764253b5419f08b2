// The register's key for signing access tokens (ES256). It lives in a file of its own
// (LIR_SECRET_FILE, default <LIR_DATA_DIR or ./data>/lir-signing-key.json, mode 0600), never in the
// database and never in a log line. The file holds the current private key and, after a rotation,
// the public halves of earlier keys, which stay in the JWKS until every token they signed has
// expired. Every process of the register reads the same file and notices a rotation by itself.

import { resolve } from 'node:path';
import { readSecretJson, secretDir, secretFileExists, secretFileVersion, writeSecretFile } from '../privacy/secret-file.js';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALG = 'ES256';
/** Access tokens live 5 minutes; an earlier key is kept well beyond that (skew, file reloads). */
export const RETIRED_KEY_RETENTION_MS = 15 * 60 * 1000;
/** A process looks at the file's modification time at most this often. */
const RELOAD_CHECK_MS = 30 * 1000;

interface KeyFile {
  comment?: string;
  current: JWK & { created?: string };
  previous?: Array<JWK & { retired: string }>;
}

export class SigningKeyError extends Error {}

export function defaultSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIR_SECRET_FILE) return resolve(env.LIR_SECRET_FILE);
  return resolve(secretDir(env), 'lir-signing-key.json');
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg } = jwk;
  return { kty, crv, x, y, kid, alg, use: 'sig' } as JWK;
}

async function newKey(now: Date): Promise<KeyFile['current']> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! } as JWK);
  return { ...jwk, kid, alg: SIGNING_ALG, use: 'sig', created: now.toISOString() };
}

function serialise(content: KeyFile): string {
  return JSON.stringify({ comment: 'LIR access-token signing key. Secret: mode 0600, never in the database, never in a backup that others can read.', ...content }, null, 2) + '\n';
}

function readKeyFile(file: string): KeyFile {
  const parsed = readSecretJson(file, (m) => new SigningKeyError(`signing key file: ${m}`)) as KeyFile;
  const c = parsed.current;
  if (!c || c.kty !== 'EC' || c.crv !== 'P-256' || typeof c.d !== 'string' || typeof c.kid !== 'string') {
    throw new SigningKeyError(`the signing key file ${file} holds no current EC P-256 private key with a kid`);
  }
  return parsed;
}

/**
 * Reads the key file; when it does not exist and `create` is given, creates it with that key. Two
 * processes starting at once agree on one key: the file appears atomically (a hard link to a
 * complete temporary file), and the one that loses the race reads the winner's key.
 */
export function readOrCreateKeyFile(file: string, create?: KeyFile['current']): KeyFile | undefined {
  if (secretFileExists(file, (m) => new SigningKeyError(`signing key file: ${m}`))) return readKeyFile(file);
  if (!create) return undefined;
  writeSecretFile(file, serialise({ current: create, previous: [] }), 'create');
  return readKeyFile(file);
}

/** One loaded key file: the key to sign with and the keys to verify with. */
export class SigningKeys {
  private constructor(
    readonly kid: string,
    readonly privateKey: CryptoKey,
    private readonly publicKeys: Array<{ jwk: JWK; retired: number | undefined }>,
  ) {}

  static async fromFile(content: KeyFile): Promise<SigningKeys> {
    const privateKey = (await importJWK(content.current, SIGNING_ALG)) as CryptoKey;
    const publicKeys = [
      { jwk: publicPart(content.current), retired: undefined },
      ...(content.previous ?? []).map((k) => ({ jwk: publicPart(k), retired: Date.parse(k.retired) })),
    ];
    return new SigningKeys(content.current.kid!, privateKey, publicKeys);
  }

  /** The public keys that may have signed a token still valid at `now`: the JWKS. */
  jwks(now = Date.now()): { keys: JWK[] } {
    return { keys: this.publicKeys.filter((k) => k.retired === undefined || now - k.retired < RETIRED_KEY_RETENTION_MS).map((k) => ({ ...k.jwk })) };
  }

  hasKid(kid: string, now = Date.now()): boolean {
    return this.jwks(now).keys.some((k) => k.kid === kid);
  }

  readonly #imported = new Map<string, Promise<CryptoKey>>();

  /** The public key with this kid, if it may still verify tokens at `now`. */
  async verificationKey(kid: string, now = Date.now()): Promise<CryptoKey | undefined> {
    const jwk = this.jwks(now).keys.find((k) => k.kid === kid);
    if (!jwk) return undefined;
    let key = this.#imported.get(kid);
    if (!key) {
      key = importJWK(jwk, SIGNING_ALG) as Promise<CryptoKey>;
      this.#imported.set(kid, key);
    }
    return key;
  }
}

/**
 * The signing key of one process: loaded on first use (created if absent), re-read when the file
 * changes (a rotation by `lir clients rotate-key`, possibly from another process).
 */
export class SigningKeyStore {
  #keys: Promise<SigningKeys> | undefined;
  #version = '';
  #checkedAt = 0;

  constructor(readonly file: string = defaultSecretFile()) {}

  async get(): Promise<SigningKeys> {
    const now = Date.now();
    if (this.#keys && now - this.#checkedAt >= RELOAD_CHECK_MS) {
      this.#checkedAt = now;
      if (this.#fileVersion() !== this.#version) this.#keys = undefined;
    }
    if (!this.#keys) {
      const loading = this.#load();
      this.#keys = loading;
      loading.catch(() => {
        if (this.#keys === loading) this.#keys = undefined;
      });
    }
    return this.#keys;
  }

  /** Re-reads the file now if it changed (a token with an unknown kid may come from a newer key). */
  async refresh(): Promise<SigningKeys> {
    if (this.#fileVersion() !== this.#version) this.#keys = undefined;
    this.#checkedAt = Date.now();
    return this.get();
  }

  /** Inode and modification time: a rotation replaces the file (rename), which changes both. */
  #fileVersion(): string {
    return secretFileVersion(this.file);
  }

  async #load(): Promise<SigningKeys> {
    this.#checkedAt = Date.now();
    // the version before reading: a rotation in between is then noticed at the next check
    const before = this.#fileVersion();
    const content = readOrCreateKeyFile(this.file) ?? readOrCreateKeyFile(this.file, await newKey(new Date()))!;
    this.#version = before === 'absent' ? this.#fileVersion() : before;
    return SigningKeys.fromFile(content);
  }
}

/**
 * Rolls the key: a new key (new kid) signs from now on; the old public key stays in the file and
 * the JWKS for RETIRED_KEY_RETENTION_MS, so tokens it signed keep verifying until they expire.
 * Keys retired longer ago are dropped from the file.
 */
export async function rotateSigningKey(file: string = defaultSecretFile(), now = new Date()): Promise<{ kid: string; previousKid: string | undefined }> {
  const fresh = await newKey(now);
  const old = readOrCreateKeyFile(file);
  if (!old) {
    readOrCreateKeyFile(file, fresh);
    return { kid: fresh.kid!, previousKid: undefined };
  }
  const previous = [
    { ...publicPart(old.current), retired: now.toISOString() },
    ...(old.previous ?? []).filter((k) => now.getTime() - Date.parse(k.retired) < RETIRED_KEY_RETENTION_MS).map((k) => ({ ...publicPart(k), retired: k.retired })),
  ];
  writeSecretFile(file, serialise({ current: fresh, previous }), 'replace');
  return { kid: fresh.kid!, previousKid: old.current.kid };
}
