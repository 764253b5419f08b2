// A pino destination in memory: every log line the app writes, for tests that scan the logs.
import { Writable } from 'node:stream';

export function captureLogs(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}
