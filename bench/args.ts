// `--name value` options of a benchmark script, with a default.
const argv = process.argv.slice(2);

export function arg(name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
}
