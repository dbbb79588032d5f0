// Where a recording's audio is: in the blob store (`blob:` rows: call audio, answer clips, any
// instance serves them), a local WAV inside DATA_DIR (rows from before the blob store), or a
// Twilio voicemail fetched once with the account's credentials into the blob store under
// recordings/<sid>.wav, so Twilio's URL never reaches a browser. The CRM's player and the
// transcription jobs both open recordings here; DELETE_TWILIO_RECORDINGS deletes Twilio's copy.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { RecordingRecord } from '../store/store.js';
import { BlobMissing, blobKeyOf, type BlobRange, type BlobStore } from '../blobs/blob-store.js';

export interface TwilioRecordingAccess {
  accountSid: string;
  authToken: string;
  /** Twilio's REST origin; https://api.twilio.com unless TWILIO_API_BASE_URL says otherwise. */
  baseUrl?: string | undefined;
}

export interface AudioFile {
  size: number;
  contentType: 'audio/wav' | 'audio/mpeg';
  /** The bytes (a range of them, both ends included); rejects with AudioUnavailable. */
  read(range?: BlobRange): Promise<Readable>;
}

/** Why a recording cannot be played, as the HTTP answer to give. */
export class AudioUnavailable extends Error {
  constructor(
    readonly status: 403 | 404 | 502 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AudioUnavailable';
  }
}

const TWILIO_RECORDING_PATH =
  /^(\/2010-04-01\/Accounts\/AC[0-9a-fA-F]{32}\/Recordings\/(RE[0-9a-fA-F]{32}))(\.\w+)?$/;
const TWILIO_HOST = /(^|\.)twilio\.com$/i;
/** Where a fetched voicemail is kept in the blob store. */
export const voicemailKey = (recordingSid: string) => `recordings/${recordingSid}.wav`;

/** Twilio keeps voicemails up to hours long: 4 h of 16-bit 8 kHz is 230 MB. */
const MAX_BYTES = 256 * 1024 * 1024;

function contentTypeOf(file: string): AudioFile['contentType'] | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === '.wav' ? 'audio/wav' : ext === '.mp3' ? 'audio/mpeg' : undefined;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export interface RecordingAudioOptions {
  dataDir: string;
  blobs: BlobStore;
  twilio: TwilioRecordingAccess | undefined;
  log: Logger;
  timeoutMs?: number;
}

export class RecordingAudio {
  /** One fetch per voicemail however many players ask at once. */
  private readonly fetching = new Map<string, Promise<AudioFile>>();

  constructor(private readonly opts: RecordingAudioOptions) {}

