// Every `lir stats <method>`, by name: request validation and the computation, both pure.
import type { StatsMethod } from '../request.js';
import { proportionsMethods } from './proportions.js';
import { survivalMethods } from './survival.js';
import { sequentialMethods } from './sequential.js';
import { providersMethods } from './providers.js';

export const STATS_METHODS: Record<string, StatsMethod> = {
  ...proportionsMethods,
  ...survivalMethods,
  ...sequentialMethods,
  ...providersMethods,
};
