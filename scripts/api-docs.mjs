// Generates docs/api.md, the reference of tapstack's public API, from the declarations (.d.ts)
// of everything src/index.ts exports and their TSDoc. Uses only the TypeScript compiler the
// project already builds with.
//
//   node scripts/api-docs.mjs            write docs/api.md (declarations emitted in memory from src/)
//   node scripts/api-docs.mjs --dist     read dist/*.d.ts instead (after npm run build:ts)
//   node scripts/api-docs.mjs --check    exit 1 if docs/api.md is not what would be written
//   node scripts/api-docs.mjs --undocumented   list exports and public members without TSDoc (JSON)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the reference goes. */
export const OUT = join(root, 'docs', 'api.md');

// ---- the declarations ---------------------------------------------------------------------------

function compilerOptions() {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  return cfg;
}

/** The .d.ts text of every source file, by absolute path under outDir. */
function declarations(fromDist) {
  const cfg = compilerOptions();
  const outDir = cfg.options.outDir ?? join(root, 'dist');
  const files = new Map();
  if (fromDist) {
    for (const f of cfg.fileNames) {
      const rel = relative(cfg.options.rootDir ?? join(root, 'src'), f).replace(/\.ts$/, '.d.ts');
      const p = join(outDir, rel);
      files.set(p, readFileSync(p, 'utf8'));
    }
  } else {
    const options = { ...cfg.options, declaration: true, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, noEmit: false, incremental: false };
    const program = ts.createProgram(cfg.fileNames, options);
    const r = program.emit(undefined, (name, text) => {
      if (name.endsWith('.d.ts')) files.set(resolve(name), text);
    });
    if (r.emitSkipped) throw new Error('declaration emit failed');
  }
  return { files, outDir, options: cfg.options };
}

function declarationProgram({ files, outDir, options }) {
  const opts = { ...options, noEmit: true, declaration: false };
  const host = ts.createCompilerHost(opts);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => files.has(resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => files.get(resolve(f)) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = files.get(resolve(f));
    if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
    return getSourceFile.call(host, f, lang, onError, create);
  };
  const index = join(outDir, 'index.d.ts');
  const program = ts.createProgram([index], opts, host);
  return { program, index };
}

// ---- TSDoc --------------------------------------------------------------------------------------

/** The JSDoc comment text of a node ('' when none), tags included, as written. */
function docText(node) {
  const docs = (node.jsDoc ?? []).filter((d) => d.kind === ts.SyntaxKind.JSDoc);
  if (docs.length === 0) return '';
  const raw = docs.at(-1).getText();
  return raw
    .replace(/^\/\*\*\s?/, '')
    .replace(/\s*\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

function isInternal(node) {
  return /(^|\n)\s*@internal\b/.test(docText(node));
}

/** Markdown for a doc comment: {@link X} as a link when X is documented here, tags as labelled lines. */
function renderDoc(text, anchors) {
  if (!text) return '';
  const link = (_, target, label) => {
    const name = target.trim();
    const top = name.split(/[.#]/)[0];
    const shown = (label ?? name).trim();
    return anchors.has(top) ? `[\`${shown}\`](#${anchors.get(top)})` : `\`${shown}\``;
  };
  const lines = [];
  let inFence = false;
  for (const l of text.split('\n')) {
    if (l.trimStart().startsWith('```')) inFence = !inFence;
    if (inFence || l.trimStart().startsWith('```')) {
      lines.push(l);
      continue;
    }
    let m;
    if ((m = /^@throws\s+(.*)$/.exec(l))) lines.push('', `**Throws:** ${m[1]}`);
    else if ((m = /^@param\s+(\S+)\s*-?\s*(.*)$/.exec(l))) lines.push('', `**\`${m[1]}\`:** ${m[2]}`);
    else if ((m = /^@returns?\s+(.*)$/.exec(l))) lines.push('', `**Returns:** ${m[1]}`);
    else if (/^@internal\b/.test(l)) continue;
    else lines.push(l);
  }
  return lines
    .join('\n')
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+)|\s+([^}]+))?\}/g, (s, t, a, b) => link(s, t, a ?? b))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---- signatures ---------------------------------------------------------------------------------

