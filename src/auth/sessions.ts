// Portal sessions. The cookie carries 32 random bytes; the database keeps only their SHA-256, so a
// copy of the table cannot be replayed. A session starts at the password and, for two-factor
// accounts, waits in stage 'totp' or 'enrol' until the code is right; each stage change issues a new
// id (no session fixation). Each session has its own CSRF token (synchronizer token pattern).

import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import { findUserById, type User } from './users.js';

export type SessionStage = 'totp' | 'enrol' | 'active';

/** A half-finished sign-in (password given, code not yet) lasts this long. */
export const PENDING_SESSION_MINUTES = 5;
/** A signed-in session ends after this much inactivity… */
export const IDLE_SESSION_MINUTES = 30;
/** …and at the latest this long after sign-in. */
export const MAX_SESSION_HOURS = 12;

export interface Session {
  idHash: string;
  userId: string;
  stage: SessionStage;
  csrfToken: string;
  pendingTotpSecret: string | null;
  createdAt: string;
  expiresAt: string;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

function expiry(stage: SessionStage, createdAt: Date, now: Date): Date {
  if (stage !== 'active') return new Date(now.getTime() + PENDING_SESSION_MINUTES * 60_000);
  return new Date(Math.min(now.getTime() + IDLE_SESSION_MINUTES * 60_000, createdAt.getTime() + MAX_SESSION_HOURS * 3_600_000));
}

/** A new session; returns the cookie value (shown to the browser only) and the session. */
export async function startSession(
  q: Queryable,
  userId: string,
  stage: SessionStage,
  now = new Date(),
  opts: { pendingTotpSecret?: string; createdAt?: Date } = {},
): Promise<{ cookieValue: string; session: Session }> {
  const cookieValue = randomBytes(32).toString('base64url');
  const createdAt = opts.createdAt ?? now;
  const session: Session = {
    idHash: hashId(cookieValue),
    userId,
    stage,
    csrfToken: randomBytes(32).toString('base64url'),
    pendingTotpSecret: opts.pendingTotpSecret ?? null,
    createdAt: createdAt.toISOString(),
    expiresAt: expiry(stage, createdAt, now).toISOString(),
  };
  await q.query(
    `INSERT INTO user_sessions (id_hash, user_id, stage, csrf_token, pending_totp_secret, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [session.idHash, userId, stage, session.csrfToken, session.pendingTotpSecret, session.createdAt, now.toISOString(), session.expiresAt],
  );
  return { cookieValue, session };
}

/**
 * The session and its user for a cookie value, or undefined when unknown, expired, or the account is
 * disabled or locked. An active session's idle timer restarts.
 */
export async function resumeSession(q: Queryable, cookieValue: string, now = new Date()): Promise<{ session: Session; user: User } | undefined> {
  if (!COOKIE_VALUE.test(cookieValue)) return undefined;
  const idHash = hashId(cookieValue);
  const [session] = await q.query<Session>(
    `SELECT id_hash AS "idHash", user_id AS "userId", stage, csrf_token AS "csrfToken", pending_totp_secret AS "pendingTotpSecret",
       created_at AS "createdAt", expires_at AS "expiresAt"
     FROM user_sessions WHERE id_hash = $1`,
    [idHash],
  );
  if (!session) return undefined;
  if (Date.parse(session.expiresAt) <= now.getTime()) {
    await endSession(q, idHash);
    return undefined;
  }
  const user = await findUserById(q, session.userId);
  if (!user || user.disabledAt) return undefined;
  if (session.stage === 'active') {
    const expiresAt = expiry('active', new Date(session.createdAt), now).toISOString();
    // write at most once a minute: most requests only read
    if (Date.parse(expiresAt) - Date.parse(session.expiresAt) > 60_000) {
      await q.query('UPDATE user_sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1', [idHash, now.toISOString(), expiresAt]);
      session.expiresAt = expiresAt;
    }
  }
  return { session, user };
}

/** Moves a session to its next stage under a new id; the old cookie stops working. */
export async function advanceSession(
  q: Queryable,
  old: Session,
  stage: SessionStage,
  now = new Date(),
  opts: { pendingTotpSecret?: string } = {},
): Promise<{ cookieValue: string; session: Session }> {
  await endSession(q, old.idHash);
  // the 12-hour limit counts from the moment the user was fully signed in
  return startSession(q, old.userId, stage, now, { ...opts, ...(old.stage === 'active' ? { createdAt: new Date(old.createdAt) } : {}) });
}

export async function endSession(q: Queryable, idHash: string): Promise<void> {
  await q.query('DELETE FROM user_sessions WHERE id_hash = $1', [idHash]);
}

/** Removes expired sessions (called from time to time by the server). */
export async function purgeExpiredSessions(q: Queryable, now = new Date()): Promise<number> {
  const rows = await q.query('DELETE FROM user_sessions WHERE expires_at <= $1 RETURNING 1', [now.toISOString()]);
  return rows.length;
}
