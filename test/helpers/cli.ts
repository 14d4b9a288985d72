// Runs the CLI in-process and captures stdout, stderr and the exit code.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** `agentlake ...args` against the given lakehouse. */
export async function runCli(args: readonly string[], lakehouse: string): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await main([...args, '--lakehouse', lakehouse], out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}
