import type { FastifyInstance } from 'fastify';

// Until the portal issue lands, `/` tells a visitor what runs here and where to go.
const PAGE = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Landelijk Implantatenregister</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{color:#01689b;font-size:1.6rem}code{background:#f3f3f3;padding:0 .25rem}a{color:#01689b}</style></head>
<body><h1>Landelijk Implantatenregister (LIR)</h1>
<p>The national implant register: care providers deliver implant records; the inspectorate finds every patient who carries a device.</p>
<ul>
<li><a href="/api/docs">API documentation</a> (<a href="/api/v1/openapi.json">OpenAPI</a>)</li>
<li>Deliver records: <code>POST /api/v1/records</code> with a provider token</li>
<li>Who carries a device: <code>POST /api/v1/queries/affected-population</code> with an inspector token</li>
<li>Health: <a href="/healthz">/healthz</a></li>
</ul></body></html>`;

export function portalRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
