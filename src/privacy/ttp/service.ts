// The TTP's work, without HTTP: validate BSNs and turn them into pseudonyms. Knows nothing of the
// register; holds only its own keys.

import { checkBsn, TtpKeyStore } from './keys.js';

export const MAX_BATCH = 1000;

export type ItemResult = { index: number; pseudonym: string } | { index: number; error: { code: string; message: string } };
export type RekeyResult = { index: number; old: string; new: string } | { index: number; error: { code: string; message: string } };

export class TtpService {
  constructor(readonly keys: TtpKeyStore = new TtpKeyStore()) {}

  get currentVersion(): string {
    return this.keys.get().current;
  }

  pseudonymise(bsns: unknown[]): { results: ItemResult[]; invalid: number; keyVersion: string } {
    const keys = this.keys.get();
    let invalid = 0;
    const results = bsns.map((input, index): ItemResult => {
      const c = checkBsn(input);
      if (!c.ok) {
        invalid++;
        return { index, error: { code: c.code, message: c.message } };
      }
      return { index, pseudonym: keys.pseudonym(c.bsn) };
    });
    return { results, invalid, keyVersion: keys.current };
  }

  /** old (previous version) → new (current version) for each BSN; undefined when there is no previous version. */
  rekey(bsns: unknown[]): { results: RekeyResult[]; invalid: number; from: string; to: string } | undefined {
    const keys = this.keys.get();
    const from = keys.previous;
    if (!from) return undefined;
    let invalid = 0;
    const results = bsns.map((input, index): RekeyResult => {
      const c = checkBsn(input);
      if (!c.ok) {
        invalid++;
        return { index, error: { code: c.code, message: c.message } };
      }
      return { index, old: keys.pseudonym(c.bsn, from), new: keys.pseudonym(c.bsn) };
    });
    return { results, invalid, from, to: keys.current };
  }
}
