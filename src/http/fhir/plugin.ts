// The FHIR R4 endpoint at /fhir/R4: content types (application/fhir+json and application/json for
// one resource, application/fhir+ndjson streamed for $deliver-bundles), every error and unknown
// route answered as an OperationOutcome, bearer authentication for everything but the
// CapabilityStatement, and the routes: metadata, transaction/batch, $deliver-bundles, plus the
// routes other modules add (read, search) through `extraRoutes`.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessDenied } from '../../auth/caller.js';
import type { Services } from '../../register/services.js';
import { registerBearerAuth, type AuthFailure } from '../plugins/auth.js';
import { HttpProblem } from '../problem.js';
import { bulkRoutes, NDJSON_CONTENT_TYPES } from './bulk.js';
import { capabilityStatement, FHIR_PATH } from './capability-statement.js';
import { FHIR_JSON, FhirError, sendOutcome, type IssueType } from './operation-outcome.js';
import { transactionRoutes } from './transaction.js';

/**
 * Registers more routes on the FHIR endpoint. `fhir` is the authenticated context under /fhir/R4
 * (route paths relative to it: `fhir.get('/Device/:id', …)`), with `req.caller` set, the
 * OperationOutcome error handler in force (throw FhirError, or HttpProblem / AccessDenied, which are
 * translated), and the FHIR JSON parsers. Answer with `reply.type(FHIR_JSON)`.
 */
export type FhirRoutes = (fhir: FastifyInstance, services: Services) => void | Promise<void>;

export interface FhirPluginOptions {
  /** Longest line of a $deliver-bundles body (default: the app's body limit). */
  maxLineChars?: number;
}

export async function registerFhirRoutes(app: FastifyInstance, services: Services, extraRoutes: readonly FhirRoutes[] = [], opts: FhirPluginOptions = {}): Promise<void> {
  const bodyLimit = app.initialConfig.bodyLimit ?? 16 * 1024 * 1024;
  await app.register(
    async (fhir) => {
      // NDJSON bodies are passed on as the raw stream: $deliver-bundles reads them line by line
      fhir.addContentTypeParser(NDJSON_CONTENT_TYPES, (_req, payload, done) => done(null, payload));
      fhir.setErrorHandler((err: FastifyError, req, reply) => fhirErrorHandler(err, req, reply, bodyLimit));
      fhir.setNotFoundHandler((req, reply) =>
        sendOutcome(reply, 404, [{ severity: 'error', code: 'not-supported', errorCode: 'NOT_FOUND', diagnostics: `no FHIR interaction ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}; GET ${FHIR_PATH}/metadata lists what is supported` }]),
      );

      // public: the CapabilityStatement
      fhir.get('/metadata', { schema: { hide: true } }, async (req, reply) => {
        const base = new URL(FHIR_PATH, `${req.protocol}://${req.host}`).toString();
        return reply.type(FHIR_JSON).send(capabilityStatement(base));
      });

      await fhir.register(async (secured) => {
        registerBearerAuth(secured, services, { render: renderAuthFailure });
        transactionRoutes(secured, services);
        bulkRoutes(secured, services, { maxLineChars: opts.maxLineChars ?? bodyLimit });
        for (const routes of extraRoutes) await routes(secured, services);
      });
    },
    { prefix: FHIR_PATH },
  );
}

/** Bearer authentication failures (401, 403 insufficient scope, 429) as an OperationOutcome. */
function renderAuthFailure(failure: AuthFailure, _req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendOutcome(reply, failure.status, [{ severity: 'error', code: issueTypeForStatus(failure.status, failure.code), errorCode: failure.code, diagnostics: failure.message }]);
}

function issueTypeForStatus(status: number, code: string): IssueType {
  if (code === 'INVALID_JSON' || code === 'TOO_DEEP') return 'structure';
  switch (status) {
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 413:
      return 'too-long';
    case 415:
      return 'not-supported';
    case 429:
      return 'throttled';
    default:
      return status >= 500 ? 'exception' : 'invalid';
  }
}

/** Every error under /fhir/R4 as an OperationOutcome; a 5xx never reveals internals. */
function fhirErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply, bodyLimit: number): FastifyReply {
  const one = (status: number, errorCode: string, diagnostics: string) =>
    sendOutcome(reply, status, [{ severity: 'error', code: issueTypeForStatus(status, errorCode), errorCode, diagnostics }]);
  if (err instanceof FhirError) return sendOutcome(reply, err.status, err.issues);
  if (err instanceof HttpProblem) return one(err.status, err.code, err.message);
  if (err instanceof AccessDenied) return one(403, err.code, err.message);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return one(413, 'BODY_TOO_LARGE', `the body is larger than the limit of ${req.routeOptions.bodyLimit ?? bodyLimit} bytes; split the Bundle, or send many Bundles as NDJSON to $deliver-bundles`);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return one(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/fhir+json (or application/json); NDJSON files of Bundles as application/fhir+ndjson to $deliver-bundles');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return one(400, 'EMPTY_BODY', 'the request body is empty');
  if (err.statusCode === 429) return one(429, 'RATE_LIMITED', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return one(err.statusCode, err.code ?? 'BAD_REQUEST', err.message);
  req.log.error({ err }, 'unhandled error');
  return one(500, 'INTERNAL', 'the register could not complete this request; nothing was changed by it. Try again or contact the CIBG service desk.');
}
