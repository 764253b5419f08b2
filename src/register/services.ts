// The composition root shared by the server and the CLI: one database, one intake pipeline.

import { connect, type ConnectOptions } from '../db/connect.js';
import type { Db } from '../db/types.js';
import { loadImplantTypes, openDatabase } from '../catalogue/reference-data.js';
import { Intake } from './intake.js';
import { parseCarrier } from './carrier.js';

export interface Services {
  db: Db;
  intake: Intake;
  implantTypes: Awaited<ReturnType<typeof loadImplantTypes>>;
  close(): Promise<void>;
}

export async function openServices(opts: ConnectOptions & { now?: () => Date } = {}): Promise<Services> {
  const db = await connect(opts);
  return servicesFor(db, opts.now);
}

/** Migrates `db` and builds the services on it. */
export async function servicesFor(db: Db, now?: () => Date): Promise<Services> {
  await openDatabase(db);
  const implantTypes = await loadImplantTypes(db);
  const intake = new Intake(db, { implantTypes, parseCarrier, ...(now ? { now } : {}) });
  return { db, intake, implantTypes, close: () => db.close() };
}
