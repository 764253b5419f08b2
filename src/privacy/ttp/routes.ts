// /ttp/v1: the TTP pseudonymisation service over HTTP. Provider clients only (an OAuth access token
// or a provider's legacy token), a TTP-specific rate limit per client, every call audited in the
// TTP's own log. No route here reads or writes the register's records; the database is used only by
// the bearer authentication (clients and providers tables), see docs/ttp.md.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../db/types.js';
import type { BearerAuthenticator } from '../../auth/bearer-authenticator.js';
import { RateLimiter } from '../../auth/rate-limit.js';
import { registerBearerAuth } from '../../http/plugins/auth.js';
import { problem, sendProblem } from '../../http/problem.js';
import { TtpAuditLog, type TtpAction, type TtpAuditEntry } from './audit.js';
import { TtpKeyStore } from './keys.js';
import { MAX_BATCH, TtpService } from './service.js';

export const DEFAULT_TTP_RATE_PER_MINUTE = 60;
/** A batch costs one request per started 100 BSNs (a full batch of 1,000 costs 10). */
export const BSNS_PER_REQUEST_UNIT = 100;

export interface TtpOptions {
  service?: TtpService;
  audit?: TtpAuditLog;
  /** Requests per minute per client (LIR_TTP_RATE_PER_MINUTE, default 60). */
  ratePerMinute?: number;
  now?: () => number;
}

function rateFromEnv(): number {
  const v = process.env.LIR_TTP_RATE_PER_MINUTE;
  return v && /^[1-9][0-9]{0,6}$/.test(v) ? Number(v) : DEFAULT_TTP_RATE_PER_MINUTE;
}

type Pending = Partial<Pick<TtpAuditEntry, 'action' | 'count' | 'outcome' | 'invalid' | 'keyVersion'>>;

const ACTIONS: Record<string, TtpAction> = {
  '/ttp/v1/pseudonyms': 'pseudonym',
  '/ttp/v1/pseudonyms/batch': 'batch',
  '/ttp/v1/pseudonyms/rekey': 'rekey',
};

function outcomeOf(status: number): string {
  if (status < 300) return 'ok';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate-limited';
  if (status === 413) return 'too-large';
  if (status === 422) return 'invalid';
  if (status < 500) return 'refused';
  return 'error';
}

