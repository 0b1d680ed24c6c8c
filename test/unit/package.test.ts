// The published package: what `npm pack` puts in it, the package.json fields consumers rely on,
// and the package's own name resolving inside the repository (the examples import 'tapstack').
//
// Deliberately not shipped: src/*.ts (the .d.ts files carry the types and their TSDoc; there is
// no declarationMap pointing back into src) and dist/**/*.map (they reference src/*.ts, which is
// not shipped, so they would only add weight); tests, benchmarks, examples, docs, build/ (the
// addon is compiled on install from native/ and binding.gyp by scripts/build-native.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/netns.js';

interface PackFile {
  path: string;
  size: number;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [relative(ROOT, p)];
  });
}

const ALLOWED = [
  /^dist\/.+\.js$/,
  /^dist\/.+\.d\.ts$/,
  /^native\/[^/]+\.(cc|h)$/,
  /^binding\.gyp$/,
  /^scripts\/build-native\.mjs$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^package\.json$/,
];

describe('npm pack', () => {
  let files: string[] = [];
  beforeAll(() => {
    // --ignore-scripts: "prepare" would rebuild dist/ while other tests read it.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    files = (JSON.parse(out)[0].files as PackFile[]).map((f) => f.path).sort();
  }, 60000);

  it("the tarball npm pack leaves in the work tree is git-ignored (so it is never committed by accident)", () => {
    const tgz = `${pkg.name}-${pkg.version}.tgz`;
    const r = execFileSync('git', ['check-ignore', '--no-index', '-v', tgz], { cwd: ROOT, encoding: 'utf8' });
    expect(r).toMatch(/^\.gitignore:\d+:\*\.tgz\t/);
  });

  it('ships only dist (js and d.ts), the native sources, binding.gyp, the build script, README and LICENSE', () => {
    const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    expect(stray).toEqual([]);
    for (const must of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'native/tap.cc', 'binding.gyp', 'scripts/build-native.mjs', 'README.md', 'LICENSE', 'package.json']) {
      expect(files).toContain(must);
    }
    expect(files.filter((f) => /^(src|test|bench|examples|docs|build)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('dist in the package is exactly the compiled src: a .js and a .d.ts per source file, nothing stale', () => {
    const sources = walk(join(ROOT, 'src')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/^src\//, '').replace(/\.ts$/, ''));
    const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')).map((f) => f.replace(/^dist\//, '').replace(/\.js$/, ''));
    const dts = files.filter((f) => f.endsWith('.d.ts')).map((f) => f.replace(/^dist\//, '').replace(/\.d\.ts$/, ''));
    const why = 'dist/ does not match src/: rebuild it (npm run build:ts; remove dist/ first if a source was deleted)';
    expect(js.sort(), why).toEqual(sources.sort());
    expect(dts.sort(), why).toEqual(sources.sort());
  });

  it('every native source is shipped', () => {
    const native = walk(join(ROOT, 'native')).filter((f) => /\.(cc|h)$/.test(f));
    for (const f of native) expect(files).toContain(f);
  });
});

describe('package.json', () => {
  it('exports the entry point with its types first, and package.json itself', () => {
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports)).toEqual(['.', './package.json']);
    // "default" too: require() then fails with Node's clear ERR_REQUIRE_ESM (or works on Node >= 22.12)
    // instead of ERR_PACKAGE_PATH_NOT_EXPORTED.
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'import', 'default']);
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    expect(pkg.exports['./package.json']).toBe('./package.json');
    expect(pkg.main).toBe('dist/index.js');
    expect(pkg.types).toBe('dist/index.d.ts');
    expect(pkg.bin).toEqual({ tapstack: 'dist/cli/main.js' });
  });

  it('declares the engines, platform, licence and the scripts the README names', () => {
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.os).toEqual(['linux']);
    expect(pkg.license).toBe('MIT');
    expect(pkg.scripts.docs).toBe('node scripts/api-docs.mjs');
    expect(pkg.scripts.install).toBe('node scripts/build-native.mjs');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} tapstack developers\n/);
  });

  it("'tapstack' resolves to dist/ from inside the repository (self-reference), as the examples use it", () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('tapstack'), import.meta.resolve('tapstack/package.json'))"], { cwd: ROOT, encoding: 'utf8' });
    const [main, pj] = out.trim().split(' ');
    expect(main).toBe(`file://${join(ROOT, 'dist', 'index.js')}`);
    expect(pj).toBe(`file://${join(ROOT, 'package.json')}`);
    expect(existsSync(join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
  });
});