const squash = (s) => s.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').replace(/;\s*$/, '').trim();

function stripExport(s) {
  return s.replace(/^export\s+/, '').replace(/^declare\s+/, '');
}

/** `class X<T> extends Y implements Z` / `interface X extends Y` without the body. */
function headerOf(node, sf) {
  const text = node.getText(sf);
  const body = text.indexOf('{');
  return squash(stripExport(body >= 0 ? text.slice(0, body) : text));
}

function memberName(m, sf) {
  if (ts.isConstructorDeclaration(m)) return 'constructor';
  if (ts.isCallSignatureDeclaration(m)) return '(call)';
  if (ts.isIndexSignatureDeclaration(m)) return '[index]';
  return m.name ? m.name.getText(sf) : '?';
}

function hasModifier(m, kind) {
  return (ts.getCombinedModifierFlags(m) & kind) !== 0;
}

function isPublicMember(m, sf) {
  // Protected members are for subclasses inside tapstack (drivers, clocks, channels): not the API.
  if (hasModifier(m, ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  if (m.name && ts.isPrivateIdentifier(m.name)) return false;
  if (isInternal(m)) return false;
  // A constructor only documented members call (no doc, no parameters worth showing) is still shown.
  return memberName(m, sf) !== '?';
}

// ---- the export list ----------------------------------------------------------------------------

const KIND_ORDER = ['class', 'function', 'interface', 'type', 'const'];
const KIND_TITLE = { class: 'Classes', function: 'Functions', interface: 'Interfaces', type: 'Types', const: 'Constants' };

function kindOf(decl) {
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isVariableDeclaration(decl)) return 'const';
  return null;
}

/** The exports of src/index.ts (from its emitted declarations, or dist/ with fromDist), in reference order. */
export function collect(fromDist = false) {
  const d = declarations(fromDist);
  const { program, index } = declarationProgram(d);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(index);
  if (!sf) throw new Error(`no ${index}`);
  const moduleSym = checker.getSymbolAtLocation(sf);
  const entries = [];
  for (const exp of checker.getExportsOfModule(moduleSym)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const decls = (sym.declarations ?? []).filter((x) => kindOf(x) !== null);
    if (decls.length === 0) continue;
    const kind = kindOf(decls[0]);
    entries.push({ name: exp.name, kind, decls });
  }
  const orderInIndex = new Map();
  sf.statements.forEach((st, i) => {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      st.exportClause.elements.forEach((e, j) => orderInIndex.set(e.name.text, i * 1000 + j));
    }
  });
  entries.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (orderInIndex.get(a.name) ?? 0) - (orderInIndex.get(b.name) ?? 0));
  return entries;
}

const anchorOf = (name) => name.toLowerCase().replace(/[^a-z0-9_-]/g, '');

function declText(decl) {
  const sf = decl.getSourceFile();
  if (ts.isVariableDeclaration(decl)) {
    const stmt = decl.parent.parent;
    return squash(stripExport(stmt.getText(sf)));
  }
  if (ts.isFunctionDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) return squash(stripExport(decl.getText(sf)));
  return headerOf(decl, sf);
}

function docOf(decl) {
  return ts.isVariableDeclaration(decl) ? docText(decl.parent.parent) : docText(decl);
}

const isStatic = (m) => hasModifier(m, ts.ModifierFlags.Static);

/** The base class declaration of a class, when it is one of the exports. */
function baseOf(decl, byName) {
  const ext = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const name = ext?.types[0]?.expression.getText(decl.getSourceFile());
  const e = name ? byName.get(name) : undefined;
  return e && e.kind === 'class' ? e.decls[0] : null;
}

/** True for an overload signature after the first of its name (its doc, if any, is the first's). */
function isLaterOverload(m, owner) {
  const sf = owner.getSourceFile();
  const name = memberName(m, sf);
  const first = owner.members.find((x) => memberName(x, sf) === name && isStatic(x) === isStatic(m));
  return first !== m && (ts.isMethodDeclaration(m) || ts.isMethodSignature(m));
}

