// Progress of a long CLI job on stderr. On a terminal: one bar redrawn in place with \r
// (percent, rows, rows/s, ETA). Otherwise (a log file, a pipe, CI): one plain line at most
// every `intervalMs` (2 s), plus a final line, so logs stay readable.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressState {
  /** Work done and total, in any unit (bytes of the file); drives percent and ETA. */
  done: number;
  total: number;
  rows: number;
  rejected?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Shown before the bar, e.g. the file name. */
  label?: string;
  /** Milliseconds between plain lines when the stream is not a terminal (default 2000). */
  intervalMs?: number;
  /** Milliseconds between redraws on a terminal (default 100). */
  ttyIntervalMs?: number;
  now?: () => number;
}

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly label: string;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly started: number;
  private last = -Infinity;
  private state: ProgressState = { done: 0, total: 0, rows: 0 };
  private drawn = false;
  private finished = false;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.label = opts.label ?? '';
    this.interval = this.tty ? (opts.ttyIntervalMs ?? 100) : (opts.intervalMs ?? 2000);
    this.now = opts.now ?? (() => performance.now());
    this.started = this.now();
  }

  update(state: ProgressState): void {
    if (this.finished) return;
    this.state = state;
    const t = this.now();
    if (t - this.last < this.interval) return;
    this.last = t;
    this.draw(false);
  }

  /** Draws the final state and ends the line. */
  finish(state?: ProgressState): void {
    if (this.finished) return;
    if (state) this.state = state;
    this.draw(true);
    this.finished = true;
  }

  /** Ends the bar without a final line (the job failed; an error message follows). */
  abort(): void {
    if (this.finished) return;
    if (this.tty && this.drawn) this.stream.write('\n');
    this.finished = true;
  }

  private draw(final: boolean): void {
    const { done, total, rows, rejected } = this.state;
    const elapsed = Math.max(0, (this.now() - this.started) / 1000);
    const fraction = total > 0 ? Math.min(1, done / total) : final ? 1 : 0;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const rate = elapsed > 0 ? rows / elapsed : 0;
    const eta = final ? `in ${duration(elapsed)}` : fraction > 0 && elapsed > 0 ? `ETA ${duration((elapsed * (1 - fraction)) / fraction)}` : 'ETA --:--';
    const rej = rejected ? `, ${count(rejected)} rejected` : '';
    const parts = `${pct}  ${count(rows)} rows${rej}  ${count(Math.round(rate))} rows/s  ${eta}`;
    const label = this.label ? `${this.label} ` : '';
    if (this.tty) {
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - label.length - parts.length - 6));
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      this.stream.write(`\r${label}${bar} ${parts}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${label}${final ? 'done ' : ''}${parts.trimStart()}\n`);
    }
    this.drawn = true;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
