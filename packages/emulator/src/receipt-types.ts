/**
 * The receipt message types the emulator emits, in the order a call produces them — which is also the
 * order they go on the wire for one call.
 */
export const MESSAGE_TYPES = [
  'SecretStartReport',
  'SecretRingReport',
  'SecretPickUpReport',
  'SecretReport',
  'SecretRecording',
] as const;

/** One of {@link MESSAGE_TYPES}. */
export type MessageType = (typeof MESSAGE_TYPES)[number];
