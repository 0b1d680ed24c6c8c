// vitest globalSetup: one directory for the control sockets of every stack the tests start
// (TAPSTACK_RUN_DIR, inherited by the test workers and their children), removed when the run
// ends — a worker that vitest stops never runs its own 'exit' handlers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  if (process.env.TAPSTACK_RUN_DIR) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'tapstack-test-run-'));
  process.env.TAPSTACK_RUN_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
