// The TTP's own audit log: an append-only file of JSON lines (LIR_TTP_AUDIT_FILE, default
// ttp-audit.jsonl next to the key file), mode 0600. One line per call: time, client, provider KvK,
// action, count, outcome. Never a BSN, never a pseudonym, never a key.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defaultTtpKeyFile } from './keys.js';

export type TtpAction = 'pseudonym' | 'batch' | 'rekey';

export interface TtpAuditEntry {
  time: string;
  /** The caller's subject (`client:<id>` or `token:<id>`), or null when the token was missing or bad. */
  clientId: string | null;
  providerKvk: string | null;
  action: TtpAction | 'unknown';
  /** BSNs asked for (0 when the request was refused before reading them). */
  count: number;
  /** ok, partial (some BSNs invalid), invalid, unauthorized, forbidden, rate-limited, too-large, error */
  outcome: string;
  /** How many of `count` were invalid BSNs. */
  invalid?: number;
  /** HTTP status of the answer. */
  status: number;
  /** The key version used (the label, not the key). */
  keyVersion?: string;
}

export function defaultTtpAuditFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIR_TTP_AUDIT_FILE) return resolve(env.LIR_TTP_AUDIT_FILE);
  return join(dirname(defaultTtpKeyFile(env)), 'ttp-audit.jsonl');
}

export class TtpAuditLog {
  constructor(readonly file: string = defaultTtpAuditFile()) {}

  /** Appends one line, synchronously (the call is not answered before it is written). */
  write(entry: TtpAuditEntry): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, JSON.stringify(entry) + '\n', { mode: 0o600, flag: 'a' });
  }
}
