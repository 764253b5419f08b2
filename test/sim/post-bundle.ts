// Posts simulated FHIR Bundles to POST /fhir/R4 as the provider that sent them, with one token per
// provider (created on first use), as the simulation tests of both Bundle sizes do.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/db/types.js';
import { createToken } from '../../src/auth/tokens.js';
import { findProviderByKvk } from '../../src/catalogue/reference-data.js';

export function bundlePoster(app: FastifyInstance, db: Db): (kvk: string, bundle: unknown) => Promise<LightMyRequestResponse> {
  const tokens = new Map<string, string>();
  return async (kvk, bundle) => {
    if (!tokens.has(kvk)) {
      const p = await findProviderByKvk(db, kvk);
      tokens.set(kvk, (await createToken(db, { role: 'provider', providerId: p!.id, label: 'sim' })).token);
    }
    return app.inject({
      method: 'POST',
      url: '/fhir/R4',
      headers: { authorization: `Bearer ${tokens.get(kvk)}`, 'content-type': 'application/fhir+json' },
      payload: JSON.stringify(bundle),
    });
  };
}
