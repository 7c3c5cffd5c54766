/**
 * An error as one short log line: its message's first line, at most 200 characters, with any run of
 * seven or more digits (a phone number, say, echoed from a request) replaced — logs never carry a
 * stack, a request dump or a clear number.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n')[0] ?? '').trim().slice(0, 200);
  return line.replace(/\d{7,}/g, '<digits>') || (error instanceof Error ? error.name : 'unknown error');
}
