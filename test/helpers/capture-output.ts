import { vi } from 'vitest';

/** Runs a CLI action in process and returns what it wrote and the exit code it set. */
export async function captureOutput(action: () => Promise<unknown>): Promise<{ out: string; err: string; exitCode: number | undefined }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    await action();
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const exitCode = process.exitCode === undefined ? undefined : Number(process.exitCode);
  return { out, err, exitCode };
}
