// STIR/SHAKEN as Twilio reports it on an incoming call: the `StirVerstat` parameter. Only
// `TN-Validation-Passed-A` (full attestation: the originating carrier knows the caller and that
// they may use the number) says the caller ID was not spoofed. Pure.

export type StirAttestation = 'A' | 'B' | 'C';

/** The attestation of a passed validation, or null (absent, failed, or not validated). */
export function passedAttestation(stirVerstat: string | undefined): StirAttestation | null {
  const m = /^TN-Validation-Passed-([ABC])$/.exec(stirVerstat?.trim() ?? '');
  return (m?.[1] as StirAttestation | undefined) ?? null;
}
