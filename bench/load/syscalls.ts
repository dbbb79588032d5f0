// System calls a target makes during the steady window, counted by `perf stat` on the kernel's
// syscall tracepoints (optional: --syscalls; needs perf and access to the tracepoints). On this
// kind of machine the kernel is half of a bridge's CPU, so calls per frame explain µs per frame.
import { spawn } from 'node:child_process';

const EVENTS = [
  'read',
  'write',
  'writev',
  'epoll_wait',
  'epoll_pwait',
  'epoll_ctl',
  'futex',
  'madvise',
  'mmap',
  'munmap',
];

export interface SyscallCounts {
  total: number;
  byName: Record<string, number>;
}

/** Starts counting now for `ms`; resolves with the counts (undefined if perf is unavailable). */
export function countSyscalls(pids: number[], ms: number): Promise<SyscallCounts | undefined> {
  const events = ['raw_syscalls:sys_enter', ...EVENTS.map((e) => `syscalls:sys_enter_${e}`)];
  return new Promise((resolve) => {
    let out = '';
    const perf = spawn(
      'perf',
      ['stat', '-x', ',', '-e', events.join(','), '-p', pids.join(','), '--', 'sleep', String(ms / 1000)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    perf.stderr.on('data', (d: Buffer) => (out += d.toString()));
    perf.on('error', () => resolve(undefined));
    perf.on('close', () => {
      const byName: Record<string, number> = {};
      let total = NaN;
      for (const line of out.split('\n')) {
        const [count, , event] = line.split(',');
        const n = Number(count);
        if (!event || !Number.isFinite(n)) continue;
        if (event === 'raw_syscalls:sys_enter') total = n;
        else byName[event.replace('syscalls:sys_enter_', '')] = n;
      }
      resolve(Number.isFinite(total) ? { total, byName } : undefined);
    });
  });
}

/**
 * `perf record` of the target over the window (--perf): kernel and JIT-compiled JavaScript alike
 * (the target runs with --perf-basic-prof so perf can name JS functions). Read it with
 * `perf report -i <file> --no-children --sort sym`.
 */
export function recordPerf(pids: number[], ms: number, file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const perf = spawn(
      'perf',
      ['record', '-F', '2000', '-g', '-o', file, '-p', pids.join(','), '--', 'sleep', String(ms / 1000)],
      { stdio: 'ignore' },
    );
    perf.on('error', () => resolve(false));
    perf.on('close', (code) => resolve(code === 0));
  });
}
