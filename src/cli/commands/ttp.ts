// `lir ttp`: the TTP's key management, run on the TTP's host. Never prints a key.

import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { defaultTtpKeyFile, rotateTtpKey, TtpKeyStore } from '../../privacy/ttp/keys.js';
import { TtpService } from '../../privacy/ttp/service.js';
import { CliError } from '../cli-error.js';

export function ttpCommand(): Command {
  const cmd = new Command('ttp').description('the TTP pseudonymisation service: key rotation and re-keying (LIR_TTP_KEY_FILE)');
  cmd
    .command('rotate-key')
    .description('add a new key version and make it current; new pseudonyms get the new label')
    .action(() => {
      const file = defaultTtpKeyFile();
      const r = rotateTtpKey(file);
      process.stdout.write(`TTP key ${r.current} is current (was ${r.previous}); new pseudonyms are labelled ttp${r.current}. Key file: ${file}\n`);
    });
  cmd
    .command('rekey-map')
    .description('read BSNs (one a line) and write "old,new" pseudonym pairs (previous → current key version) for the register; no BSN in the output')
    .argument('<bsn-file>', 'a provider\'s own patient list: one BSN a line')
    .argument('<out-file>', 'CSV with a header old,new; written with mode 0600')
    .action((bsnFile: string, outFile: string) => {
      let text: string;
      try {
        text = readFileSync(bsnFile, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${bsnFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const lines = text.split(/\r?\n/).map((l) => l.trim());
      const inputs: Array<{ line: number; bsn: string }> = [];
      lines.forEach((bsn, i) => {
        if (bsn !== '') inputs.push({ line: i + 1, bsn });
      });
      const r = new TtpService(new TtpKeyStore()).rekey(inputs.map((x) => x.bsn));
      if (!r) throw new CliError('the TTP has only one key version; run `lir ttp rotate-key` first');
      const pairs = new Set<string>();
      const bad: number[] = [];
      r.results.forEach((x, i) => {
        if ('error' in x) bad.push(inputs[i]!.line);
        else pairs.add(`${x.old},${x.new}`);
      });
      writeFileSync(outFile, ['old,new', ...pairs].join('\n') + '\n', { mode: 0o600 });
      process.stdout.write(`${pairs.size} pairs ${r.from} → ${r.to} written to ${outFile}\n`);
      if (bad.length) process.stderr.write(`${bad.length} lines are not valid BSNs and were skipped: lines ${bad.slice(0, 20).join(', ')}${bad.length > 20 ? ', …' : ''}\n`);
    });
  return cmd;
}
