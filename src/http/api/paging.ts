import { HttpProblem } from '../problem.js';

export function pageQuery(q: { limit?: string; cursor?: string }): { limit: number; cursor: string | null } {
  let limit = 100;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new HttpProblem(400, 'INVALID_PARAMETER', 'limit must be a whole number from 1 to 1000', [{ code: 'OUT_OF_RANGE', message: 'limit must be 1–1000', pointer: 'limit' }]);
    }
  }
  return { limit, cursor: q.cursor ?? null };
}