  async open(rec: RecordingRecord): Promise<AudioFile> {
    if (!rec.url) throw new AudioUnavailable(404, 'RECORDING_NOT_READY', 'the recording has no audio yet');
    if (/^https?:\/\//i.test(rec.url)) return this.voicemail(rec.recordingSid, rec.url);
    const key = blobKeyOf(rec.url);
    if (key !== undefined) return this.blob(rec.recordingSid, key);
    return this.local(rec.recordingSid, rec.url);
  }

  private async blob(recordingSid: string, key: string): Promise<AudioFile> {
    const audio = await this.kept(recordingSid, key);
    if (!audio) throw new AudioUnavailable(404, 'RECORDING_FILE_MISSING', 'the audio file is gone');
    return audio;
  }

  /** A blob's audio, or undefined when the store has no such blob. */
  private async kept(recordingSid: string, key: string): Promise<AudioFile | undefined> {
    const contentType = contentTypeOf(key);
    if (!contentType)
      throw new AudioUnavailable(404, 'RECORDING_NOT_AUDIO', 'the recording is not a WAV or MP3 file');
    const unavailable = (err: unknown) => {
      if (err instanceof BlobMissing)
        return new AudioUnavailable(404, 'RECORDING_FILE_MISSING', 'the audio file is gone');
      this.opts.log.warn(
        { recordingSid, store: this.opts.blobs.kind, err: (err as Error).message },
        'BLOB_STORE_FAILED: a recording could not be read',
      );
      return new AudioUnavailable(502, 'BLOB_STORE_FAILED', 'the recordings store did not answer');
    };
    const size = await this.opts.blobs.size(key).catch((err: unknown) => {
      throw unavailable(err);
    });
    if (size === undefined) return undefined;
    const read = (range?: BlobRange) =>
      this.opts.blobs.read(key, range).catch((err: unknown) => {
        throw unavailable(err);
      });
    return { size, contentType, read };
  }

  private async local(recordingSid: string, file: string): Promise<AudioFile> {
    const contentType = contentTypeOf(file);
    if (!contentType)
      throw new AudioUnavailable(404, 'RECORDING_NOT_AUDIO', 'the recording is not a WAV or MP3 file');
    let real: string;
    let root: string;
    try {
      root = await realpath(this.opts.dataDir);
      real = await realpath(file);
    } catch (err) {
      if (missing(err)) throw new AudioUnavailable(404, 'RECORDING_FILE_MISSING', 'the audio file is gone');
      throw err;
    }
    // A row naming a file elsewhere (or a symlink out of DATA_DIR) is never served.
    if (!real.startsWith(root + path.sep)) {
      this.opts.log.warn({ recordingSid }, 'RECORDING_PATH_REFUSED: the file is outside DATA_DIR');
      throw new AudioUnavailable(
        403,
        'RECORDING_PATH_REFUSED',
        'the recording’s file is outside the data directory',
      );
    }
    const info = await stat(real);
    if (!info.isFile()) throw new AudioUnavailable(404, 'RECORDING_FILE_MISSING', 'the audio file is gone');
    return {
      size: info.size,
      contentType,
      read: async (range) => createReadStream(real, range ? { start: range.start, end: range.end } : {}),
    };
  }

  private async voicemail(recordingSid: string, url: string): Promise<AudioFile> {
    const key = voicemailKey(recordingSid);
    const kept = await this.kept(recordingSid, key);
    if (kept) return kept;
    let pending = this.fetching.get(recordingSid);
    if (!pending) {
      pending = this.fetchFromTwilio(recordingSid, url, key).finally(() =>
        this.fetching.delete(recordingSid),
      );
      this.fetching.set(recordingSid, pending);
    }
    return pending;
  }

  private async fetchFromTwilio(recordingSid: string, url: string, key: string): Promise<AudioFile> {
    const access = this.opts.twilio;
    if (!access) {
      throw new AudioUnavailable(
        503,
        'TWILIO_NOT_CONFIGURED',
        'voicemails are kept at Twilio: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to play them',
      );
    }
    const { origin, path: recordingPath, auth } = this.twilioTarget(access, recordingSid, url);
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(`${origin}${recordingPath}.wav`, {
        headers: { authorization: auth },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      this.opts.log.warn({ recordingSid, err: (err as Error).message }, 'VOICEMAIL_FETCH_FAILED');
      throw new AudioUnavailable(502, 'TWILIO_FETCH_FAILED', 'Twilio did not answer for the recording');
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      this.opts.log.warn({ recordingSid, status: response.status }, 'VOICEMAIL_FETCH_FAILED');
      if (response.status === 404)
        throw new AudioUnavailable(404, 'RECORDING_NOT_AT_TWILIO', 'Twilio has no audio for this recording');
      if (response.status === 401 || response.status === 403)
        throw new AudioUnavailable(502, 'TWILIO_AUTH_FAILED', 'Twilio refused the account credentials');
      throw new AudioUnavailable(502, 'TWILIO_FETCH_FAILED', `Twilio answered ${response.status}`);
    }
    const size = await this.store(response.body, key);
    this.opts.log.info({ recordingSid, bytes: size, ms: Date.now() - started }, 'VOICEMAIL_FETCHED');
    return this.blob(recordingSid, key);
  }

  /**
   * Where Twilio keeps a voicemail: its recording path under the configured REST origin.
   * Credentials only ever go to that origin, whatever host the row names.
   */
  private twilioTarget(access: TwilioRecordingAccess, recordingSid: string, url: string) {
    const source = new URL(url);
    const match = TWILIO_RECORDING_PATH.exec(source.pathname);
    if (!TWILIO_HOST.test(source.hostname) || !match || match[2] !== recordingSid) {
      throw new AudioUnavailable(
        404,
        'RECORDING_URL_UNKNOWN',
        'the recording’s URL is not a Twilio recording',
      );
    }
    return {
      origin: (access.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, ''),
      path: match[1]!,
      auth: `Basic ${Buffer.from(`${access.accountSid}:${access.authToken}`).toString('base64')}`,
    };
  }

  /**
   * Deletes Twilio's copy of a voicemail once ours is in the blob store (DELETE_TWILIO_RECORDINGS).
   * True when Twilio no longer has it (deleted now, or already gone); never deletes what we did
   * not keep.
   */
  async deleteAtTwilio(rec: RecordingRecord): Promise<boolean> {
    const access = this.opts.twilio;
    if (!access || !rec.url || !/^https?:\/\//i.test(rec.url)) return false;
    const size = await this.opts.blobs.size(voicemailKey(rec.recordingSid)).catch(() => undefined);
    if (!size) return false;
    const { origin, path: recordingPath, auth } = this.twilioTarget(access, rec.recordingSid, rec.url);
    const response = await fetch(`${origin}${recordingPath}.json`, {
      method: 'DELETE',
      headers: { authorization: auth },
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    await response.body?.cancel();
    const gone = response.status === 204 || response.status === 404;
    const fields = { recordingSid: rec.recordingSid, status: response.status };
    if (gone) this.opts.log.info(fields, 'VOICEMAIL_DELETED_AT_TWILIO');
    else this.opts.log.warn(fields, 'VOICEMAIL_DELETE_FAILED');
    return gone;
  }

  /** Streams to a private temp file, then into the blob store whole: a reader never sees half a file. */
  private async store(body: ReadableStream<Uint8Array>, key: string): Promise<number> {
    const dir = path.join(this.opts.dataDir, 'recordings');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `${path.basename(key)}.${randomBytes(6).toString('hex')}.part`);
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > MAX_BYTES ? new Error('recording larger than 256 MB') : null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]),
        limit,
        createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
      );
      await chmod(temp, 0o600);
      await this.opts.blobs.adopt(temp, key, 'audio/wav');
    } catch (err) {
      await rm(temp, { force: true });
      throw new AudioUnavailable(
        502,
        'TWILIO_FETCH_FAILED',
        `the recording could not be kept: ${(err as Error).message}`,
      );
    }
    return size;
  }
}

/** The server's RecordingAudio: Twilio's account and the token its REST client uses. */
export function recordingAudioFor(
  config: Pick<Config, 'dataDir' | 'twilioAccountSid' | 'twilioApiBaseUrl'>,
  authToken: string,
  log: Logger,
  blobs: BlobStore,
): RecordingAudio {
  return new RecordingAudio({
    dataDir: config.dataDir,
    blobs,
    log,
    twilio: config.twilioAccountSid
      ? { accountSid: config.twilioAccountSid, authToken, baseUrl: config.twilioApiBaseUrl }
      : undefined,
  });
}
