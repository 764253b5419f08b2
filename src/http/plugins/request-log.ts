// What the request log may say about a request: method, path, the names (never the values) of its
// query parameters, and the client address. Query values can carry search terms, references or a
// secret put in the URL by mistake; headers carry tokens and cookies. Neither is logged.

import type { FastifyServerOptions } from 'fastify';

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()].map((k) => (/^[A-Za-z_:.$-]{1,40}$/.test(k) ? k : '…'));
  return `${url.slice(0, q)}?${[...new Set(names)].map((k) => `${k}=…`).join('&')}`;
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
