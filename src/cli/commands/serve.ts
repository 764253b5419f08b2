import { Command } from 'commander';
import { openServices } from '../../register/services.js';
import { buildApp } from '../../http/app.js';
import { DEMO_PASSWORD, DEMO_PROVIDERS, DEMO_TOKENS, DEMO_USERS, loadDemoData } from '../../sim/demo.js';
import { CliError } from '../cli-error.js';
import { serveTtpOnly } from '../../privacy/ttp/standalone.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the register (API, docs, portal) on PORT (default 8080); embedded database in LIR_DATA_DIR (default ./data) unless DATABASE_URL is set')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--demo', 'load a small synthetic data set on first start')
    .option('--only <component>', 'start one component alone: ttp (the pseudonymisation service, /ttp/v1)')
    .action(async (o: { port?: string; host: string; demo?: boolean; only?: string }) => {
      const port = Number(o.port ?? process.env.PORT ?? 8080);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`port must be a number from 0 to 65535, not ${o.port ?? process.env.PORT}`);
      if (o.only !== undefined && o.only !== 'ttp') throw new CliError(`--only takes ttp, not ${o.only}`);
      if (o.only === 'ttp') return serveTtpOnly({ port, host: o.host });
      const rates = ratesFromEnv();
      const services = await openServices(rates.legacyTokenRatePerMinute !== undefined ? { auth: { legacyTokenRatePerMinute: rates.legacyTokenRatePerMinute } } : {});
      if (o.demo) {
        const [{ n }] = (await services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM providers')) as [{ n: number }];
        if (n === 0) {
          process.stderr.write('loading demo data (first start)…\n');
          const { records } = await loadDemoData(services);
          process.stderr.write(`demo data: ${records} records from ${DEMO_PROVIDERS.length} providers\n`);
        }
        process.stderr.write(
          `demo tokens (demo only, never in production):\n  inspector: ${DEMO_TOKENS.inspector}\n` +
            DEMO_PROVIDERS.map((p) => `  ${p.name}: ${DEMO_TOKENS.provider(p.kvk)}\n`).join('') +
            `demo portal accounts at /login, password ${DEMO_PASSWORD} (inspector, administrator and log manager set up an authenticator app at first sign-in):\n` +
            DEMO_USERS.map((u) => `  ${u.username} (${u.role})\n`).join(''),
        );
      }
      const app = await buildApp(services, {
        logger: { level: process.env.LOG_LEVEL ?? 'info' },
        ...(rates.addressRatePerMinute !== undefined ? { addressRatePerMinute: rates.addressRatePerMinute } : {}),
      });
      const shutdown = async () => {
        await app.close();
        await services.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      await app.listen({ port, host: o.host });
      const address = app.server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      process.stderr.write(`LIR register on http://${o.host}:${actual}/ (database: ${services.db.kind})\n`);
    });
}

/**
 * Rate limits an operator may raise (a load test, a proxy that already limits): requests per minute
 * per network address (LIR_ADDRESS_RATE_PER_MINUTE, default 3,000) and per legacy token or portal
 * session (LIR_TOKEN_RATE_PER_MINUTE, default 600). OAuth clients carry their own rate.
 */
function ratesFromEnv(): { addressRatePerMinute?: number; legacyTokenRatePerMinute?: number } {
  const read = (name: string): number | undefined => {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^[0-9]{1,9}$/.test(v) || Number(v) < 1) throw new CliError(`${name} must be a whole number of requests per minute, not ${v}`);
    return Number(v);
  };
  const addressRatePerMinute = read('LIR_ADDRESS_RATE_PER_MINUTE');
  const legacyTokenRatePerMinute = read('LIR_TOKEN_RATE_PER_MINUTE');
  return { ...(addressRatePerMinute !== undefined ? { addressRatePerMinute } : {}), ...(legacyTokenRatePerMinute !== undefined ? { legacyTokenRatePerMinute } : {}) };
}
