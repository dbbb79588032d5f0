// Twilio's resource ids: two letters for the kind and 32 lowercase hex digits. They become file
// names, store keys and log fields, so each edge (webhook, stream, API path) holds them to this.
export const CALL_SID = /^CA[0-9a-f]{32}$/;
export const STREAM_SID = /^MZ[0-9a-f]{32}$/;
