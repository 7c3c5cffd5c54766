import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who may use the operator API. */
export interface OperatorAccess {
  /** When set, every operator request must carry `Authorization: Bearer <token>`; Host is not checked. */
  readonly token?: string;
  /** The Host headers that name this server (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`, …), lower-case. */
  readonly hosts: ReadonlySet<string>;
}

/** Why an operator request is refused: the status and the `{ error }` the operator API answers. */
export interface Refusal {
  readonly status: 401 | 403 | 415;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The Host headers a client on this machine uses for a server listening on `listenHost:port`: the
 * loopback names, plus the listening address itself unless it is a wildcard (`0.0.0.0`, `::`), which
 * names no one host.
 */
export function hostsFor(listenHost: string, port: number): Set<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (listenHost !== '0.0.0.0' && listenHost !== '::' && listenHost !== '') {
    hosts.add(`${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`.toLowerCase());
  }
  return hosts;
}

/**
 * Refuses operator requests a web page could have sent (issue 9, item 9). A page in the developer's
 * browser can post to `http://127.0.0.1:8787/_emulator/…` without any preflight as long as the body is
 * `text/plain`, a form or multipart, and a DNS-rebinding page can reach it under its own host name. So:
 * writes must be `application/json` (which a cross-site page cannot send without a preflight this
 * server never approves), and the Host must be this server's own address — unless the emulator was
 * started with an operator token, which is then required instead (browsers do not attach it).
 * Answers `undefined` when the request may proceed.
 */
export function checkOperatorRequest(
  method: string,
  headers: IncomingHttpHeaders,
  body: string,
  access: OperatorAccess,
): Refusal | undefined {
  if (access.token !== undefined) {
    if (!bearerMatches(headers.authorization, access.token)) {
      return {
        status: 401,
        error:
          'the operator API needs Authorization: Bearer <the --operator-token the emulator was started with>',
        headers: { 'www-authenticate': 'Bearer' },
      };
    }
  } else if (!access.hosts.has((headers.host ?? '').toLowerCase())) {
    return {
      status: 403,
      error: `the operator API answers only requests addressed to ${[...access.hosts].join(', ')}; start the emulator with --operator-token to reach it under another name`,
    };
  }
  const writes = method !== 'GET' && method !== 'HEAD';
  if (
    writes &&
    (method !== 'DELETE' || body !== '') &&
    mediaType(headers['content-type']) !== 'application/json'
  ) {
    return { status: 415, error: 'operator writes must be sent as Content-Type: application/json' };
  }
  return undefined;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Compares the bearer token in constant time (of digests, so the lengths cannot leak either). */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token));
}
