// Adapts the UDI parser (src/udi) to the shape record validation needs.

import type { CarrierParse } from '../domain/record-validation.js';
import { parseUdi } from '../udi/index.js';

export function parseCarrier(udi: string): CarrierParse {
  const r = parseUdi(udi);
  if (!r.ok) return { ok: false, error: r.error };
  const v = r.value;
  return { ok: true, value: { issuer: v.issuer, udiDi: v.udiDi, lot: v.lot, serial: v.serial, expiryDate: v.expiryDate, manufactureDate: v.manufactureDate } };
}
