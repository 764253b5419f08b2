// Accounts of people who sign in to the portal (DESIGN §1). Passwords are kept as scrypt hashes;
// two-factor (TOTP) is required for the roles that can see or reconstruct who read what:
// inspector, log-manager, and — beyond DESIGN §1 — registry-admin, who creates the other accounts.
// Lockout: MAX_FAILED_ATTEMPTS wrong passwords or codes in a row lock sign-in for LOCKOUT_MINUTES.

import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import type { Caller } from './caller.js';
import { hashSecret, verifySecret } from './secret-hash.js';
import { verifyTotp } from './totp.js';

export const USER_ROLES = ['provider', 'inspector', 'registry-admin', 'manufacturer', 'association', 'log-manager'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const isUserRole = (s: string): s is UserRole => (USER_ROLES as readonly string[]).includes(s);

export const TWO_FACTOR_ROLES: ReadonlySet<UserRole> = new Set(['inspector', 'log-manager', 'registry-admin']);
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MINUTES = 15;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

export class AccountError extends Error {
  constructor(
    readonly code: 'INVALID_USERNAME' | 'WEAK_PASSWORD' | 'USERNAME_TAKEN' | 'INVALID_ROLE' | 'PROVIDER_REQUIRED' | 'ORGANISATION_REQUIRED' | 'UNKNOWN_USER',
    message: string,
  ) {
    super(message);
  }
}

export interface User {
  id: string;
  username: string;
  role: UserRole;
  providerId: string | null;
  providerKvk: string | null;
  organisation: string | null;
  totpEnrolled: boolean;
  failedAttempts: number;
  lockedUntil: string | null;
  createdAt: string;
  disabledAt: string | null;
}

interface UserRow extends User {
  passwordHash: string;
  totpSecret: string | null;
  totpLastStep: number | null;
}

const USER_SELECT = `SELECT u.id, u.username, u.role, u.provider_id AS "providerId", p.kvk AS "providerKvk", u.organisation,
  u.totp_secret IS NOT NULL AS "totpEnrolled", u.failed_attempts AS "failedAttempts", u.locked_until AS "lockedUntil",
  u.created_at AS "createdAt", u.disabled_at AS "disabledAt", u.password_hash AS "passwordHash",
  u.totp_secret AS "totpSecret", u.totp_last_step AS "totpLastStep"
  FROM users u LEFT JOIN providers p ON p.id = u.provider_id`;

const publicUser = ({ passwordHash: _p, totpSecret: _s, totpLastStep: _l, ...user }: UserRow): User => user;

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{2,63}$/;

/** Why a password is refused, or undefined. Length is what matters (NIST SP 800-63B §5.1.1). */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'a password must not contain the username';
  if (new Set(password).size < 5) return 'a password needs at least 5 different characters';
  return undefined;
}

export interface NewUser {
  username: string;
  role: string;
  password: string;
  providerId?: string;
  organisation?: string;
  createdBy: string;
}

