#!/usr/bin/env node
// The `lir` command. Sources are TypeScript; tsx compiles them on load so the installed
// command always runs the code in this checkout (no stale build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
