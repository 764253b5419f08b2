// What the request log may say about a request: method, path (with every segment that is not a
// route word, a version or a register id replaced by …), the names (never the values) of its query
// parameters, and the client address. A caller can put anything into a URL — a BSN as an id, a
// name as a search term, a secret by mistake; headers carry tokens and cookies. None is logged.

import type { FastifyServerOptions } from 'fastify';

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const safeSegment = (seg: string): boolean => seg === '' || /^[A-Za-z$_.-]{1,40}$/.test(seg) || /^(v[0-9]{1,2}|R4)$/.test(seg) || UUID.test(seg) || /^%24[a-z-]{1,40}$/.test(seg);

export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).split('/').map((seg) => (safeSegment(seg) ? seg : '…')).join('/');
  if (q < 0) return path;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()].map((k) => (/^[A-Za-z_:.$-]{1,40}$/.test(k) ? k : '…'));
  return `${path}?${[...new Set(names)].map((k) => `${k}=…`).join('&')}`;
}

/** The app's logger options: the caller's, with our request serializer and header redaction. */
export function loggerOptions(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return {
    ...base,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      ...((base.serializers as Record<string, unknown>) ?? {}),
      req: (req: LoggedRequest) => ({ method: req.method, url: safeUrl(req.url), remoteAddress: req.ip }),
    },
  } as FastifyServerOptions['logger'];
}
