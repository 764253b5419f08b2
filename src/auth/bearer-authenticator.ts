// What the bearer-auth plugin needs from an authentication service. The register's AuthService
// (database-backed: client status, legacy tokens, portal sessions) is one; the TTP running apart
// uses JwksAuth, which checks access tokens with the register's public keys only.

import type { Queryable } from '../db/types.js';
import type { BearerResult } from './oauth-service.js';
import type { RateDecision } from './rate-limit.js';

export interface BearerAuthenticator {
  authenticateBearer(token: string): Promise<BearerResult>;
  takeRate(key: string, perMinute: number): RateDecision;
  now(): number;
  /** Portal sessions (cookies) are accepted only where the accounts are: the register's database. */
  readonly sessions?: { db: Queryable; ratePerMinute: number };
}
