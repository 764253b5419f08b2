import type { StatsMethod } from '../request.js';

/** The `lir stats` methods of this group, by name. */
export const survivalMethods: Record<string, StatsMethod> = {};
