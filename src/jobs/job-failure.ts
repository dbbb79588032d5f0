// Why a job's attempt failed, and whether another attempt can help: rate limits, server errors
// and the network are retried with backoff; any other 4xx (a bad key, a refused file) is final,
// and the reason goes on the call's timeline.

export class JobFailure extends Error {
  constructor(
    message: string,
    /** False: retrying cannot help (a 4xx other than 408/409/429). */
    readonly retryable: boolean,
    /** The HTTP status that caused it, when one did. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

/** 408, 409 (a busy resource), 425, 429 and every 5xx are worth another attempt. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/**
 * A failure from an API's non-2xx answer. The body's error message (OpenAI's `{error:{message}}`)
 * helps the operator; it is capped, and it never holds our request's content.
 */
export async function httpFailure(service: string, response: Response): Promise<JobFailure> {
  let detail = '';
  try {
    const text = (await response.text()).slice(0, 2000);
    try {
      const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
      const message =
        typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message ?? undefined);
      detail = typeof message === 'string' ? message : '';
    } catch {
      detail = text;
    }
  } catch {
    /* the body could not be read: the status says enough */
  }
  detail = detail.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new JobFailure(
    `${service} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`,
    retryableStatus(response.status),
    response.status,
  );
}

/** A request that never got an answer (refused, reset, timed out): worth another attempt. */
export function networkFailure(service: string, err: unknown): JobFailure {
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  const name = (err as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? (err as Error).message);
  return new JobFailure(`${service} did not answer: ${name}`, true);
}
