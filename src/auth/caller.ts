// Who is asking. Every repository and query takes a Caller and applies the access policy itself,
// so a route cannot forget it (DESIGN §4).

export type Caller = (
  | { role: 'provider'; subject: string; providerId: string; providerKvk: string }
  | { role: 'inspector'; subject: string }
  | { role: 'registry-admin'; subject: string }
  /** Submits reports about its own devices; no access to register content. */
  | { role: 'manufacturer'; subject: string; organisation: string }
  /** A professional association (NVOG, NHG, KNOV): suppressed aggregates only. */
  | { role: 'association'; subject: string; organisation: string }
  /** Reads and verifies the audit log (NEN 7513), nothing else. */
  | { role: 'log-manager'; subject: string }
  /** The operator at the command line (`lir import`, `lir query`): acts for any registered provider. */
  | { role: 'operator'; subject: string }
) &
  CallerContext;

/** Optional request context written to the audit log (NEN 7513 7.3: access point; purpose). */
export interface CallerContext {
  /** The client's network address (HTTP: the request's IP). */
  sourceAddress?: string;
  /** Why the data is read, when the caller says so. */
  purpose?: string;
  /** The responsible user on whose behalf the caller acts, when known. */
  onBehalfOf?: string;
}

export type Role = Caller['role'];

export class AccessDenied extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
  }
}

export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (!roles.includes(caller.role)) throw new AccessDenied(`this needs the role ${roles.join(' or ')}; you are ${caller.role}`);
}

export const OPERATOR: Caller = { role: 'operator', subject: 'cli' };
