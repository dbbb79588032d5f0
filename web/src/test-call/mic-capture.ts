// The browser's microphone as float samples at the AudioContext's rate: getUserMedia → an
// AudioWorklet (a file of the build, so CSP 'self' allows it), or a ScriptProcessor where
// AudioWorklet is missing. Both are pulled through a muted gain so the graph keeps running.
import workletUrl from './capture-worklet.ts?worker&url';

export interface MicCapture {
  readonly sampleRate: number;
  stop(): void;
}

const CONSTRAINTS: MediaTrackConstraints = {
  channelCount: 1,
  // The agent plays through the speakers: without cancellation it would hear itself and stop.
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export async function startMicCapture(
  ctx: AudioContext,
  onSamples: (samples: Float32Array) => void,
): Promise<MicCapture> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: CONSTRAINTS });
  const source = ctx.createMediaStreamSource(stream);
  const mute = ctx.createGain();
  mute.gain.value = 0;
  mute.connect(ctx.destination);
  let node: AudioNode;
  if (typeof AudioWorkletNode !== 'undefined' && ctx.audioWorklet) {
    await ctx.audioWorklet.addModule(workletUrl);
    const worklet = new AudioWorkletNode(ctx, 'test-call-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    worklet.port.onmessage = (event: MessageEvent<Float32Array>) => onSamples(event.data);
    node = worklet;
  } else {
    // Deprecated, but the only capture in browsers without AudioWorklet.
    const processor = ctx.createScriptProcessor(1024, 1, 1);
    processor.onaudioprocess = (event) => onSamples(event.inputBuffer.getChannelData(0).slice());
    node = processor;
  }
  source.connect(node);
  node.connect(mute);
  return {
    sampleRate: ctx.sampleRate,
    stop() {
      source.disconnect();
      node.disconnect();
      mute.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
