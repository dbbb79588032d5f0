// Waiting on an emulated call from the caller's side: for its stream to start, for call time to
// pass (cut short when the call ends on its own). Each wait owns and clears its timer.
import type { EmulatedCall } from '../../emulator/index.js';

/** How long the TwiML before <Connect> (the greeting) may take before the stream must start. */
export const STREAM_START_WAIT_MS = 30_000;

/** Resolves true once `start` has been sent on the stream, false if the call ends or it never starts. */
export async function streamStarted(call: EmulatedCall, waitMs = STREAM_START_WAIT_MS): Promise<boolean> {
  const started = call.waitFor('start-sent', { timeoutMs: waitMs }).then(
    () => true,
    () => false,
  );
  return Promise.race([started, call.done.then(() => false)]);
}

/** Waits `ms`, or less if the call ends first; resolves true when the full time passed. */
export async function during(call: EmulatedCall, ms: number): Promise<boolean> {
  if (call.isFinished) return false;
  let timer: NodeJS.Timeout | undefined;
  const full = await Promise.race([
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, ms)))),
    call.done.then(() => false),
  ]);
  clearTimeout(timer);
  return full;
}
