// The `lir` command. Each subcommand lives in commands/<name>.ts and stays thin: it parses
// arguments, calls the same services the HTTP API uses, and prints.

import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { serveCommand } from './commands/serve.js';
import { migrateCommand } from './commands/migrate.js';
import { importCommand } from './commands/import.js';
import { queryCommand } from './commands/query.js';
import { providersCommand } from './commands/providers.js';
import { tokensCommand } from './commands/tokens.js';
import { udiCommand } from './commands/udi.js';
import { catalogueCommand } from './commands/catalogue.js';
import { certificatesCommand } from './commands/certificates.js';
import { recallsCommand } from './commands/recalls.js';
import { clientsCommand } from './commands/clients.js';
import { auditCommand } from './commands/audit.js';
import { ttpCommand } from './commands/ttp.js';
import { usersCommand } from './commands/users.js';
import { statsCommand } from './commands/stats.js';
import { simulateCommand } from './commands/simulate.js';
import { pseudonymsCommand } from './commands/pseudonyms.js';

export function buildProgram(): Command {
  const program = new Command('lir')
    .description('Landelijk Implantatenregister: the national implant register')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const cmd of [serveCommand(), migrateCommand(), importCommand(), queryCommand(), catalogueCommand(), certificatesCommand(), recallsCommand(), providersCommand(), tokensCommand(), clientsCommand(), ttpCommand(), usersCommand(), statsCommand(), pseudonymsCommand(), udiCommand(), auditCommand(), simulateCommand()]) {
    program.addCommand(cmd);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`lir: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`lir: ${(err as Error).message ?? err}\n`);
    process.exitCode = 2;
  }
}
