// Shared by the FHIR write tests (write-*.test.ts): the fixture Bundles, a register with an app and
// provider tokens, and a POST that checks every answer against the official R4 definitions.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createToken } from '../../src/auth/tokens.js';
import { testRegister, type TestRegister } from '../helpers/register.js';
import type { TestDatabase } from '../helpers/databases.js';
import { validateFhir } from '../helpers/fhir-validate.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/fhir/', import.meta.url));

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fresh copy of a fixture Bundle (tests change them freely). */
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as Json;
}

export interface WriteContext {
  reg: TestRegister;
  app: FastifyInstance;
  tokens: { hospital: string; midwife: string; inspector: string };
  close(): Promise<void>;
}

export async function writeContext(database: TestDatabase): Promise<WriteContext> {
  const reg = await testRegister(database);
  const app = await buildApp(reg.services);
  const tokens = {
    hospital: (await createToken(reg.db, { role: 'provider', providerId: reg.hospital.id, label: 'fhir' })).token,
    midwife: (await createToken(reg.db, { role: 'provider', providerId: reg.midwife.id, label: 'fhir' })).token,
    inspector: (await createToken(reg.db, { role: 'inspector', label: 'fhir' })).token,
  };
  const ctx: WriteContext = {
    reg,
    app,
    tokens,
    close: async () => {
      await ctx.app.close();
      await reg.close();
    },
  };
  return ctx;
}

/** The answer's body, after checking that it is FHIR JSON and valid R4. */
export function fhirBody(res: LightMyRequestResponse): Json {
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const body = res.json() as Json;
  validateFhir(body);
  return body;
}

export async function post(ctx: WriteContext, bundle: unknown, token: string = ctx.tokens.hospital): Promise<{ status: number; body: Json }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/fhir/R4',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    payload: JSON.stringify(bundle),
  });
  return { status: res.statusCode, body: fhirBody(res) };
}

/** The stored record (REST view) behind a `DeviceUseStatement/<id>/_history/<v>` location. */
export async function recordAt(ctx: WriteContext, location: string, token: string = ctx.tokens.hospital): Promise<Json> {
  const id = /^DeviceUseStatement\/([0-9a-f-]{36})\/_history\/\d+$/.exec(location)?.[1];
  expect(id, `location ${location}`).toBeDefined();
  const res = await ctx.app.inject({ url: `/api/v1/records/${id}`, headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return res.json() as Json;
}

export async function historyOf(ctx: WriteContext, recordId: string, token: string = ctx.tokens.hospital): Promise<number[]> {
  const res = await ctx.app.inject({ url: `/api/v1/records/${recordId}/history`, headers: { authorization: `Bearer ${token}` } });
  return (res.json() as Json).versions.map((v: { version: number }) => v.version);
}

/** Every record reference the provider has in the register. */
export async function storedRefs(ctx: WriteContext, token: string): Promise<string[]> {
  const res = await ctx.app.inject({ url: '/api/v1/records?limit=1000', headers: { authorization: `Bearer ${token}` } });
  return (res.json() as Json).items.map((r: { providerRecordRef: string }) => r.providerRecordRef);
}

export interface IssueView {
  severity: string;
  code: string;
  errorCode: string;
  expression: string | undefined;
  diagnostics: string;
}

/** The issues of an OperationOutcome, flattened for assertions. */
export function issues(outcome: Json | undefined): IssueView[] {
  return ((outcome?.issue ?? []) as Json[]).map((i) => ({
    severity: i.severity,
    code: i.code,
    errorCode: i.details?.coding?.[0]?.code,
    expression: i.expression?.[0],
    diagnostics: i.diagnostics,
  }));
}

export const statuses = (bundle: Json): string[] => (bundle.entry as Json[]).map((e) => e.response.status);

/** Entry index of the first entry of a resource type. */
export const entryOf = (bundle: Json, type: string, nth = 0): number =>
  (bundle.entry as Json[]).map((e, i) => [e.resource?.resourceType, i] as const).filter(([t]) => t === type)[nth]![1];
