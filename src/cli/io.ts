// Where a command's output goes (the process's streams, or a buffer in tests), and how it ends early.

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** Collects output for assertions. */
export function bufferIO(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

/** Thrown inside a command to end it with an exit status (the tool's exit()/usage()), caught by the command's entry. */
export class Exit {
  constructor(
    /** The exit status. */
    readonly code: number,
  ) {}
}
