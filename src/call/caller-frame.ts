// One caller frame as the agent sees it: the base64 Twilio sent, decoded only if an agent asks.
import type { CallerFrame } from '../agents/agent.js';

export class Frame implements CallerFrame {
  private decoded: Buffer | undefined;
  constructor(
    readonly payload: string,
    readonly timestampMs: number,
  ) {}
  bytes(): Buffer {
    return (this.decoded ??= Buffer.from(this.payload, 'base64'));
  }
}
