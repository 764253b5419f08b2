import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AFFECTED_SQL_PATH, affectedPopulationSqlFile } from '../../scripts/generate-sql.js';

describe('committed SQL', () => {
  it('matches the affected-population query the code builds (run npm run sql:generate after a change)', () => {
    expect(readFileSync(AFFECTED_SQL_PATH, 'utf8')).toBe(affectedPopulationSqlFile());
  });
});
