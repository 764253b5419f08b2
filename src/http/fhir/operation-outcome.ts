// Errors and warnings of the FHIR channel as OperationOutcome issues: FHIR severity and issue type,
// our own error code in `details.coding` (the same codes as the receipt and the REST API), a
// message a person can act on in `diagnostics`, and where in the request in `expression`
// (FHIRPath from the Bundle root: `Bundle.entry[3].resource.timingPeriod.start`).

import type { FastifyReply } from 'fastify';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Issue } from '../../domain/record.js';
import { LIR_FHIR_BASE } from './model.js';

/** The CodeSystem of our error and warning codes (`REQUIRED`, `LATE_DELIVERY`, …; docs/data-model.md §5). */
export const ISSUE_CODE_SYSTEM = `${LIR_FHIR_BASE}/CodeSystem/issue-code`;

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const FHIR_NDJSON = 'application/fhir+ndjson; charset=utf-8';

export type IssueType = OperationOutcomeIssue['code'];
export type IssueSeverity = OperationOutcomeIssue['severity'];

/** One issue, before it is written as an OperationOutcome.issue. */
export interface FhirIssue {
  severity: IssueSeverity;
  /** FHIR issue type (http://hl7.org/fhir/issue-type). */
  code: IssueType;
  /** Our error code. */
  errorCode: string;
  diagnostics: string;
  expression?: string[];
}

/** An error a FHIR route throws; the plugin's error handler answers it as an OperationOutcome. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: FhirIssue[],
  ) {
    super(issues[0]?.diagnostics ?? `HTTP ${status}`);
  }
}

export function fhirError(status: number, code: IssueType, errorCode: string, diagnostics: string, expression?: string): FhirError {
  return new FhirError(status, [{ severity: 'error', code, errorCode, diagnostics, ...(expression ? { expression: [expression] } : {}) }]);
}

export function issueOf(i: FhirIssue): OperationOutcomeIssue {
  return {
    severity: i.severity,
    code: i.code,
    details: { coding: [{ system: ISSUE_CODE_SYSTEM, code: i.errorCode }] },
    diagnostics: i.diagnostics,
    ...(i.expression && i.expression.length > 0 ? { expression: i.expression } : {}),
  };
}

const SEVERITY_ORDER: Record<IssueSeverity, number> = { fatal: 0, error: 1, warning: 2, information: 3 };

/** An OperationOutcome of the issues, most severe first (stable otherwise); never empty. */
export function operationOutcome(issues: readonly FhirIssue[]): OperationOutcome {
  const list = issues.length > 0 ? [...issues] : [{ severity: 'information' as const, code: 'informational' as const, errorCode: 'OK', diagnostics: 'all OK' }];
  list.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return { resourceType: 'OperationOutcome', issue: list.map(issueOf) };
}

export function sendOutcome(reply: FastifyReply, status: number, issues: readonly FhirIssue[]): FastifyReply {
  return reply.code(status).type(FHIR_JSON).send(operationOutcome(issues));
}

/** Removes repeated issues (same severity, code, message and place), keeping the first. */
export function dedupeIssues(issues: readonly FhirIssue[]): FhirIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.severity}\u0000${i.errorCode}\u0000${i.diagnostics}\u0000${(i.expression ?? []).join('|')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** FHIR issue type of an intake / validation code (docs/data-model.md §5). */
const ISSUE_TYPES: Record<string, IssueType> = {
  REQUIRED: 'required',
  INVALID_TYPE: 'value',
  INVALID_FORMAT: 'value',
  INVALID_DATE: 'value',
  TOO_LONG: 'value',
  OUT_OF_RANGE: 'value',
  UNKNOWN_CODE: 'value',
  UDI_MISMATCH: 'value',
  UNKNOWN_FIELD: 'structure',
  FUTURE_DATE: 'business-rule',
  DATE_ORDER: 'business-rule',
  NOT_ALLOWED: 'business-rule',
  LOOKS_LIKE_BSN: 'security',
  FOREIGN_PROVIDER: 'security',
  UNKNOWN_PROVIDER: 'not-found',
  NOT_FOUND: 'not-found',
  // warnings
  UNRESOLVED_UDI_DI: 'not-found',
  CLOSES_UNKNOWN: 'not-found',
  IMPLANT_TYPE_MISMATCH: 'business-rule',
  PLACEMENT_FIELD_NOT_IUD: 'business-rule',
  EXPIRED_AT_IMPLANT: 'business-rule',
  LATE_DELIVERY: 'business-rule',
  CERTIFICATE_SUSPENDED: 'business-rule',
  CERTIFICATE_WITHDRAWN: 'business-rule',
  DEVICE_RECALLED: 'business-rule',
  LOT_RECALLED: 'business-rule',
  SERIAL_RECALLED: 'business-rule',
  CANNOT_LINK: 'informational',
};

export function issueTypeOf(code: string, severity: Issue['severity']): IssueType {
  const known = ISSUE_TYPES[code];
  if (known) return known;
  // UDI parser codes (GS1_*, HIBC_*, ISBT_*, UDI_*) are all about the value of the carrier
  if (/^(GS1|HIBC|ISBT|UDI)_/.test(code)) return 'value';
  return severity === 'error' ? 'invalid' : 'informational';
}

/** A receipt issue (intake or record validation) at the given place in the Bundle. */
export function fromIntakeIssue(issue: Issue, expression: string | undefined): FhirIssue {
  return {
    severity: issue.severity,
    code: issueTypeOf(issue.code, issue.severity),
    errorCode: issue.code,
    diagnostics: issue.message,
    ...(expression ? { expression: [expression] } : {}),
  };
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** The status of a Bundle response entry: `201 Created`. */
export function statusLine(status: number): string {
  return `${status}${REASONS[status] ? ' ' + REASONS[status] : ''}`;
}
