import { Command } from 'commander';
import { OPERATOR } from '../../auth/caller.js';
import { listAudit, verifyAuditChain, type AuditFilter } from '../../privacy/audit-log.js';
import { openServices } from '../../register/services.js';
import { CliError } from '../cli-error.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('the NEN 7513 access log: verify the hash chain, read entries (docs/audit.md)');
  audit
    .command('verify')
    .description('recompute the hash chain; exit 0 when intact, 1 naming the first altered, removed or reordered entry')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const services = await openServices();
      try {
        const report = await verifyAuditChain(services.db);
        if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        if (!report.ok) {
          if (o.json) process.exitCode = 1;
          else throw new CliError(`audit log broken: ${report.message}`, 1);
          return;
        }
        if (!o.json) process.stdout.write(`audit log intact: ${report.entries} entries, last seq ${report.lastSeq ?? '-'}, head hash ${report.lastHash}\n`);
      } finally {
        await services.close();
      }
    });
  audit
    .command('list')
    .description("the log manager's read of the log, oldest first (this read is itself logged)")
    .option('--from <instant>', 'recorded at or after (ISO date or instant)')
    .option('--to <instant>', 'recorded at or before (ISO date or instant)')
    .option('--user <id>', 'user id (caller subject)')
    .option('--object <id>', 'object id (record or delivery id)')
    .option('--limit <n>', 'at most this many entries (default 1000)')
    .option('--json', 'print JSON')
    .action(async (o: { from?: string; to?: string; user?: string; object?: string; limit?: string; json?: boolean }) => {
      for (const k of ['from', 'to'] as const) if (o[k] !== undefined && Number.isNaN(Date.parse(o[k]!))) throw new CliError(`--${k} must be an ISO date or instant`);
      const limit = o.limit === undefined ? undefined : Number(o.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new CliError('--limit must be a positive integer');
      const filter: AuditFilter = {
        ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.user ? { user: o.user } : {}),
        ...(o.object ? { object: o.object } : {}), ...(limit ? { limit } : {}),
      };
      const services = await openServices();
      try {
        const entries = await listAudit(services.db, OPERATOR, filter);
        if (o.json) {
          process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
          return;
        }
        const out = entries.map((e) =>
          [String(e.seq).padStart(8), e.recordedAt, e.action, e.eventCode.padEnd(20), `${e.role}:${e.userId}`, e.organisation ?? '-', `${e.objectType}${e.objectId ? `/${e.objectId}` : ''}`, e.query ? JSON.stringify(e.query) : '', e.resultCount ?? ''].join('  '),
        );
        process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
      } finally {
        await services.close();
      }
    });
  return audit;
}
