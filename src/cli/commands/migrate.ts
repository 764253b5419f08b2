import { Command } from 'commander';
import { connect } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { syncImplantTypes } from '../../catalogue/reference-data.js';

export function migrateCommand(): Command {
  return new Command('migrate').description('apply database migrations (embedded database in LIR_DATA_DIR, or DATABASE_URL)').action(async () => {
    const db = await connect();
    try {
      const applied = await migrate(db);
      await syncImplantTypes(db);
      process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await db.close();
    }
  });
}
