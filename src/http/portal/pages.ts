// Server-rendered pages of the portal's sign-in flow. Plain HTML forms: they work without
// JavaScript, and the strict Content-Security-Policy below allows no script at all.

import type { FastifyReply } from 'fastify';

export const PORTAL_CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
h1{color:#01689b;font-size:1.6rem}h2{font-size:1.2rem}code{background:#f3f3f3;padding:0 .25rem}a{color:#01689b}
form{display:grid;gap:.75rem;max-width:22rem}label{display:grid;gap:.25rem;font-weight:600}
input{font:inherit;padding:.4rem .5rem;border:1px solid #767676;border-radius:3px}
button{font:inherit;padding:.5rem 1rem;background:#01689b;color:#fff;border:0;border-radius:3px;cursor:pointer;justify-self:start}
.error{background:#fde8e8;border-left:4px solid #d52b1e;padding:.5rem .75rem}
.note{background:#eef6fb;border-left:4px solid #01689b;padding:.5rem .75rem}
.qr svg{width:14rem;height:14rem}.secret{font-family:monospace;letter-spacing:.1em;word-break:break-all}
header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}header form{display:inline}`;

/** No scripts, no frames, forms post only to us, styles only from our stylesheet. */
export const PORTAL_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function sendPage(reply: FastifyReply, title: string, body: string, status = 200): FastifyReply {
  reply.code(status).type('text/html; charset=utf-8').header('Content-Security-Policy', PORTAL_CSP);
  return reply.send(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Landelijk Implantatenregister</title><link rel="stylesheet" href="/portal/portal.css"></head>
<body>${body}</body></html>`);
}

const error = (message: string | undefined) => (message ? `<p class="error" role="alert">${esc(message)}</p>` : '');
const hidden = (name: string, value: string) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

export function loginPage(opts: { loginToken: string; username?: string; error?: string }): string {
  return `<h1>Inloggen · Sign in</h1>${error(opts.error)}
<form method="post" action="/login">${hidden('_csrf', opts.loginToken)}
<label>Gebruikersnaam · Username <input name="username" autocomplete="username" required maxlength="64" value="${esc(opts.username ?? '')}" autofocus></label>
<label>Wachtwoord · Password <input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
<button type="submit">Inloggen</button></form>`;
}

export function codePage(opts: { csrf: string; error?: string }): string {
  return `<h1>Tweestapsverificatie · Two-factor</h1>${error(opts.error)}
<p>Enter the six-digit code from your authenticator app.</p>
<form method="post" action="/login/code">${hidden('_csrf', opts.csrf)}
<label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required maxlength="7" autofocus></label>
<button type="submit">Bevestigen</button></form>`;
}

export function enrolPage(opts: { csrf: string; secret: string; qrSvg: string; error?: string }): string {
  return `<h1>Authenticator instellen · Set up two-factor</h1>${error(opts.error)}
<p class="note">Your role needs a second factor. Scan this code with an authenticator app (for example one that supports TOTP), then enter the six-digit code it shows.</p>
<div class="qr">${opts.qrSvg}</div>
<p>Cannot scan? Enter this key by hand: <span class="secret" data-testid="totp-secret">${esc(opts.secret)}</span></p>
<form method="post" action="/login/enrol">${hidden('_csrf', opts.csrf)}
<label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required maxlength="7" autofocus></label>
<button type="submit">Bevestigen</button></form>`;
}

const ROLE_NAMES: Record<string, string> = {
  provider: 'zorgaanbieder · care provider',
  inspector: 'inspecteur (IGJ) · inspector',
  'registry-admin': 'beheerder (CIBG) · registry administrator',
  manufacturer: 'fabrikant · manufacturer',
  association: 'beroepsvereniging · professional association',
  'log-manager': 'logbeheerder · log manager',
};

const ROLE_LINKS: Record<string, string[]> = {
  provider: ['<a href="/api/docs">API documentation</a>: deliver records with <code>POST /api/v1/records</code>'],
  inspector: ['<a href="/api/docs">API documentation</a>: who carries a device, <code>POST /api/v1/queries/affected-population</code>'],
  'registry-admin': ['<a href="/api/docs">API documentation</a>: providers, catalogue, delivery statistics'],
  manufacturer: ['Reports about your devices are submitted through the API (vigilance).'],
  association: ['<a href="/api/v1/reports/implantations">Implantations per year</a> (small cells suppressed)'],
  'log-manager': ['<a href="/api/v1/audit-events">The access log</a> (FHIR AuditEvent)', '<a href="/api/v1/audit-verification">Verify the log’s hash chain</a>'],
};

export function homePage(opts: { csrf: string; username: string; role: string; organisation: string | null; twoFactor: boolean }): string {
  const links = (ROLE_LINKS[opts.role] ?? []).map((l) => `<li>${l}</li>`).join('');
  return `<header><h1>Landelijk Implantatenregister</h1>
<form method="post" action="/logout">${hidden('_csrf', opts.csrf)}<button type="submit">Uitloggen · Sign out</button></form></header>
<p data-testid="signed-in">Signed in as <strong>${esc(opts.username)}</strong>, ${esc(ROLE_NAMES[opts.role] ?? opts.role)}${opts.organisation ? ` for ${esc(opts.organisation)}` : ''}.</p>
<p>Two-factor: ${opts.twoFactor ? 'on' : 'off'}.</p>
<ul>${links}</ul>
<p class="note">Every read of register content is written to the access log (NEN 7513).</p>`;
}
