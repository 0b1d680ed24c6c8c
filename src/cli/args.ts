// Command-line parsing shared by the tapstack commands: long options with values, repeated
// options, and usage errors that exit with status 2 like most Unix tools.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Takes a value (`--addr 10.0.0.2/24` or `--addr=10.0.0.2/24`). */
  value?: boolean;
  /** May be given more than once; values collect in an array. */
  repeat?: boolean;
  /** One-letter alias without the dash. */
  short?: string;
}

export interface Parsed {
  opts: Map<string, string[]>;
  positionals: string[];
}

/** Parses argv against a spec; unknown options and missing values are usage errors. */
export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): Parsed {
  const opts = new Map<string, string[]>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) byShort.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (a.length === 2 && a[0] === '-' && a[1] !== '-') {
      name = byShort.get(a[1]);
      if (!name) throw new UsageError(`unknown option '${a}'`);
    } else {
      positionals.push(a);
      continue;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option '--${name}'`);
    let v = 'true';
    if (s.value) {
      if (inline !== undefined) v = inline;
      else if (i + 1 < argv.length) v = argv[++i];
      else throw new UsageError(`option '--${name}' needs a value`);
    } else if (inline !== undefined) {
      throw new UsageError(`option '--${name}' takes no value`);
    }
    const list = opts.get(name) ?? [];
    if (list.length && !s.repeat) throw new UsageError(`option '--${name}' given more than once`);
    list.push(v);
    opts.set(name, list);
  }
  return { opts, positionals };
}

export function one(p: Parsed, name: string): string | undefined {
  return p.opts.get(name)?.[0];
}

export function all(p: Parsed, name: string): string[] {
  return p.opts.get(name) ?? [];
}

/** Interface names as the kernel accepts them (dev_valid_name). */
export function validIfName(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}
