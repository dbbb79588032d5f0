// Terminal output for the CLI: colour and a one-line progress spinner on a TTY, plain text on a
// pipe (no escape codes). Colour follows the stream's own judgement (NO_COLOR, FORCE_COLOR, TERM).
import type { Writable } from 'node:stream';

export interface Term {
  readonly tty: boolean;
  readonly colour: boolean;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  line(s?: string): void;
  /** Shows `label` with a spinner until the returned stop() (TTY only; a no-op on a pipe). */
  progress(label: string): () => void;
}

type Out = Writable & { isTTY?: boolean; hasColors?: () => boolean; columns?: number };

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createTerm(out: Out): Term {
  const tty = out.isTTY === true;
  const colour = tty && (out.hasColors?.() ?? false);
  const paint = (code: number, reset: number) => (s: string) =>
    colour ? `\u001b[${code}m${s}\u001b[${reset}m` : s;
  return {
    tty,
    colour,
    green: paint(32, 39),
    red: paint(31, 39),
    yellow: paint(33, 39),
    dim: paint(2, 22),
    bold: paint(1, 22),
    line: (s = '') => void out.write(`${s}\n`),
    progress(label) {
      if (!tty) return () => undefined;
      let i = 0;
      const width = Math.max(20, (out.columns ?? 80) - 1);
      const draw = () => {
        const text = `${FRAMES[i++ % FRAMES.length]} ${label}`.slice(0, width);
        out.write(`\r\u001b[2K${colour ? `\u001b[2m${text}\u001b[22m` : text}`);
      };
      draw();
      const timer = setInterval(draw, 80);
      return () => {
        clearInterval(timer);
        out.write('\r\u001b[2K');
      };
    },
  };
}
