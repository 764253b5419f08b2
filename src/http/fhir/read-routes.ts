// FHIR R4 read, vread, history and search of the caller's own register records, under /fhir/R4.
// The repository applies the access policy (a provider reads only its own records; another
// provider's id is simply not found). Every answer is FHIR JSON; every error an OperationOutcome.
//
//   GET {type}/{id}                      read            (type: DeviceUseStatement, Device, Procedure)
//   GET {type}/{id}/_history             history         (Bundle type history, newest first)
//   GET {type}/{id}/_history/{vid}       vread
//   GET {type}?…                         search          (Bundle type searchset, keyset paging)
//   GET Patient/{id}                     the pseudonymised patient of the caller's records

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { AccessDenied } from '../../auth/caller.js';
import type { Services } from '../../register/services.js';
import { InvalidCursor, RecordsRepository, type RecordSearch, type RecordView } from '../../register/records-repository.js';
import { patientResource, RECORD_RESOURCE_TYPES, resourceOf, versionViews, type RecordResourceType } from '../../register/fhir/record-to-resources.js';
import { isLenient, parseSearch, SearchError, type SearchableType } from './search-params.js';
import { FHIR_JSON, operationOutcome, sendOutcome } from './operation-outcome.js';

/** Filters that limit a search to records that are served as the given type. */
const TYPE_FILTER: Record<RecordResourceType, RecordSearch> = {
  DeviceUseStatement: {},
  Device: { withDeviceData: true },
  Procedure: { kinds: ['implantation', 'explantation'] },
};

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendOutcome(reply, 404, [{ severity: 'error', code: 'not-found', errorCode: 'NOT_FOUND', diagnostics: `${what} is not known, or not yours to read` }]);
}

/** Errors the read path expects, as OperationOutcome; anything else goes to the app's error handler. */
async function guarded(reply: FastifyReply, fn: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SearchError) {
      return sendOutcome(reply, 400, [{ severity: 'error', code: err.issueCode, errorCode: err.errorCode, diagnostics: err.message, expression: [err.parameter] }]);
    }
    if (err instanceof InvalidCursor) {
      return sendOutcome(reply, 400, [{ severity: 'error', code: 'value', errorCode: err.code, diagnostics: err.message, expression: ['_cursor'] }]);
    }
    if (err instanceof AccessDenied) {
      return sendOutcome(reply, 403, [{ severity: 'error', code: 'forbidden', errorCode: err.code, diagnostics: err.message }]);
    }
    throw err;
  }
}

function sendResource(reply: FastifyReply, resource: Resource): FastifyReply {
  const version = resource.meta?.versionId;
  const updated = resource.meta?.lastUpdated;
  if (version) reply.header('ETag', `W/"${version}"`);
  if (updated) reply.header('Last-Modified', new Date(updated).toUTCString());
  return reply.code(200).type(FHIR_JSON).send(resource);
}

