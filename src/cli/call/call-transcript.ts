// The server's transcript of a call the CLI just made, read from the CRM API with an API key:
// waits (bounded) while voicemails and answer clips are still being transcribed and the call
// analysed, so `agentlocator call --audio caller.wav` ends with what the server understood.

export interface ServerTranscript {
  turns: { role: 'caller' | 'agent'; text: string }[];
  summary: string | null;
  /** Why there is no (complete) transcript: transcription off, the key refused, still working… */
  note?: string;
}

interface CallDetail {
  transcript?: { role: 'caller' | 'agent'; text: string }[];
  recordings?: { source: string; status: string | null; transcript?: string }[];
  summary?: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the server still owes text: a voicemail or answer without one, or a summary to come. */
function pending(detail: CallDetail, analysis: boolean): boolean {
  const owed = (detail.recordings ?? []).filter(
    (r) => (r.source === 'answer' || r.source === 'voicemail') && r.status === 'completed',
  );
  if (owed.some((r) => r.transcript === undefined)) return true;
  return analysis && owed.some((r) => r.transcript) && !detail.summary;
}

export async function fetchServerTranscript(opts: {
  origin: string;
  callSid: string;
  apiKey: string;
  waitMs: number;
  pollMs?: number;
}): Promise<ServerTranscript> {
  const headers = { authorization: `Bearer ${opts.apiKey}`, accept: 'application/json' };
  const get = (path: string) =>
    fetch(`${opts.origin}${path}`, { headers, redirect: 'error', signal: AbortSignal.timeout(10_000) });
  let transcription = true;
  let analysis = false;
  try {
    const ready = (await (await get('/readyz')).json()) as { transcription?: string; analysis?: string };
    transcription = ready.transcription !== 'disabled';
    analysis = ready.analysis === 'ok';
  } catch {
    /* an older server: ask for the call anyway */
  }
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    let response: Response;
    try {
      response = await get(`/api/v1/calls/${encodeURIComponent(opts.callSid)}`);
    } catch (err) {
      return { turns: [], summary: null, note: `the server did not answer: ${(err as Error).message}` };
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      return { turns: [], summary: null, note: 'the server refused the API key' };
    }
    const detail = response.ok ? ((await response.json()) as CallDetail) : undefined;
    if (!response.ok) await response.body?.cancel();
    const busy = detail === undefined || (transcription && pending(detail, analysis));
    if (!busy || Date.now() >= deadline) {
      const turns = (detail?.transcript ?? []).map(({ role, text }) => ({ role, text }));
      const note = !transcription
        ? 'transcription is off on the server (TRANSCRIBE_URL unset)'
        : detail === undefined
          ? `the server has no call ${opts.callSid} (HTTP ${response.status})`
          : busy
            ? 'the server is still transcribing; see the dashboard'
            : undefined;
      return { turns, summary: detail?.summary ?? null, ...(note ? { note } : {}) };
    }
    await sleep(opts.pollMs ?? 500);
  }
}
