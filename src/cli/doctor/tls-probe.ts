// One TLS handshake to host:port with SNI, reporting the certificate and whether it is valid for
// the host (chain and name), without trusting it blindly. Owns its socket and timer.
import net from 'node:net';
import tls from 'node:tls';

export type TlsProbe =
  | {
      ok: true;
      /** The chain verifies and the name matches. */
      valid: boolean;
      problem?: string;
      subject: string;
      issuer: string;
      validTo: Date;
      daysLeft: number;
      protocol: string;
    }
  | { ok: false; message: string };

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function probeTls(hostname: string, port: number, timeoutMs: number): Promise<TlsProbe> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tls.connect({
      host: hostname,
      port,
      // SNI is for names only; an IP address is sent without it.
      ...(net.isIP(hostname) ? {} : { servername: hostname }),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const finish = (result: TlsProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, message: `no TLS handshake within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('error', (err) => finish({ ok: false, message: err.message }));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) {
        finish({ ok: false, message: 'the server sent no certificate' });
        return;
      }
      const nameError = tls.checkServerIdentity(hostname, cert);
      const chainError = socket.authorized ? undefined : String(socket.authorizationError ?? 'not trusted');
      const validTo = new Date(cert.valid_to);
      const problem = chainError ?? nameError?.message;
      finish({
        ok: true,
        valid: !problem,
        ...(problem ? { problem } : {}),
        subject: first(cert.subject?.CN) ?? JSON.stringify(cert.subject),
        issuer: first(cert.issuer?.O) ?? first(cert.issuer?.CN) ?? JSON.stringify(cert.issuer),
        validTo,
        daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
        protocol: socket.getProtocol() ?? 'unknown',
      });
    });
  });
}