export function fhirReadRoutes(fhir: FastifyInstance, services: Services): void {
  const prefix = fhir.prefix; // '/fhir/R4' when registered under that prefix
  const baseOf = (req: FastifyRequest) => `${req.protocol}://${req.host}${prefix}`;
  const repo = (req: FastifyRequest) => new RecordsRepository(services.db, req.caller);

  for (const type of RECORD_RESOURCE_TYPES) {
    fhir.get<{ Params: { id: string } }>(`/${type}/:id`, async (req, reply) =>
      guarded(reply, async () => {
        const record = await repo(req).get(req.params.id);
        const resource = record ? resourceOf(record, type) : undefined;
        if (!resource) return notFound(reply, `${type}/${req.params.id.slice(0, 64)}`);
        return sendResource(reply, resource);
      }),
    );

    fhir.get<{ Params: { id: string }; Querystring: Record<string, string | string[]> }>(`/${type}/:id/_history`, async (req, reply) =>
      guarded(reply, async () => {
        const unknown = Object.keys(req.query).filter((k) => k !== '_format');
        if (unknown.length > 0 && !isLenient(req.headers.prefer)) {
          throw new SearchError(unknown[0]!, `the parameter ${unknown[0]} is not supported on _history; the whole history is returned`, 'not-supported', 'UNKNOWN_PARAMETER');
        }
        const r = repo(req);
        const record = await r.get(req.params.id);
        const versions = record ? await r.history(record.id) : undefined;
        if (!record || !versions || !resourceOf(record, type)) return notFound(reply, `${type}/${req.params.id.slice(0, 64)}`);
        const base = baseOf(req);
        const views = versionViews(record, versions);
        const entries: BundleEntry[] = [];
        for (const [i, view] of views.entries()) {
          const resource = resourceOf(view, type);
          if (!resource) continue;
          const action = versions[i]!.action;
          entries.push({
            fullUrl: `${base}/${type}/${record.id}`,
            resource,
            request: { method: action === 'create' ? 'POST' : 'PUT', url: action === 'create' ? type : `${type}/${record.id}` },
            response: { status: action === 'create' ? '201 Created' : '200 OK', etag: `W/"${view.version}"`, lastModified: view.lastReceivedAt },
          });
        }
        entries.reverse(); // newest first
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'history',
          total: entries.length,
          link: [{ relation: 'self', url: `${base}/${type}/${record.id}/_history` }],
          entry: entries,
        };
        return reply.code(200).type(FHIR_JSON).send(bundle);
      }),
    );

    fhir.get<{ Params: { id: string; vid: string } }>(`/${type}/:id/_history/:vid`, async (req, reply) =>
      guarded(reply, async () => {
        const r = repo(req);
        const record = await r.get(req.params.id);
        const versions = record && /^[1-9]\d{0,8}$/.test(req.params.vid) ? await r.history(record.id) : undefined;
        const i = versions ? versions.findIndex((v) => v.version === Number(req.params.vid)) : -1;
        const view = record && versions && i >= 0 ? versionViews(record, versions)[i] : undefined;
        const resource = view ? resourceOf(view, type) : undefined;
        if (!resource) return notFound(reply, `${type}/${req.params.id.slice(0, 64)}/_history/${req.params.vid.slice(0, 12)}`);
        return sendResource(reply, resource);
      }),
    );

    fhir.get<{ Querystring: Record<string, string | string[]> }>(`/${type}`, async (req, reply) =>
      guarded(reply, async () => {
        const search = parseSearch(type as SearchableType, req.query, isLenient(req.headers.prefer));
        const r = repo(req);
        const filters = { ...search.filters, ...TYPE_FILTER[type] };
        const base = baseOf(req);
        const page = search.count > 0 ? await r.search({ ...filters, limit: search.count, cursor: search.cursor }) : { items: [] as RecordView[], next: null };
        const total = search.total === 'accurate' || search.count === 0 ? await r.searchCount(filters) : undefined;
        const query = (extra: [string, string][]) => {
          const params = new URLSearchParams([...search.applied, ['_count', String(search.count)], ...extra]);
          return `${base}/${type}?${params.toString()}`;
        };
        const link: BundleLink[] = [{ relation: 'self', url: query(search.cursor ? [['_cursor', search.cursor]] : []) }];
        if (page.next) link.push({ relation: 'next', url: query([['_cursor', page.next]]) });
        const entry: BundleEntry[] = page.items.flatMap((record) => {
          const resource = resourceOf(record, type);
          return resource ? [{ fullUrl: `${base}/${type}/${record.id}`, resource, search: { mode: 'match' as const } }] : [];
        });
        if (search.ignored.length > 0) {
          entry.push({
            fullUrl: `urn:uuid:${randomUUID()}`,
            resource: operationOutcome([
              { severity: 'warning', code: 'not-supported', errorCode: 'UNKNOWN_PARAMETER', diagnostics: `ignored unsupported search parameters: ${search.ignored.join(', ')}`, expression: search.ignored },
            ]),
            search: { mode: 'outcome' },
          });
        }
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'searchset',
          ...(total !== undefined ? { total } : {}),
          link,
          entry,
        };
        return reply.code(200).type(FHIR_JSON).send(bundle);
      }),
    );
  }

  fhir.get<{ Params: { id: string } }>('/Patient/:id', async (req, reply) =>
    guarded(reply, async () => {
      const found = await repo(req).patient(req.params.id);
      if (!found) return notFound(reply, `Patient/${req.params.id.slice(0, 64)}`);
      return sendResource(reply, patientResource(found.pseudonym, found.deceasedOn));
    }),
  );
}
