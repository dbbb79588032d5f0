// The Twilio error and warning codes the emulator can raise, with Twilio's titles, so a report
// reads like Twilio's debugger. Severity follows Twilio: 3195x and 12200 are warnings, 31921 a notice.

export const TWILIO_CODES = {
  11100: { title: 'Invalid URL format', severity: 'error' },
  11200: { title: 'HTTP retrieval failure', severity: 'error' },
  11205: { title: 'HTTP connection failure', severity: 'error' },
  11220: { title: 'SSL/TLS Handshake Error', severity: 'error' },
  11750: { title: 'TwiML response body too large', severity: 'error' },
  12100: { title: 'Document parse failure', severity: 'error' },
  12200: { title: 'Schema validation warning', severity: 'warning' },
  12300: { title: 'Invalid Content-Type', severity: 'error' },
  15003: { title: 'Call Progress: Warning Response to Callback URL', severity: 'warning' },
  15004: { title: 'Call Progress: Relative URL in TwiML passed to the REST API', severity: 'error' },
  31901: { title: 'Stream - WebSocket - Connection Timeout', severity: 'error' },
  31902: { title: 'Stream - WebSocket - Connection Refused', severity: 'error' },
  31903: { title: 'Stream - WebSocket - Connection Broken Pipe', severity: 'error' },
  31910: { title: 'Stream - WebSocket - SSL/TLS Error', severity: 'error' },
  31920: { title: 'Stream - WebSocket - Handshake Error', severity: 'error' },
  31921: { title: 'Stream - WebSocket - Close Error', severity: 'notice' },
  31922: { title: 'Stream - WebSocket - URL Schema Not Supported', severity: 'error' },
  31923: { title: 'Stream - WebSocket - Malformed URL', severity: 'error' },
  31924: { title: 'Stream - WebSocket - Protocol Error', severity: 'error' },
  31950: { title: 'Stream - Protocol - Malformed Message', severity: 'warning' },
  31951: { title: 'Stream - Protocol - Invalid Message', severity: 'warning' },
} as const satisfies Record<number, { title: string; severity: 'error' | 'warning' | 'notice' }>;

export type TwilioCode = keyof typeof TWILIO_CODES;
export type Severity = 'error' | 'warning' | 'notice';

export function titleOf(code: TwilioCode): string {
  return TWILIO_CODES[code].title;
}

export function severityOf(code: TwilioCode): Severity {
  return TWILIO_CODES[code].severity;
}
