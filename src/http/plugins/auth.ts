import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../../auth/tokens.js';
import type { Caller } from '../../auth/caller.js';
import type { Queryable } from '../../db/types.js';
import { HttpProblem } from '../problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

/** Every route under the prefix needs a bearer token; the caller travels with the request. */
export function registerBearerAuth(app: FastifyInstance, db: Queryable): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const caller = m ? await authenticate(db, m[1]!) : undefined;
    if (!caller) {
      reply.header('WWW-Authenticate', 'Bearer realm="lir"');
      throw new HttpProblem(401, 'UNAUTHORIZED', m ? 'the bearer token is unknown or revoked' : 'send Authorization: Bearer <token>');
    }
    req.caller = caller;
  });
}
