/**
 * `lir udi parse <strings...> [--json]`: parse scanned or typed UDI carriers. Several strings are
 * taken as carriers of one device (GS1 label in two parts, HIBC primary + secondary) and combined.
 */
import { Command } from 'commander';
import { parseUdiGroup, type UdiResult } from '../../udi/index.js';

interface ParseOptions {
  json?: boolean;
  separator?: string[];
  typed?: boolean;
}

function humanLines(r: UdiResult): string[] {
  const lines = [
    `issuer:           ${r.issuer}`,
    `UDI-DI:           ${r.udiDi ?? '-'}`,
    `lot:              ${r.lot ?? '-'}`,
    `serial:           ${r.serial ?? '-'}`,
    `expiry date:      ${r.expiryDate ?? '-'}`,
    `manufacture date: ${r.manufactureDate ?? '-'}`,
    `partial:          ${r.partial ? 'yes (only DI or only PI)' : 'no'}`,
    'elements:',
    ...r.elements.map((e) => `  ${e.id.padEnd(22)} ${JSON.stringify(e.value)}  @${e.position}`),
  ];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}

export function udiCommand(): Command {
  const udi = new Command('udi').description('Unique Device Identifier tools (GS1, HIBCC, ICCBBA)');
  udi
    .command('parse')
    .description('parse UDI strings (scanned or human-readable); several strings are combined into one device')
    .argument('<strings...>', 'UDI carrier data, e.g. "(01)08023279277098(17)221231(10)1234AB"')
    .option('--json', 'print the result (or the error) as JSON on stdout')
    .option('--separator <chars...>', 'characters the scanner sends instead of GS (e.g. "|")')
    .option('--typed', 'strings were typed from the label text: a wrong HIBC check character is only a warning')
    .action((strings: string[], options: ParseOptions) => {
      const parsed = parseUdiGroup(strings, {
        separators: options.separator ?? [],
        typed: options.typed === true,
      });
      if (parsed.ok) {
        process.stdout.write(
          options.json ? `${JSON.stringify(parsed.value, null, 2)}\n` : `${humanLines(parsed.value).join('\n')}\n`,
        );
        return;
      }
      const { code, position, input } = parsed.error;
      const message = strings.length > 1 && input !== undefined ? `string ${input + 1}: ${parsed.error.message}` : parsed.error.message;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ error: { code, message, position } })}\n`);
      } else {
        process.stderr.write(`udi parse: ${code} at position ${position}: ${message}\n`);
      }
      process.exitCode = 1;
    });
  return udi;
}
