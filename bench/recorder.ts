// The call recorder's own CPU per caller frame, outside the load bench: N recorders (one per
// call) each fed an agent delta and a caller frame (base64, 160 bytes each) in turn, as a live
// call does, to real WAV files in a temporary folder. Run: npx tsx bench/recorder.ts [calls]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallRecorder } from '../src/call/recorder.js';

const calls = Number(process.argv[2] ?? 200);
const frames = 500; // 10 s of audio per call (160 KB of WAV each)
const dir = mkdtempSync(path.join(tmpdir(), 'recorder-bench-'));
// Distinct strings as JSON.parse hands them over (not literals V8 could share).
const payloads = Array.from(
  { length: 64 },
  (_, i) => (JSON.parse(JSON.stringify({ p: Buffer.alloc(160, i).toString('base64') })) as { p: string }).p,
);

async function run(): Promise<{ wallNs: number; cpuNs: number; sysNs: number }> {
  const recorders = Array.from({ length: calls }, (_, i) => new CallRecorder(path.join(dir, `${i}.wav`)));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < calls; c++) {
      const r = recorders[c]!;
      r.agentBase64(payloads[(f + c) & 63]!);
      r.callerBase64(payloads[(f * 3 + c) & 63]!);
    }
  }
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(recorders.map((r) => r.finish()));
  for (const r of recorders) rmSync(r.file, { force: true });
  const n = calls * frames;
  return { wallNs: wall / n, cpuNs: ((cpu.user + cpu.system) * 1000) / n, sysNs: (cpu.system * 1000) / n };
}

try {
  await run(); // warm-up: JIT, page cache
  const runs = [await run(), await run(), await run()].sort((a, b) => a.cpuNs - b.cpuNs);
  const median = runs[1]!;
  console.log(
    `recorder, ${calls} calls × ${frames} frames: median of 3 runs ${median.cpuNs.toFixed(0)} ns CPU per caller frame ` +
      `(${median.sysNs.toFixed(0)} ns of it in the kernel: the disk writes), ${median.wallNs.toFixed(0)} ns wall`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