/** A member's doc, or the doc of the member it overrides in an exported base class. */
function memberDoc(m, owner, byName) {
  const own = docText(m);
  if (own || !ts.isClassDeclaration(owner) || ts.isConstructorDeclaration(m)) return own;
  const sf = owner.getSourceFile();
  const name = memberName(m, sf);
  for (let b = baseOf(owner, byName); b; b = baseOf(b, byName)) {
    const bsf = b.getSourceFile();
    const bm = b.members.find((x) => memberName(x, bsf) === name && isStatic(x) === isStatic(m) && docText(x));
    if (bm) return docText(bm);
  }
  return '';
}

/** The markdown reference. */
export function render(entries) {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const anchors = new Map(entries.map((e) => [e.name, anchorOf(e.name)]));
  const out = [];
  out.push('# tapstack API reference', '');
  out.push('Everything `import … from \'tapstack\'` provides, with its documentation. Generated by');
  out.push('`npm run docs` (`scripts/api-docs.mjs`) from the declarations of `src/index.ts`; do not edit by');
  out.push('hand — a test fails when this file is out of date. The guide is the README\'s "Library API".', '');
  for (const kind of KIND_ORDER) {
    const list = entries.filter((e) => e.kind === kind);
    if (list.length === 0) continue;
    out.push(`- **${KIND_TITLE[kind]}:** ${list.map((e) => `[${e.name}](#${anchors.get(e.name)})`).join(', ')}`);
  }
  for (const kind of KIND_ORDER) {
    const list = entries.filter((e) => e.kind === kind);
    if (list.length === 0) continue;
    out.push('', `## ${KIND_TITLE[kind]}`);
    for (const e of list) {
      out.push('', `### ${e.name}`, '');
      const main = e.decls[0];
      out.push('```ts');
      for (const dcl of e.decls) out.push(declText(dcl));
      out.push('```');
      const doc = renderDoc(docOf(main), anchors);
      if (doc) out.push('', doc);
      if (kind === 'class' || kind === 'interface') {
        const sf = main.getSourceFile();
        const members = main.members.filter((m) => isPublicMember(m, sf));
        for (const m of members) {
          // One list item per member: the signature, then its doc as indented paragraphs.
          const sig = squash(m.getText(sf));
          const tick = sig.includes('`') ? '``' : '`';
          out.push('', `- ${tick}${sig}${tick}`);
          const d = isLaterOverload(m, main) ? '' : renderDoc(memberDoc(m, main, byName), anchors);
          if (d) out.push('', ...d.split('\n').map((l) => (l ? `  ${l}` : '')));
        }
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** Exports and public members without TSDoc (a member overriding a documented one counts as documented). */
export function undocumented(entries) {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const missing = [];
  for (const e of entries) {
    const main = e.decls[0];
    if (!docOf(main)) missing.push(e.name);
    if (e.kind === 'class' || e.kind === 'interface') {
      const sf = main.getSourceFile();
      for (const m of main.members.filter((x) => isPublicMember(x, sf))) {
        if (ts.isConstructorDeclaration(m) && m.parameters.length === 0) continue;
        if (!memberDoc(m, main, byName) && !isLaterOverload(m, main)) missing.push(`${e.name}.${memberName(m, sf)}`);
      }
    }
  }
  return missing;
}

// ---- main ---------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const entries = collect(args.has('--dist'));
  if (args.has('--undocumented')) {
    process.stdout.write(`${JSON.stringify(undocumented(entries), null, 1)}\n`);
  } else {
    const md = render(entries);
    if (args.has('--check')) {
      let have = '';
      try {
        have = readFileSync(OUT, 'utf8');
      } catch {
        // missing: out of date
      }
      if (have !== md) {
        console.error('docs/api.md is out of date: run npm run docs');
        process.exitCode = 1;
      } else console.log('docs/api.md is up to date');
    } else {
      mkdirSync(dirname(OUT), { recursive: true });
      writeFileSync(OUT, md);
      console.log(`wrote ${relative(root, OUT)} (${entries.length} exports)`);
    }
  }
}