export async function createUser(q: Queryable, input: NewUser, now = new Date()): Promise<User> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw new AccountError('INVALID_USERNAME', 'a username has 3 to 64 characters: lower-case letters, digits and . _ @ - (e.g. j.jansen@igj.nl)');
  if (!isUserRole(input.role)) throw new AccountError('INVALID_ROLE', `role must be one of ${USER_ROLES.join(', ')}`);
  if ((input.role === 'provider') !== Boolean(input.providerId)) throw new AccountError('PROVIDER_REQUIRED', 'a provider account needs the provider it works for, and only a provider account has one');
  const needsOrg = input.role === 'manufacturer' || input.role === 'association';
  const organisation = input.organisation?.trim() || undefined;
  if (needsOrg !== Boolean(organisation)) throw new AccountError('ORGANISATION_REQUIRED', 'manufacturer and association accounts need the organisation they work for, and only they have one');
  const weak = passwordProblem(input.password, username);
  if (weak) throw new AccountError('WEAK_PASSWORD', weak);
  const [taken] = await q.query('SELECT 1 FROM users WHERE username = $1', [username]);
  if (taken) throw new AccountError('USERNAME_TAKEN', `there is already an account ${username}`);
  const id = randomUUID();
  await q.query(
    `INSERT INTO users (id, username, role, provider_id, organisation, password_hash, password_changed_at, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,
    [id, username, input.role, input.providerId ?? null, organisation ?? null, await hashSecret(input.password), now.toISOString(), input.createdBy],
  );
  return (await findUser(q, username))!;
}

async function findUserRow(q: Queryable, where: 'id' | 'username', value: string): Promise<UserRow | undefined> {
  if (where === 'id' && !/^[0-9a-f-]{36}$/i.test(value)) return undefined;
  const [row] = await q.query<UserRow>(`${USER_SELECT} WHERE u.${where} = $1`, [value]);
  return row;
}

export async function findUser(q: Queryable, username: string): Promise<User | undefined> {
  const row = await findUserRow(q, 'username', username.trim().toLowerCase());
  return row && publicUser(row);
}

export async function findUserById(q: Queryable, id: string): Promise<User | undefined> {
  const row = await findUserRow(q, 'id', id);
  return row && publicUser(row);
}

export async function listUsers(q: Queryable): Promise<User[]> {
  const rows = await q.query<UserRow>(`${USER_SELECT} ORDER BY u.username`);
  return rows.map(publicUser);
}

export type SignInResult =
  | { ok: true; user: User; next: 'totp' | 'enrol' | 'done' }
  | { ok: false; reason: 'invalid' | 'locked'; lockedUntil?: string };

const isLocked = (row: { lockedUntil: string | null }, now: Date) => row.lockedUntil !== null && Date.parse(row.lockedUntil) > now.getTime();

/** Counts one failure; the MAX_FAILED_ATTEMPTS-th in a row locks the account. One statement, so parallel guesses all count. */
async function recordFailure(q: Queryable, id: string, now: Date): Promise<string | undefined> {
  const until = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString();
  const [row] = await q.query<{ lockedUntil: string | null }>(
    `UPDATE users SET
       locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE locked_until END,
       failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END
     WHERE id = $1 RETURNING locked_until AS "lockedUntil"`,
    [id, MAX_FAILED_ATTEMPTS, until],
  );
  return row && isLocked(row, now) ? row.lockedUntil! : undefined;
}

/**
 * The first factor. Unknown usernames cost the same scrypt work as known ones and answer the same
 * `invalid`, so the answer does not tell which accounts exist; a locked account answers `locked`
 * without looking at the password, so guessing does not go on while it is locked.
 */
export async function signInWithPassword(q: Queryable, username: string, password: string, now = new Date()): Promise<SignInResult> {
  const row = USERNAME_PATTERN.test(username.trim().toLowerCase()) ? await findUserRow(q, 'username', username.trim().toLowerCase()) : undefined;
  if (row && isLocked(row, now)) return { ok: false, reason: 'locked', lockedUntil: row.lockedUntil! };
  const good = await verifySecret(password.slice(0, MAX_PASSWORD_LENGTH + 1), row?.passwordHash);
  if (!row || row.disabledAt) return { ok: false, reason: 'invalid' };
  if (!good) {
    const lockedUntil = await recordFailure(q, row.id, now);
    return lockedUntil ? { ok: false, reason: 'locked', lockedUntil } : { ok: false, reason: 'invalid' };
  }
  const next = row.totpSecret ? 'totp' : TWO_FACTOR_ROLES.has(row.role) ? 'enrol' : 'done';
  // the failure count resets only when sign-in completes (after the second factor, if any)
  if (next === 'done') await q.query('UPDATE users SET failed_attempts = 0 WHERE id = $1', [row.id]);
  return { ok: true, user: publicUser(row), next };
}

/**
 * The second factor: a code from the user's enrolled secret, or — while enrolling — from the secret
 * just shown (`pendingSecret`, stored with the account when the code is right). Wrong codes count
 * towards the lockout like wrong passwords.
 */
export async function confirmTotp(
  q: Queryable,
  userId: string,
  code: string,
  now = new Date(),
  pendingSecret?: string,
): Promise<{ ok: true } | { ok: false; reason: 'invalid' | 'locked'; lockedUntil?: string }> {
  const row = await findUserRow(q, 'id', userId);
  if (!row || row.disabledAt) return { ok: false, reason: 'invalid' };
  if (isLocked(row, now)) return { ok: false, reason: 'locked', lockedUntil: row.lockedUntil! };
  const secret = pendingSecret ?? row.totpSecret;
  const step = secret ? verifyTotp(secret, code.replace(/\s/g, ''), now.getTime(), pendingSecret ? null : row.totpLastStep) : undefined;
  if (step === undefined) {
    const lockedUntil = await recordFailure(q, row.id, now);
    return lockedUntil ? { ok: false, reason: 'locked', lockedUntil } : { ok: false, reason: 'invalid' };
  }
  // the step guard in WHERE makes a replayed code fail even when two requests race
  const updated = await q.query(
    `UPDATE users SET totp_secret = $2, totp_last_step = $3, failed_attempts = 0
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $3 OR $4) RETURNING id`,
    [row.id, secret, step, Boolean(pendingSecret)],
  );
  return updated.length > 0 ? { ok: true } : { ok: false, reason: 'invalid' };
}

async function updateOne(q: Queryable, sql: string, params: unknown[], username: string): Promise<void> {
  const rows = await q.query(sql, params);
  if (rows.length === 0) throw new AccountError('UNKNOWN_USER', `there is no account ${username}`);
}

export async function setPassword(q: Queryable, username: string, password: string, now = new Date()): Promise<void> {
  const name = username.trim().toLowerCase();
  const weak = passwordProblem(password, name);
  if (weak) throw new AccountError('WEAK_PASSWORD', weak);
  await updateOne(q, 'UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE username = $1 RETURNING id', [name, await hashSecret(password), now.toISOString()], name);
  await q.query('DELETE FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)', [name]);
}

export async function unlockUser(q: Queryable, username: string): Promise<void> {
  await updateOne(q, 'UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = $1 RETURNING id', [username.trim().toLowerCase()], username);
}

/** Forgets the authenticator: the user enrols a new one at the next sign-in (lost phone). */
export async function resetTotp(q: Queryable, username: string): Promise<void> {
  const name = username.trim().toLowerCase();
  await updateOne(q, 'UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE username = $1 RETURNING id', [name], name);
  await q.query('DELETE FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)', [name]);
}

/** Disables the account and ends its sessions; the row stays (audit entries name it). */
export async function disableUser(q: Queryable, username: string, now = new Date()): Promise<void> {
  const name = username.trim().toLowerCase();
  await updateOne(q, 'UPDATE users SET disabled_at = $2 WHERE username = $1 AND disabled_at IS NULL RETURNING id', [name, now.toISOString()], name);
  await q.query('DELETE FROM user_sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)', [name]);
}

/** The caller a signed-in user acts as; the audit log names the account as `user:<username>`. */
export function callerOfUser(user: User): Caller {
  const subject = `user:${user.username}`;
  switch (user.role) {
    case 'provider':
      return { role: 'provider', subject, providerId: user.providerId!, providerKvk: user.providerKvk! };
    case 'manufacturer':
    case 'association':
      return { role: user.role, subject, organisation: user.organisation! };
    case 'inspector':
    case 'registry-admin':
    case 'log-manager':
      return { role: user.role, subject };
  }
}
