// `tapstack sysctl`: procps-ng 4.0.2 sysctl(8) against a running stack (sysctl.c main, ReadSetting,
// DisplayAll, WriteSetting, parse_setting_line, slashdot, pattern_match), over TS_SYSCTL: `{key}`
// reads, `{key, value}` writes (the stack answers with the value sysctl echoes), a dump lists.
// A key the stack does not have (ENOENT) is reported in procps's words, "cannot stat
// /proc/sys/PATH", here only: the library says "unknown sysctl key", since no /proc is involved.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import { EINVAL, EIO, ENOENT } from '../core/errno.js';
import { getoptLong, isChannelFailure, type LongOption } from './arp.js';
import type { CliIO } from './io.js';

/** procps-ng 4.0.2 Usage(). */
export const SYSCTL_USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
`;

const EISDIR = 21;

const LONGOPTS: readonly LongOption[] = [
  { name: 'all', has: 'none', val: 'a' },
  { name: 'deprecated', has: 'none', val: 'deprecated' },
  { name: 'dry-run', has: 'none', val: 'dry-run' },
  { name: 'binary', has: 'none', val: 'b' },
  { name: 'ignore', has: 'none', val: 'e' },
  { name: 'names', has: 'none', val: 'N' },
  { name: 'values', has: 'none', val: 'n' },
  { name: 'load', has: 'optional', val: 'p' },
  { name: 'quiet', has: 'none', val: 'q' },
  { name: 'write', has: 'none', val: 'w' },
  { name: 'system', has: 'none', val: 'system' },
  { name: 'pattern', has: 'required', val: 'r' },
  { name: 'help', has: 'none', val: 'h' },
  { name: 'version', has: 'none', val: 'V' },
];

interface Flags {
  printName: boolean;
  printNewline: boolean;
  ignoreError: boolean;
  nameOnly: boolean;
  quiet: boolean;
  dryRun: boolean;
  ignoreDeprecated: boolean;
  /** --pattern, compiled; `false` when procps's regcomp would fail (nothing matches). */
  pattern: RegExp | false | null;
}

interface Ctx {
  ch: ControlChannel;
  io: CliIO;
  f: Flags;
}

interface Entry {
  key: string;
  value: string;
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v', blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

/**
 * A POSIX extended regular expression (regcomp REG_EXTENDED) as a JS RegExp: bracket expressions
 * are rewritten (classes like [:digit:], a literal ']' first, backslashes literal inside); null if
 * it does not compile.
 */
export function posixEre(pattern: string): RegExp | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (c !== '[') {
      out += c;
      continue;
    }
    let j = i + 1;
    let body = '';
    if (pattern[j] === '^') {
      body += '^';
      j++;
    }
    let first = true;
    let closed = false;
    for (; j < pattern.length; j++) {
      const d = pattern[j];
      if (d === ']' && !first) {
        closed = true;
        break;
      }
      first = false;
      if (d === '[' && pattern[j + 1] === ':') {
        const end = pattern.indexOf(':]', j + 2);
        const cls = end < 0 ? undefined : POSIX_CLASSES[pattern.slice(j + 2, end)];
        if (cls === undefined) return null;
        body += cls;
        j = end + 1;
        continue;
      }
      body += d === ']' || d === '\\' || d === '[' ? `\\${d}` : d;
    }
    if (!closed) return null;
    out += `[${body}]`;
    i = j;
  }
  try {
    return new RegExp(out);
  } catch {
    return null;
  }
}

/**
 * procps slashdot(): the first separator decides; if it already is `nw` nothing changes, otherwise
 * '.' and '/' swap everywhere after it. Repeated separators draw procps's warning (once).
 */
function slashdot(io: CliIO, s: string, old: string, nw: string): string {
  const first = s.search(/[./]/);
  if (first < 0 || s[first] === nw) return s;
  let warned = false;
  let out = s.slice(0, first);
  for (let i = first; i < s.length; i++) {
    const c = s[i];
    if ((c === '.' || c === '/') && !warned && (s[i + 1] === '.' || s[i + 1] === '/')) {
      io.err(`sysctl: separators should not be repeated: ${s.slice(i)}\n`);
      warned = true;
    }
    out += c === old ? nw : c === nw ? old : c;
  }
  return out;
}

const isCSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
const lstrip = (s: string): string => {
  let i = 0;
  while (i < s.length && isCSpace(s[i])) i++;
  return s.slice(i);
};
const rstrip = (s: string): string => {
  let e = s.length;
  while (e > 1 && isCSpace(s[e - 1])) e--;
  return s.slice(0, e);
};

/**
 * A stack error as procps prints it: a missing key is procps's failed stat() of its /proc/sys
 * path; other texts already start with "sysctl: " (setting key "...": Invalid argument).
 */
function report(io: CliIO, e: ControlError, path: string): void {
  if (e.errno === -ENOENT) {
    io.err(`sysctl: cannot stat /proc/sys/${path}: No such file or directory\n`);
    return;
  }
  io.err(`${e.message.startsWith('sysctl: ') ? e.message : `sysctl: ${e.message}`}\n`);
}

function stackError(e: unknown): ControlError {
  if (e instanceof ControlError && !isChannelFailure(e)) return e;
  throw e;
}

function matches(f: Flags, name: string): boolean {
  if (f.pattern === null) return true;
  if (f.pattern === false) return false;
  f.pattern.lastIndex = 0;
  return f.pattern.test(name);
}

/** One line of ReadSetting's output for a readable setting. */
function show(c: Ctx, e: Entry): void {
  if (!matches(c.f, e.key)) return;
  if (c.f.nameOnly) c.io.out(`${e.key}\n`);
  else if (c.f.printName) c.io.out(`${e.key} = ${e.value}\n`);
  else c.io.out(c.f.printNewline ? `${e.value}\n` : e.value);
}

/** DisplayAll(): every setting (or those below a directory), deprecated ones as flagged. */
async function displayAll(c: Ctx, below?: string): Promise<number> {
  if (c.f.pattern === false) return 0;
  const items = await c.ch.dump<Entry>('TS_SYSCTL', { deprecated: !c.f.ignoreDeprecated });
  for (const e of items) if (below === undefined || e.key.startsWith(below)) show(c, e);
  return 0;
}

/** ReadSetting(): 0, 1 (EXIT_FAILURE) or -1 (procps's own -1, exit status 255). */
async function readSetting(c: Ctx, name: string): Promise<number> {
  if (name === '') {
    c.io.err('sysctl: "" is an unknown key\n');
    return -1;
  }
  const path = slashdot(c.io, name, '.', '/');
  const outname = slashdot(c.io, name, '/', '.');
  // procps 4.0.2 converts a slash-separated name for display twice (so warns twice).
  slashdot(c.io, name, '/', '.');
  // procps opens the name as given: white space around it is part of the file name.
  if (isCSpace(name[0]) || isCSpace(name[name.length - 1])) {
    if (c.f.ignoreError) return 0;
    c.io.err(`sysctl: cannot stat /proc/sys/${path}: No such file or directory\n`);
    return 1;
  }
  try {
    const r = await c.ch.call('TS_SYSCTL', { key: name });
    const body = r.body as Entry;
    show(c, { key: outname, value: body.value });
    return 0;
  } catch (err) {
    const e = stackError(err);
    if (e.errno === -EISDIR) {
      const dir = path.split('/').filter((x) => x !== '').map((x) => x.replace(/\./g, '/')).join('.');
      return displayAll(c, `${dir}.`);
    }
    if (e.errno === -ENOENT && c.f.ignoreError) return 0;
    if (e.errno === -EIO) {
      // The file exists but cannot be read (an unset stable_secret): procps prints the name for
      // -N (it never opens the file), skips a name --pattern does not match, and otherwise says
      // nothing but fails (fgets() fails with EIO, which ReadSetting leaves unreported).
      if (!matches(c.f, outname)) return 0;
      if (c.f.nameOnly) {
        c.io.out(`${outname}\n`);
        return 0;
      }
      return 1;
    }
    report(c.io, e, path);
    return 1;
  }
}

/** Is the key a directory (the stack answers a read of one with EISDIR)? */
async function isDirectory(c: Ctx, key: string): Promise<boolean> {
  try {
    await c.ch.call('TS_SYSCTL', { key });
    return false;
  } catch (err) {
    return stackError(err).errno === -EISDIR;
  }
}

/** WriteSetting(): 0 or 1. */
async function writeSetting(c: Ctx, key: string, value: string): Promise<number> {
  const path = slashdot(c.io, key, '.', '/');
  if (key === '') {
    // stat("/proc/sys/") works; realpath() drops the slash and is_proc_path() refuses it.
    c.io.err('sysctl: Path is not under /proc/sys/: /proc/sys/\n');
    return 1;
  }
  const dotted = slashdot(c.io, path, '/', '.');
  let printed = value;
  try {
    if (c.f.dryRun) {
      await c.ch.call('TS_SYSCTL', { key });
    } else {
      const r = await c.ch.call('TS_SYSCTL', { key, value });
      printed = (r.body as Entry).value;
    }
  } catch (err) {
    const e = stackError(err);
    if (e.errno === -ENOENT && c.f.ignoreError) return 0;
    if (e.errno === -EISDIR) {
      // A dry run of a directory: the write itself would fail the way procps 4.0.2 reports it.
      c.io.err(`sysctl: setting key "${dotted}": Invalid argument\n`);
      return 0;
    }
    report(c.io, e, path);
    // procps 4.0.2 warns about a directory but does not count it as a failure.
    if (e.errno === -EINVAL && (await isDirectory(c, key))) return 0;
    return 1;
  }
  if (c.f.quiet && !c.f.dryRun) return 0;
  // procps 4.0.2 prints the value, not the key, for -N in write mode.
  if (c.f.nameOnly || !c.f.printName) c.io.out(c.f.printNewline || c.f.nameOnly ? `${printed}\n` : printed);
  else c.io.out(`${dotted} = ${printed}\n`);
  return 0;
}

/** parse_setting_line("command line", 0, arg) and WriteSetting; 1 when the line is refused. */
async function writeArg(c: Ctx, arg: string): Promise<number> {
  let key = lstrip(arg);
  if (key.length < 2 || key[0] === '#' || key[0] === ';') return 1;
  if (!matches(c.f, key)) return 1;
  const eq = key.indexOf('=');
  if (eq < 0) {
    if (key[0] !== '-') {
      c.io.err('sysctl: command line(0): invalid syntax, continuing...\n');
      return 1;
    }
    // "-key" excludes a glob in a file; on the command line it writes a NULL value ("(null)").
    return writeSetting(c, rstrip(key.slice(1)), '(null)');
  }
  let value = key.slice(eq + 1);
  key = key.slice(0, eq);
  if (key[0] === '-') key = key.slice(1);
  value = rstrip(lstrip(value));
  key = rstrip(key);
  return writeSetting(c, key, value);
}

/**
 * `tapstack sysctl ARGS`: procps-ng sysctl. Exit status as procps 4.0.2: 0; 1 for a failed write or a
 * missing key (read failures add up); 255 for an empty key; usage on stdout with status 0 for a
 * bad option, on stderr with status 1 without arguments.
 */
export async function sysctlCommand(argv: string[], ch: ControlChannel, io: CliIO, _opts?: { signal?: AbortSignal }): Promise<number> {
  try {
    return await sysctlMain(argv, ch, io);
  } catch (e) {
    if (e instanceof ControlError) {
      io.err(`sysctl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function sysctlMain(argv: string[], ch: ControlChannel, io: CliIO): Promise<number> {
  if (argv.length === 0) {
    io.err(SYSCTL_USAGE);
    return 1;
  }
  const f: Flags = {
    printName: true, printNewline: true, ignoreError: false, nameOnly: false, quiet: false, dryRun: false,
    ignoreDeprecated: true, pattern: null,
  };
  let writeMode = false;
  let displayAllOpt = false;
  const { items, operands } = getoptLong('sysctl', argv, 'bneNwfp::qoxaAXr:Vdh', LONGOPTS);
  for (const it of items) {
    if ('error' in it) {
      io.err(`${it.error}\n`);
      io.out(SYSCTL_USAGE);
      return 0;
    }
    switch (it.opt) {
      case 'b':
        f.printNewline = false;
        f.printName = false;
        break;
      case 'n':
        f.printName = false;
        break;
      case 'e':
        f.ignoreError = true;
        break;
      case 'N':
        f.nameOnly = true;
        break;
      case 'w':
        writeMode = true;
        break;
      case 'f':
      case 'p':
      case 'system':
        io.err(`sysctl: ${it.opt === 'system' ? '--system' : `-${it.opt}`} is not supported by tapstack (settings files are the host's, not the stack's)\n`);
        return 1;
      case 'q':
        f.quiet = true;
        break;
      case 'o':
      case 'x':
        break;
      case 'a':
      case 'A':
      case 'X':
        displayAllOpt = true;
        break;
      case 'deprecated':
        f.ignoreDeprecated = false;
        break;
      case 'dry-run':
        f.dryRun = true;
        break;
      case 'r':
        f.pattern = posixEre(it.arg!) ?? false;
        break;
      case 'V':
        io.out('tapstack sysctl (procps-ng 4.0.2 compatible)\n');
        return 0;
      default:
        // -d, -h
        io.out(SYSCTL_USAGE);
        return 0;
    }
  }
  const c: Ctx = { ch, io, f };
  if (displayAllOpt) return displayAll(c);
  if (operands.length === 0) {
    io.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
    return 1;
  }
  if (f.nameOnly && f.quiet) {
    io.err("sysctl: options -N and -q cannot coexist\nTry `sysctl --help' for more information.\n");
    return 1;
  }
  let rc = 0;
  for (const arg of operands) {
    if (writeMode || arg.includes('=')) rc |= await writeArg(c, arg);
    else rc += await readSetting(c, arg);
  }
  return rc & 0xff;
}
