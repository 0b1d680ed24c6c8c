// docs/api.md is generated from the declarations of src/index.ts (scripts/api-docs.mjs): the
// committed file must be what the generator writes now, and every export (and every public
// member of an exported class or interface) must carry TSDoc for it to show.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { OUT, collect, render, undocumented } from '../../scripts/api-docs.mjs';

describe('docs/api.md', () => {
  let entries: { name: string; kind: string }[] = [];
  beforeAll(() => {
    entries = collect();
  }, 60000);

  it('is up to date (run npm run docs after changing the API or its TSDoc)', () => {
    const want: string = render(entries);
    const have = readFileSync(OUT, 'utf8');
    expect(have === want, 'docs/api.md is out of date: run npm run docs').toBe(true);
  });

  it('every export of src/index.ts and every public member is documented', () => {
    expect(undocumented(entries)).toEqual([]);
  });

  it('covers the API the README promises', () => {
    const names = entries.map((e) => e.name);
    for (const n of ['Stack', 'StackError', 'TapDevice', 'createPair', 'StackEvent', 'LinkEvent', 'RawIpHandle', 'FrameObserver', 'SocketChannel', 'formatNeighEvent']) {
      expect(names).toContain(n);
    }
    const md = readFileSync(OUT, 'utf8');
    for (const m of ['events(types?', 'openRawIp(protocol', 'observeFrames(cb', 'close(): Promise<void>']) expect(md).toContain(m);
  });
});
