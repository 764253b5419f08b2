// Every route an app serves, as "METHOD /path", read from Fastify's route tree (printRoutes).
// HEAD routes that Fastify adds for each GET are left out; everything else counts.
// The radix-tree form (the default, commonPrefix: true) is used: with commonPrefix: false Fastify 5
// prints wildcard routes without their static prefix and merges them. printRoutes is a display
// format, so callers should confirm each result with app.hasRoute (the matrix test does): a misread
// route then fails loudly instead of slipping through.

import type { FastifyInstance } from 'fastify';

export function listRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes();
  const stack: string[] = [];
  const out = new Set<string>();
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)(?:[├└]── )?(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line.replace(/\s+$/, ''));
    if (!m || !m[2]) continue;
    const depth = Math.floor(m[1]!.length / 4) + (line.includes('── ') ? 1 : 0);
    stack.length = depth;
    stack[depth] = m[2];
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method !== 'HEAD') out.add(`${method} ${path}`);
    }
  }
  return [...out].sort();
}
