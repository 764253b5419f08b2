// The composition root shared by the server and the CLI: one database, one intake pipeline.

import { connect, type ConnectOptions } from '../db/connect.js';
import type { Db } from '../db/types.js';
import { loadImplantTypes, openDatabase } from '../catalogue/reference-data.js';
import { AuthService, registerAuthService, type AuthOptions } from '../auth/oauth-service.js';
import { Intake } from './intake.js';
import { parseCarrier } from './carrier.js';

export interface Services {
  db: Db;
  intake: Intake;
  implantTypes: Awaited<ReturnType<typeof loadImplantTypes>>;
  /** Bearer authentication, OAuth token issuing (signing key, loaded on first use) and rate limits. */
  auth: AuthService;
  close(): Promise<void>;
}

export async function openServices(opts: ConnectOptions & { now?: () => Date; auth?: AuthOptions } = {}): Promise<Services> {
  const db = await connect(opts);
  return servicesFor(db, opts.now, opts.auth ? { auth: opts.auth } : {});
}

/** Migrates `db` and builds the services on it. */
export async function servicesFor(db: Db, now?: () => Date, opts: { auth?: AuthOptions } = {}): Promise<Services> {
  await openDatabase(db);
  const implantTypes = await loadImplantTypes(db);
  const intake = new Intake(db, { implantTypes, parseCarrier, ...(now ? { now } : {}) });
  const auth = new AuthService(db, opts.auth);
  registerAuthService(db, auth);
  return { db, intake, implantTypes, auth, close: () => db.close() };
}
