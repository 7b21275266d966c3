/**
 * Runs one command as a child process and measures it the way the scale
 * benchmark reports it: wall time, CPU time (user + system of the process
 * and its children) and peak memory, both of the largest single process
 * (GNU time's maximum resident set size) and of the whole process tree
 * (VmRSS of every descendant summed, sampled from /proc every 100 ms).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Run {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Seconds. */
  wall: number;
  /**
   * User + system CPU seconds of the process tree: the larger of GNU time's figure (the process and
   * the children it waited for) and the sum over every process seen in /proc (sampled every 100 ms).
   */
  cpu: number;
  /** Peak RSS of the largest single process, MiB (GNU time %M, else the sampled VmHWM). */
  peakRssMb: number;
  /** Peak of the summed RSS of the whole tree, MiB (sampled). */
  peakTreeRssMb: number;
  /** The largest processes of the tree by their own peak RSS (sampled VmHWM), e.g. node and Pagefind's service. */
  peakByProcess: { name: string; peakRssMb: number }[];
  /** 1-minute load average when the run started and ended (the machine may be shared). */
  load: [number, number];
  /**
   * CPU cores that everything else on the machine kept busy during the run, on average: the machine's busy
   * time (/proc/stat, steal included) minus the run's own CPU, over the wall time. The load average cannot
   * tell this: a run on both cores raises it by itself.
   */
  otherCores: number;
  stdoutTail: string;
  stderrTail: string;
}

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on Linux, whatever the kernel's HZ). */
const CLK_TCK = 100;
const GNU_TIME = '/usr/bin/time';
const TAIL = 16 * 1024;

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Busy CPU seconds of the whole machine since boot (/proc/stat: user, nice, system, irq, softirq, steal). */
function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    return 0;
  }
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Process ids of `root` and all its descendants (via /proc/<pid>/task/<tid>/children). */
function tree(root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) stack.push(Number(c));
      } catch {
        // the task ended
      }
    }
  }
  return out;
}

/** The process's name; Node's main thread reports itself as `MainThread`. */
function commOf(pid: number): string {
  try {
    const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return name === 'MainThread' ? 'node' : name;
  } catch {
    return '?';
  }
}

/** Own user + system CPU seconds of a process (not its children's). */
function cpuOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ on Linux
  } catch {
    return undefined;
  }
}

export interface MeasureOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutSeconds: number;
  /** Printed while running. */
  label?: string;
}

export async function measure(argv: string[], opts: MeasureOptions): Promise<Run> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-time-'));
  const timeFile = path.join(tmp, 'time.txt');
  const useTime = hasGnuTime();
  const cmd = useTime ? [GNU_TIME, '-f', '%e %U %S %M', '-o', timeFile, ...argv] : argv;
  const load0 = os.loadavg()[0]!;
  const busy0 = machineBusySeconds();
  const started = performance.now();
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(-TAIL)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-TAIL)));
  let peakTree = 0;
  let peakHwm = 0;
  // Last CPU seen per process: children that are never waited for (Pagefind's service) escape GNU time.
  const cpuSeen = new Map<number, number>();
  const hwmSeen = new Map<number, { name: string; kb: number }>();
  const sample = () => {
    if (child.pid === undefined) return;
    const pids = tree(child.pid);
    let sum = 0;
    for (const pid of pids) {
      sum += readStatusKb(pid, 'VmRSS');
      const hwm = readStatusKb(pid, 'VmHWM');
      peakHwm = Math.max(peakHwm, hwm);
      if (useTime && pid === child.pid) continue; // GNU time itself
      const seen = hwmSeen.get(pid);
      if (seen) seen.kb = Math.max(seen.kb, hwm);
      else if (hwm > 0) hwmSeen.set(pid, { name: commOf(pid), kb: hwm });
    }
    peakTree = Math.max(peakTree, sum);
    for (const pid of pids) {
      const c = cpuOf(pid);
      if (c !== undefined) cpuSeen.set(pid, c);
    }
  };
  const timer = setInterval(sample, 100);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    // Our own child's process group only.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, opts.timeoutSeconds * 1000);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  const wall = (performance.now() - started) / 1000;
  const machineBusy = machineBusySeconds() - busy0;
  clearInterval(timer);
  clearTimeout(killer);
  let cpu = [...cpuSeen.values()].reduce((a, b) => a + b, 0);
  let peakRss = peakHwm;
  if (useTime) {
    const parts = (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').pop()?.split(' ') ?? [];
    if (parts.length === 4 && parts.every((p) => p !== '' && Number.isFinite(Number(p)))) {
      cpu = Math.max(cpu, Number(parts[1]) + Number(parts[2]));
      peakRss = Math.max(peakRss, Number(parts[3]));
    }
  }
  await rm(tmp, { recursive: true, force: true });
  return {
    command: argv.map((a) => (a === process.execPath ? 'node' : a.startsWith(`${opts.cwd}/`) ? path.relative(opts.cwd, a) : a)).join(' '),
    exitCode,
    signal,
    timedOut,
    wall: round(wall, 2),
    cpu: round(cpu, 2),
    peakRssMb: round(peakRss / 1024, 1),
    peakTreeRssMb: round(Math.max(peakTree, peakRss) / 1024, 1),
    peakByProcess: [...hwmSeen.values()].sort((a, b) => b.kb - a.kb).slice(0, 3).map((x) => ({ name: x.name, peakRssMb: round(x.kb / 1024, 1) })),
    load: [round(load0, 2), round(os.loadavg()[0]!, 2)],
    otherCores: round(Math.max(0, machineBusy - cpu) / Math.max(wall, 0.001), 2),
    stdoutTail: stdout.slice(-2000),
    stderrTail: stderr.slice(-2000),
  };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
