// POST /fhir/R4: a Bundle of type transaction (all or nothing) or batch (per record). The channel
// only translates; storing is the one intake pipeline's (src/register/fhir/bundle-deliver.ts).

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../register/services.js';
import { deliverBundle } from '../../register/fhir/bundle-deliver.js';
import { FHIR_JSON, fhirError } from './operation-outcome.js';

export function transactionRoutes(fhir: FastifyInstance, services: Services): void {
  fhir.post('/', { config: { largeBody: true }, schema: { hide: true } }, async (req, reply) => {
    const body = req.body;
    if (body === undefined || body === null) {
      throw fhirError(400, 'required', 'EMPTY_BODY', 'the request body is empty: POST a Bundle of type transaction or batch (application/fhir+json)');
    }
    if (body instanceof Readable) {
      body.resume(); // drain what the client sends
      throw fhirError(415, 'not-supported', 'UNSUPPORTED_MEDIA_TYPE', 'POST one Bundle as application/fhir+json here; NDJSON files of Bundles go to $deliver-bundles');
    }
    const result = await deliverBundle(services, req.caller, body);
    return reply.code(result.status).type(FHIR_JSON).send(result.resource);
  });
}
