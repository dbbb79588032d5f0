// What each Twilio error means for this server and how to fix it, in English (part of en.ts).
import type { twilioHe } from './twilio-he.js';

export const twilioEn: typeof twilioHe = {
  11100: {
    title: 'Invalid URL',
    what: 'The URL set in Twilio (or in the call’s instructions) is not a valid web address.',
    fix: 'Set the number’s voice webhook in Twilio to the full https://<server>/webhook/incoming_call.',
  },
  11200: {
    title: 'HTTP retrieval failure',
    what: 'Twilio called the server and got no usable answer (an error, an empty reply or a timeout).',
    fix: 'Check that the server is up (Settings shows "ready") and the number’s URL in Twilio is right; the server log has the request.',
  },
  11205: {
    title: 'HTTP connection failure',
    what: 'Twilio could not connect to the server at all.',
    fix: 'Make the server reachable from the internet at its public address (DNS, firewall, port 443) and check it is running.',
  },
  11220: {
    title: 'TLS handshake error',
    what: 'Twilio did not trust the server’s certificate.',
    fix: 'Install a valid certificate for the public host (Let’s Encrypt, for example) with its intermediate chain.',
  },
  11750: {
    title: 'Answer too large',
    what: 'The call instructions the server returned are larger than Twilio allows.',
    fix: 'Shorten the greeting or the prompts in the configuration.',
  },
  12100: {
    title: 'Instructions could not be read',
    what: 'Twilio got an answer that is not valid XML — usually a proxy’s error page instead of the server’s answer.',
    fix: 'Make sure the URL reaches the server itself, not a login or error page of a proxy.',
  },
  12200: {
    title: 'Schema warning',
    what: 'The call instructions held something Twilio does not know; the call went on.',
    fix: 'Usually nothing to do; if it keeps happening, update the server.',
  },
  12300: {
    title: 'Invalid Content-Type',
    what: 'The server (or a proxy on the way) answered with something other than XML, such as an HTML page.',
    fix: 'Point the webhook straight at /webhook/incoming_call and make sure no proxy replaces the answer.',
  },
  15003: {
    title: 'Status callback warning',
    what: 'A status update Twilio sent the server was not accepted.',
    fix: 'Check the server was reachable at that moment; later updates usually arrive anyway.',
  },
  15004: {
    title: 'Relative URL in instructions',
    what: 'Call instructions sent through Twilio’s REST API held a relative URL (no host), so Twilio did not know where to go.',
    fix: 'Set PUBLIC_HOST, so the server writes full URLs in the instructions it sends when it transfers or redirects a call.',
  },
  31901: {
    title: 'Stream connection timeout',
    what: 'Twilio tried to open the audio stream to the server and got no answer in time.',
    fix: 'Make sure port 443 reaches the server from the internet and the server is not overloaded; check the firewall.',
  },
  31902: {
    title: 'Stream connection refused',
    what: 'Nothing was listening at the audio stream’s address.',
    fix: 'Check the server is running and the proxy forwards to the right port.',
  },
  31903: {
    title: 'Stream connection broken',
    what: 'The audio stream was cut in the middle of the call.',
    fix: 'Check whether the server restarted or crashed, and whether the proxy limits long-lived connections.',
  },
  31910: {
    title: 'Stream TLS error',
    what: 'Twilio did not trust the certificate on the audio stream connection (wss).',
    fix: 'Install a valid certificate for the public host, with its full intermediate chain.',
  },
  31920: {
    title: 'Stream handshake failed',
    what: 'Twilio reached the server, but opening the audio stream failed — usually a wrong public host, a proxy that does not pass WebSockets, or a refused signature.',
    fix: 'Set PUBLIC_HOST to the host Twilio reaches, make the proxy pass Upgrade and Connection headers, and check Settings.',
  },
  31921: {
    title: 'Stream closed',
    what: 'The audio stream did not close the usual way. At the end of a call this is normally fine.',
    fix: 'Nothing to do if it happens only at hang-up; if it happens mid-call, look for server restarts.',
  },
  31922: {
    title: 'Stream URL scheme not supported',
    what: 'The audio stream’s URL did not start with wss://.',
    fix: 'Set PUBLIC_HOST to a bare host name (no http://); the server builds the wss:// URL itself.',
  },
  31923: {
    title: 'Malformed stream URL',
    what: 'The audio stream’s URL is not a valid address.',
    fix: 'Set PUBLIC_HOST to a bare host name, without a path, spaces or odd characters.',
  },
  31924: {
    title: 'Stream protocol error',
    what: 'The audio stream connection broke the WebSocket protocol.',
    fix: 'Make sure the proxy does not alter the connection (no compression or rewriting), and update the server.',
  },
  31950: {
    title: 'Malformed stream message',
    what: 'The server sent Twilio a message it could not read.',
    fix: 'A server bug: update to the latest version and report it if it repeats.',
  },
  31951: {
    title: 'Invalid stream message',
    what: 'The server sent Twilio a message with wrong content (for example without the stream id).',
    fix: 'A server bug: update to the latest version and report it if it repeats.',
  },
};
