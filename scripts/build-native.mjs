// Builds the TAP addon with the node-gyp that ships inside npm, so nothing global is needed.
// When the machine has Node's headers installed (Debian's nodejs-dev puts them under /usr),
// point node-gyp at them instead of letting it download a header tarball.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npmCli = process.env.npm_execpath;
const candidates = [
  npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  '/usr/share/nodejs/npm/node_modules/node-gyp/bin/node-gyp.js',
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
if (!gyp) {
  console.error('tapstack: cannot find node-gyp (it ships with npm); looked in:\n  ' + candidates.join('\n  '));
  process.exit(1);
}
const args = [gyp, 'rebuild'];
const nodedir = process.env.npm_config_nodedir;
if (!nodedir) {
  for (const dir of ['/usr', join(dirname(process.execPath), '..')]) {
    if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) { args.push(`--nodedir=${dir}`); break; }
  }
}
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
