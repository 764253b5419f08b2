// Cookies of the portal. `__Host-` names (RFC 6265bis §4.1.3.2) bind a cookie to this host and path
// `/`, Secure and without Domain, so a sibling subdomain cannot set or shadow it. Browsers treat
// http://localhost as secure, so this works in development too; production runs behind TLS.

import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = '__Host-lir-session';
/** Double-submit token of the sign-in form (login CSRF: no session exists yet to hold a token). */
export const LOGIN_COOKIE = '__Host-lir-login';

/** The cookies of a request; malformed pairs are skipped, the first of duplicate names wins. */
export function readCookies(req: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (!out.has(name) && /^[A-Za-z0-9_-]{1,256}$/.test(value)) out.set(name, value);
  }
  return out;
}

/** Sets a session-scoped (or `maxAgeSeconds`) cookie: HttpOnly, Secure, SameSite=Strict, Path=/. */
export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  const attrs = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict'];
  if (maxAgeSeconds !== undefined) attrs.push(`Max-Age=${maxAgeSeconds}`);
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  reply.header('set-cookie', [...list, attrs.join('; ')]);
}

export function clearCookie(reply: FastifyReply, name: string): void {
  setCookie(reply, name, '', 0);
}

/**
 * Whether a state-changing browser request comes from our own pages. Current browsers send
 * Sec-Fetch-Site, which is decisive when present; otherwise an Origin header must name this host
 * (`null`, sent from sandboxed or privacy-restricted contexts, is refused). Requests with neither
 * (curl, old browsers) still need the CSRF token, which a cross-site page cannot read.
 */
export function isSameOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  const withoutDefaultPort = (host: string) => host.toLowerCase().replace(/:(80|443)$/, '');
  try {
    return withoutDefaultPort(new URL(origin).host) === withoutDefaultPort(req.headers.host ?? '');
  } catch {
    return false;
  }
}

/** Constant-time comparison of two tokens; false when either is missing. */
export const tokensEqual = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
