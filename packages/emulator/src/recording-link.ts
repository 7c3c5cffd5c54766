/** The path under which the emulator serves a call's recording; only signed links to it are answered. */
export function recordingPath(callId: string): string {
  return `/_emulator/recordings/${encodeURIComponent(callId)}.wav`;
}

/** How long a CDR's `record_url` stays valid: 30 days, as Aliyun's HTTP push documents it. */
export const RECORD_URL_MS = 30 * 86_400_000;
