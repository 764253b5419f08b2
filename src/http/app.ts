// The Fastify application: /api/v1 (REST), the API docs, and the portal's landing page.
// Built from services so tests boot the real app on a real database with inject().

import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Services } from '../register/services.js';
import { registerJsonParser } from './plugins/json-depth.js';
import { registerErrorHandlers } from './plugins/errors.js';
import { registerBearerAuth } from './plugins/auth.js';
import { recordRoutes } from './api/records.js';
import { queryRoutes } from './api/queries.js';
import { auditRoutes } from './api/audit.js';
import { reportRoutes } from './api/reports.js';
import { safetyRoutes } from './api/safety.js';
import { referenceRoutes } from './api/reference.js';
import { udiRoutes } from './api/udi.js';
import { catalogueRoutes } from './api/catalogue.js';
import { portalRoutes } from './portal/landing.js';
import { loginRoutes } from './portal/login-routes.js';
import { registerHardening } from './plugins/hardening.js';
import { loggerOptions } from './plugins/request-log.js';
import { registerFhirRoutes } from './fhir/plugin.js';
import { fhirReadRoutes } from './fhir/read-routes.js';
import { oauthRoutes } from './oauth.js';
import { registerTtpRoutes } from '../privacy/ttp/routes.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Body limit of delivery routes (records, FHIR Bundles); every other route has SMALL_BODY_LIMIT. */
  bodyLimit?: number;
  /** Requests per minute from one network address, over all routes. */
  addressRatePerMinute?: number;
  /** Behind a reverse proxy: whose X-Forwarded-For to trust (Fastify's trustProxy), from LIR_TRUST_PROXY. */
  trustProxy?: FastifyServerOptions['trustProxy'];
}

function trustProxyFromEnv(): FastifyServerOptions['trustProxy'] {
  const v = process.env.LIR_TRUST_PROXY;
  if (!v) return false;
  if (v === 'true') return true;
  // a number of hops, or addresses/CIDRs separated by commas
  if (/^[0-9]+$/.test(v)) return Number(v) as unknown as FastifyServerOptions['trustProxy'];
  return v.split(',').map((s) => s.trim());
}

export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(opts.logger ?? false),
    bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024,
    trustProxy: opts.trustProxy ?? trustProxyFromEnv(),
    // Validation is ours (coded errors with JSON pointers); schemas document the contract.
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => () => true);
  registerJsonParser(app);
  registerErrorHandlers(app);
  registerHardening(app, services.auth, opts.addressRatePerMinute !== undefined ? { addressRatePerMinute: opts.addressRatePerMinute } : {});

  await app.register(swagger, {
    openapi: {
      info: { title: 'LIR register API', version: '1', description: 'Landelijk Implantatenregister: delivery of implant records, receipts, and the inspectorate’s queries.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await services.db.query('SELECT 1');
    return { status: 'ok', database: services.db.kind };
  });

  await app.register(
    async (api) => {
      registerBearerAuth(api, services);
      recordRoutes(api, services);
      queryRoutes(api, services);
      safetyRoutes(api, services);
      referenceRoutes(api, services);
      udiRoutes(api, services);
      catalogueRoutes(api, services);
      auditRoutes(api, services);
      reportRoutes(api, services);
    },
    { prefix: '/api/v1' },
  );
  await oauthRoutes(app, services);
  await registerTtpRoutes(app, services);
  await registerFhirRoutes(app, services, [fhirReadRoutes]);
  portalRoutes(app);
  await loginRoutes(app, services);
  return app;
}
