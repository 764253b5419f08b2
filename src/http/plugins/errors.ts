import type { FastifyError, FastifyInstance } from 'fastify';
import { AccessDenied } from '../../auth/caller.js';
import { InvalidCursor } from '../../register/records-repository.js';
import { HttpProblem, problem, sendProblem } from '../problem.js';

/** Maps every error to problem+json; a 5xx never reveals internals. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpProblem) return sendProblem(reply, problem(err.status, err.code, err.message, err.errors, err.extra));
    if (err instanceof AccessDenied) return sendProblem(reply, problem(403, err.code, err.message));
    if (err instanceof InvalidCursor) return sendProblem(reply, problem(400, err.code, err.message, [{ code: err.code, message: err.message, pointer: 'cursor' }]));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, problem(413, 'BODY_TOO_LARGE', `the body is larger than the limit of ${req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes; split the delivery or use the file import`));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return sendProblem(reply, problem(400, 'EMPTY_BODY', 'the request body is empty'));
    if (err.statusCode === 429) return sendProblem(reply, problem(429, 'RATE_LIMITED', err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendProblem(reply, problem(err.statusCode, err.code ?? 'BAD_REQUEST', err.message));
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, problem(500, 'INTERNAL', 'the register could not complete this request; nothing was changed by it. Try again or contact the CIBG service desk.'));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}