/** Registers /ttp/v1 on `app`: pass the Services, or any BearerAuthenticator (JwksAuth when the TTP runs apart). */
export async function registerTtpRoutes(app: FastifyInstance, source: { auth: BearerAuthenticator } | Queryable, opts: TtpOptions = {}): Promise<void> {
  const service = opts.service ?? new TtpService(new TtpKeyStore());
  const audit = opts.audit ?? new TtpAuditLog();
  const perMinute = opts.ratePerMinute ?? rateFromEnv();
  const limiter = new RateLimiter(opts.now ? { now: opts.now } : {});
  const pending = new WeakMap<FastifyRequest, Pending>();
  const note = (req: FastifyRequest, p: Pending) => pending.set(req, { ...pending.get(req), ...p });

  await app.register(
    async (ttp) => {
      // Audit every call, also those refused by authentication or the rate limit.
      ttp.addHook('onResponse', async (req, reply) => {
        const p = pending.get(req) ?? {};
        const caller = req.caller ?? null;
        const entry: TtpAuditEntry = {
          time: new Date().toISOString(),
          clientId: caller ? caller.subject : null,
          providerKvk: caller && caller.role === 'provider' ? caller.providerKvk : null,
          action: p.action ?? ACTIONS[req.routeOptions.url ?? ''] ?? 'unknown',
          count: p.count ?? 0,
          outcome: p.outcome ?? outcomeOf(reply.statusCode),
          status: reply.statusCode,
          ...(p.invalid !== undefined ? { invalid: p.invalid } : {}),
          ...(p.keyVersion ? { keyVersion: p.keyVersion } : {}),
        };
        try {
          audit.write(entry);
        } catch (err) {
          req.log.error({ code: (err as NodeJS.ErrnoException).code }, 'the TTP audit log could not be written');
        }
      });

      registerBearerAuth(ttp, source);

      ttp.addHook('preHandler', async (req, reply) => {
        if (req.caller.role !== 'provider') {
          return sendProblem(reply.code(403), problem(403, 'FORBIDDEN', `the TTP pseudonymises for care providers only; you are ${req.caller.role}`));
        }
      });

      /** Takes `cost` units of the client's TTP budget, or answers 429. */
      const takeRate = (req: FastifyRequest, reply: FastifyReply, cost: number): boolean => {
        const key = `ttp:${req.caller.subject}`;
        for (let i = 0; i < cost; i++) {
          const d = limiter.take(key, perMinute);
          if (!d.ok) {
            reply.header('Retry-After', String(d.retryAfterSeconds));
            sendProblem(reply.code(429), problem(429, 'RATE_LIMITED', `more than ${perMinute} TTP requests per minute (a batch counts one per started ${BSNS_PER_REQUEST_UNIT} BSNs); try again in ${d.retryAfterSeconds} s`));
            return false;
          }
        }
        return true;
      };

      const bodyObject = (req: FastifyRequest): Record<string, unknown> | undefined =>
        req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : undefined;

      /** The `bsns` array of a batch body, or an answer already sent. */
      const batchOf = (req: FastifyRequest, reply: FastifyReply, action: TtpAction): unknown[] | undefined => {
        const bsns = bodyObject(req)?.bsns;
        if (!Array.isArray(bsns)) {
          sendProblem(reply.code(400), problem(400, 'BAD_REQUEST', 'send { "bsns": [ "…", … ] } with 1 to 1000 BSNs', [{ code: 'REQUIRED', message: 'bsns must be an array of strings', pointer: '/bsns' }]));
          return undefined;
        }
        note(req, { action, count: bsns.length });
        if (bsns.length === 0 || bsns.length > MAX_BATCH) {
          sendProblem(reply.code(413), problem(413, 'BATCH_TOO_LARGE', `a batch holds 1 to ${MAX_BATCH} BSNs; this one holds ${bsns.length}. Split it.`));
          return undefined;
        }
        if (!takeRate(req, reply, Math.ceil(bsns.length / BSNS_PER_REQUEST_UNIT))) return undefined;
        return bsns;
      };

      const bodyLimit = 128 * 1024;

      ttp.post('/pseudonyms', { bodyLimit, schema: { hide: true } }, async (req, reply) => {
        const body = bodyObject(req);
        note(req, { action: 'pseudonym', count: body && 'bsn' in body ? 1 : 0 });
        if (!body || !('bsn' in body)) {
          return sendProblem(reply.code(400), problem(400, 'BAD_REQUEST', 'send { "bsn": "…" }', [{ code: 'REQUIRED', message: 'bsn is required', pointer: '/bsn' }]));
        }
        if (!takeRate(req, reply, 1)) return reply;
        const { results, invalid, keyVersion } = service.pseudonymise([body.bsn]);
        note(req, { invalid, keyVersion });
        const r = results[0]!;
        if ('error' in r) return sendProblem(reply.code(422), problem(422, r.error.code, r.error.message, [{ ...r.error, pointer: '/bsn' }]));
        return { pseudonym: r.pseudonym };
      });

      ttp.post('/pseudonyms/batch', { bodyLimit, schema: { hide: true } }, async (req, reply) => {
        const bsns = batchOf(req, reply, 'batch');
        if (!bsns) return reply;
        const { results, invalid, keyVersion } = service.pseudonymise(bsns);
        note(req, { invalid, keyVersion, outcome: invalid === 0 ? 'ok' : invalid === bsns.length ? 'invalid' : 'partial' });
        return { count: bsns.length, invalid, results };
      });

      ttp.post('/pseudonyms/rekey', { bodyLimit, schema: { hide: true } }, async (req, reply) => {
        const bsns = batchOf(req, reply, 'rekey');
        if (!bsns) return reply;
        const r = service.rekey(bsns);
        if (!r) return sendProblem(reply.code(409), problem(409, 'NO_PREVIOUS_KEY', 'the TTP has only one key version; there is nothing to re-key from'));
        note(req, { invalid: r.invalid, keyVersion: r.to, outcome: r.invalid === 0 ? 'ok' : r.invalid === bsns.length ? 'invalid' : 'partial' });
        return { from: r.from, to: r.to, count: bsns.length, invalid: r.invalid, results: r.results };
      });
    },
    { prefix: '/ttp/v1' },
  );
}
