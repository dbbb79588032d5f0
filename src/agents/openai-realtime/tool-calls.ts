// Function calls of one call: runs each tool, sends its output back as a function_call_output
// item, and lets the ResponseSequencer ask for the model's next turn once the response that made
// the call is done. Calls that change the call itself (end, transfer) are handed to the agent.
import type { Handoff } from '../agent.js';
import { functionCallOutput } from './client-events.js';
import { KeypadCollector, matchesCallerId } from './keypad.js';
import type { ResponseSequencer } from './responses.js';
import type { EventOf } from './server-events.js';
import { runTool, type ToolContext, type ToolOutcome } from './tools/run-tool.js';

export interface ToolCallHost {
  /** The upstream session now; outputs for an older session are dropped. */
  epoch(): number;
  send(text: string): boolean;
  readonly responses: ResponseSequencer;
  endCall(reason: string): void;
  transfer(target: Handoff): void;
}

type FunctionCallDone = EventOf<'response.function_call_arguments.done'>;

export class ToolCalls {
  private readonly keypad = new KeypadCollector();

  constructor(
    private readonly ctx: ToolContext,
    private readonly keypadTimeoutMs: number,
    private readonly host: ToolCallHost,
  ) {}

  handle(e: FunctionCallDone): void {
    const epoch = this.host.epoch();
    this.host.responses.callStarted(e.response_id);
    this.ctx.log.info({ tool: e.name, callId: e.call_id }, 'REALTIME_TOOL_CALL');
    void runTool(e.name, e.arguments, this.ctx)
      .then((outcome) => {
        // An answer for a session that was replaced meanwhile has nowhere to go.
        if (epoch === this.host.epoch()) this.done(e, epoch, outcome);
      })
      .catch((err: unknown) => this.ctx.log.error({ err, tool: e.name }, 'REALTIME_BUG: a tool call threw'));
  }

  private done(e: FunctionCallDone, epoch: number, outcome: ToolOutcome): void {
    switch (outcome.kind) {
      case 'output':
        return this.answer(e, outcome.output, true);
      case 'end-call':
        // A goodbye already spoken in the same response needs no second one.
        this.answer(e, outcome.output, !this.host.responses.hadAudio(e.response_id));
        return this.host.endCall(outcome.reason);
      case 'transfer':
        this.answer(e, outcome.output, true);
        return this.host.transfer(outcome.target);
      case 'keypad':
        return this.keypad.start(outcome.maxDigits, this.keypadTimeoutMs, (result) => {
          if (epoch !== this.host.epoch()) return;
          const match = result.digits ? matchesCallerId(result.digits, this.ctx.from) : undefined;
          this.ctx.log.info({ complete: result.complete, reason: result.reason }, 'REALTIME_KEYPAD_DONE');
          const output = {
            ok: result.complete,
            digits: result.digits,
            ended_by: result.reason,
            ...(match === undefined ? {} : { matches_caller_id: match }),
          };
          this.answer(e, output, true);
        });
    }
  }

  /** A DTMF digit; false when no keypad entry is waiting for it. */
  feedDigit(digit: string): boolean {
    return this.keypad.feed(digit);
  }

  /** The session changed or the call ended: a waiting keypad entry is dropped. */
  cancel(): void {
    this.keypad.cancel(true);
  }

  private answer(e: FunctionCallDone, output: unknown, respond: boolean): void {
    try {
      this.host.send(functionCallOutput(e.call_id, output));
      this.host.responses.callFinished(e.response_id, respond);
    } catch (err) {
      // Runs from promise callbacks and keypad timers: nothing may escape from here.
      this.ctx.log.error({ err, tool: e.name }, 'REALTIME_BUG: answering a tool call threw');
    }
  }
}
