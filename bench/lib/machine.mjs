// Machine facts printed at the top of every benchmark run: numbers mean little without them.
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuinfoField(name) {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm'));
    return m ? m[1].trim() : null;
  } catch {
    return null;
  }
}

export function machineFacts() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? cpuinfoField('model name') ?? 'unknown',
    cpuMHz: cpus[0]?.speed || Number(cpuinfoField('cpu MHz')) || null,
    cores: cpus.length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemMiB: Math.round(os.totalmem() / 1048576),
    loadAvg: os.loadavg().map((x) => Number(x.toFixed(2))),
    execArgv: process.execArgv,
    date: new Date().toISOString(),
  };
}

export function printMachineFacts(title, facts = machineFacts()) {
  console.log(`# ${title}`);
  console.log(`cpu      ${facts.cpuModel}${facts.cpuMHz ? ` @ ${facts.cpuMHz} MHz` : ''}, ${facts.cores} cores (available parallelism ${facts.availableParallelism})`);
  console.log(`node     ${facts.node} (V8 ${facts.v8})${facts.execArgv.length ? ` ${facts.execArgv.join(' ')}` : ''}`);
  console.log(`os       ${facts.platform}, ${facts.totalMemMiB} MiB RAM, load average ${facts.loadAvg.join(' ')}`);
  console.log(`date     ${facts.date}`);
  if (facts.loadAvg[0] > facts.cores * 0.5) {
    console.log(`warning  load average ${facts.loadAvg[0]} on ${facts.cores} cores: other work is running, expect noisy figures`);
  }
  console.log('');
  return facts;
}
