// `tapstack ethtool -k|-K`: ethtool 6.1's feature commands (netlink/features.c: nl_gfeatures's
// dump_features, nl_sfeatures with show_feature_changes; off_flag_def's legacy names) over
// ETHTOOL_MSG_FEATURES_GET/SET, byte for byte as ethtool prints them for a Linux TAP.
import type { ControlChannel } from '../control/channel.js';
import { ControlError } from '../control/channel.js';
import { type DeviceFeature, type FeatureSetResult, LEGACY_FLAGS, expandFeatureName } from '../core/ethtool_features.js';
import type { CliIO } from './io.js';

export const ETHTOOL_HELP = `Usage: tapstack ethtool -k|--show-features|--show-offload DEVNAME
       tapstack ethtool -K|--features|--offload DEVNAME FEATURE on|off [FEATURE on|off ...]

The offload features of a device of the stack, as ethtool(8) 6.1 shows and changes them: the
legacy names (rx tx sg tso gso gro lro rxvlan txvlan ntuple rxhash, and their long forms such
as tcp-segmentation-offload) and the kernel's (tx-tcp6-segmentation, rx-gro-hw, ...).
Other ethtool commands are not supported.
`;

const ENODEV = 19;
const EOPNOTSUPP = 95;

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/** One feature's line of `ethtool -k`: its state, then [fixed] or what was asked for instead. */
function featureLine(f: DeviceFeature, indent: string, name = f.name): string {
  const suffix = f.fixed ? ' [fixed]' : f.wanted !== f.active ? ` [requested ${onOff(f.wanted)}]` : '';
  return `${indent}${name}: ${onOff(f.active)}${suffix}\n`;
}

/**
 * dump_features(): the legacy groups first, in off_flag_def's order — a group of one feature as
 * a single line under the group's name, a larger one as "on" when any member is, [fixed] when
 * all are, then each member indented by a tab — and every other feature in kernel bit order.
 */
export function formatFeatures(dev: string, features: readonly DeviceFeature[]): string {
  let out = `Features for ${dev}:\n`;
  const grouped = new Set<string>();
  for (const flag of LEGACY_FLAGS) {
    const members = features.filter((f) => flag.match(f.name));
    if (members.length === 0) continue;
    for (const m of members) grouped.add(m.name);
    if (members.length === 1) {
      out += featureLine(members[0], '', flag.long);
      continue;
    }
    const on = members.some((m) => m.active);
    out += `${flag.long}: ${onOff(on)}${members.every((m) => m.fixed) ? ' [fixed]' : ''}\n`;
    for (const m of members) out += featureLine(m, '\t');
  }
  for (const f of features) if (!grouped.has(f.name)) out += featureLine(f, '');
  return out;
}

/**
 * show_feature_changes(): when a request was not met exactly, or moved features it did not
 * name, "Actual changes:" and every feature that changed or was asked for in vain, in kernel
 * order — "[requested X]" for the latter, "[not requested]" for a change nobody asked for.
 */
export function formatFeatureChanges(r: FeatureSetResult, req: ReadonlyMap<string, boolean>): string {
  const lines: string[] = [];
  let show = false;
  r.after.forEach((f, i) => {
    const changed = r.before[i].active !== f.active;
    const want = req.get(f.name);
    const missed = want !== undefined && want !== f.active;
    if (!changed && !missed) return;
    if (missed || want === undefined) show = true;
    lines.push(`${f.name}: ${onOff(f.active)}${want === undefined ? ' [not requested]' : missed ? ` [requested ${onOff(want)}]` : ''}\n`);
  });
  return show ? `Actual changes:\n${lines.join('')}` : '';
}

/** The netlink extended-ack offset of the first unknown name's bit in ethtool's request (verbose bitset). */
function badBitOffset(dev: string, req: ReadonlyArray<readonly [string, boolean]>, bad: number): number {
  const pad = (n: number): number => (n + 3) & ~3;
  let off = 56 + pad(dev.length + 1) - 8;
  for (let i = 0; i < bad; i++) off += 8 + pad(req[i][0].length + 1) + (req[i][1] ? 4 : 0);
  return off;
}

const NO_DEVICE = 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n';

/** tapstack ethtool ARGS: status 0, 1 (as ethtool: nothing could be changed, usage), or 92 (a netlink request failed). */
export async function ethtoolCommand(argv: string[], ch: ControlChannel, io: CliIO): Promise<number> {
  const [op, dev, ...rest] = argv;
  if (op === '-h' || op === '--help') {
    io.out(ETHTOOL_HELP);
    return 0;
  }
  const show = op === '-k' || op === '--show-features' || op === '--show-offload';
  const set = op === '-K' || op === '--features' || op === '--offload';
  if (op === undefined || (!show && !set)) {
    if (op !== undefined && op.startsWith('-')) {
      io.err(`tapstack ethtool: ${op} is not supported: only -k (--show-features) and -K (--features) are\n`);
      return 1;
    }
    io.err('ethtool: bad command line argument(s)\nFor more information run ethtool -h\n');
    return 1;
  }
  if (dev === undefined || (show && rest.length > 0)) {
    io.err('ethtool: bad command line argument(s)\nFor more information run ethtool -h\n');
    return 1;
  }
  try {
    if (show) {
      const features = await ch.dump<DeviceFeature>('ETHTOOL_MSG_FEATURES_GET', { dev });
      io.out(formatFeatures(dev, features));
      return 0;
    }
    // The request as ethtool builds it: legacy names expanded to their kernel features, in order.
    const req: [string, boolean][] = [];
    for (let i = 0; i < rest.length; i += 2) {
      const v = rest[i + 1];
      if (v !== 'on' && v !== 'off') {
        io.err(`ethtool (-K): flag '${v ?? '(null)'}' for parameter '(null)' is not followed by 'on' or 'off'\n`);
        return 1;
      }
      for (const n of expandFeatureName(rest[i]) ?? [rest[i]]) req.push([n, v === 'on']);
    }
    if (req.length === 0) {
      io.err('Could not change any device features\n');
      return 1;
    }
    let r: FeatureSetResult;
    try {
      r = (await ch.call('ETHTOOL_MSG_FEATURES_SET', { dev, set: req })).body as FeatureSetResult;
    } catch (e) {
      if (e instanceof ControlError && e.errno === -EOPNOTSUPP) {
        const bad = req.findIndex(([n]) => expandFeatureName(n) === null);
        io.err(`netlink error: bit name not found (offset ${badBitOffset(dev, req, Math.max(0, bad))})\nnetlink error: Operation not supported\n`);
        return 92;
      }
      if (e instanceof ControlError && e.errno === -ENODEV) {
        io.err(NO_DEVICE);
        return 92;
      }
      throw e;
    }
    io.out(formatFeatureChanges(r, new Map(req)));
    const changed = r.after.some((f, i) => f.active !== r.before[i].active);
    if (!changed && req.some(([n, on]) => r.after.find((f) => f.name === n)!.active !== on)) {
      io.err('Could not change any device features\n');
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof ControlError && e.errno === -ENODEV) {
      io.err(NO_DEVICE);
      return 1;
    }
    throw e;
  }
}
