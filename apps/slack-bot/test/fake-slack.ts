import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeSlackOptions {
  /** Serve Socket Mode: a websocket server that says hello and collects the app's envelope acks. */
  readonly socket?: boolean;
  /** Listen on this port (tests that first let the bot find nothing there); a free one by default. */
  readonly port?: number;
  /** Web API methods that answer `{ ok: false, error }`, e.g. `{ 'auth.test': 'invalid_auth' }`. */
  readonly refuse?: Readonly<Record<string, string>>;
  /** Channels the bot is not a member of: chat.postMessage there answers `not_in_channel`, as Slack does. */
  readonly notMemberOf?: readonly string[];
}

/** A chat.postMessage call's arguments (blocks parsed), as the Web API client sent them. */
export type PostedMessage = Record<string, unknown> & { channel: string; ts: string };

/** Reads a Web API call's arguments: the client sends a form (JSON-valued fields) or a JSON body. */
function webApiArgs(call: Recorded): Record<string, unknown> {
  if (String(call.headers['content-type']).startsWith('application/json'))
    return JSON.parse(call.body) as Record<string, unknown>;
  const args: Record<string, unknown> = Object.fromEntries(new URLSearchParams(call.body));
  for (const key of ['blocks', 'attachments', 'view'])
    if (typeof args[key] === 'string') args[key] = JSON.parse(args[key] as string);
  return args;
}

/**
 * A local stand-in for Slack: the Web API under /api/ (chat.postMessage, auth.test,
 * apps.connections.open) and response_url hooks under /hooks/, recording every call. With `socket`, a
 * Socket Mode websocket server that says hello and collects the app's envelope acks.
 */
export async function startFakeSlack(options: FakeSlackOptions = {}) {
  const calls: Recorded[] = [];
  const posted: PostedMessage[] = [];
  /** Views the bot opened (`views.open`) and published (`views.publish`), with their arguments. */
  const opened: Array<Record<string, any>> = [];
  const published: Array<Record<string, any>> = [];
  const ephemeral: Array<Record<string, any>> = [];
  const updated: Array<Record<string, any>> = [];
  const fromApp: Array<Record<string, unknown>> = [];
  let socket: WebSocket | undefined;
  let wss: WebSocketServer | undefined;
  let wsPort = 0;
  let connected!: () => void;
  const connectedOnce = new Promise<void>((resolve) => {
    connected = resolve;
  });
  // While held, a new connection gets no `hello`: to the app, Slack is not there yet.
  let holding = false;
  const hello = (ws: WebSocket) =>
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
  if (options.socket) {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss?.on('listening', resolve));
    wsPort = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (message) => fromApp.push(JSON.parse(String(message))));
      if (holding) return;
      hello(ws);
      connected();
    });
  }
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      const path = req.url ?? '';
      const method = path.startsWith('/api/') ? path.slice('/api/'.length).split('?')[0]! : '';
      if (options.refuse && Object.hasOwn(options.refuse, method))
        res.end(JSON.stringify({ ok: false, error: options.refuse[method] }));
      else if (path.startsWith('/api/apps.connections.open'))
        res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${wsPort}/link/?ticket=t1` }));
      else if (path.startsWith('/api/auth.test'))
        res.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }));
      else if (path.startsWith('/api/views.open')) {
        const args = webApiArgs(calls[calls.length - 1] as Recorded);
        const id = `V${String(opened.length + 1).padStart(8, '0')}`;
        opened.push({ ...args, id });
        res.end(JSON.stringify({ ok: true, view: { ...(args.view as object), id } }));
      } else if (path.startsWith('/api/views.publish')) {
        const args = webApiArgs(calls[calls.length - 1] as Recorded);
        published.push(args);
        res.end(JSON.stringify({ ok: true, view: { ...(args.view as object), id: 'VHOME' } }));
      } else if (path.startsWith('/api/chat.update')) {
        const args = webApiArgs(calls[calls.length - 1] as Recorded);
        const known = posted.some((message) => message.channel === args.channel && message.ts === args.ts);
        if (!known) {
          res.end(JSON.stringify({ ok: false, error: 'message_not_found' }));
          return;
        }
        updated.push(args);
        res.end(JSON.stringify({ ok: true, channel: args.channel, ts: args.ts }));
      } else if (path.startsWith('/api/chat.postEphemeral')) {
        const args = webApiArgs(calls[calls.length - 1] as Recorded);
        if (options.notMemberOf?.includes(String(args.channel))) {
          res.end(JSON.stringify({ ok: false, error: 'not_in_channel' }));
          return;
        }
        ephemeral.push(args);
        res.end(JSON.stringify({ ok: true, message_ts: `${1700000000 + ephemeral.length}.000200` }));
      } else if (path.startsWith('/api/chat.postMessage')) {
        const args = webApiArgs(calls[calls.length - 1] as Recorded);
        const channel = String(args.channel);
        if (options.notMemberOf?.includes(channel)) {
          res.end(JSON.stringify({ ok: false, error: 'not_in_channel' }));
          return;
        }
        // Posting to a user id lands in the bot's DM with them, whose id Slack answers (D…), as Slack does.
        const ts = `${1700000000 + posted.length}.000100`;
        const postedIn = /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
        posted.push({ ...args, channel: postedIn, ts });
        res.end(JSON.stringify({ ok: true, channel: postedIn, ts, message: { ts, text: args.text } }));
      } else res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    calls,
    fromApp,
    connected: connectedOnce,
    /** Drops the app's websocket and keeps new ones waiting for `hello` until {@link release}. */
    dropSocket() {
      holding = true;
      socket?.terminate();
    },
    /** Says `hello` on the waiting websocket (and on later ones). */
    release() {
      holding = false;
      if (socket) hello(socket);
    },
    /** Messages the bot posted with chat.postMessage, in order, each with the ts Slack gave it. */
    posted,
    /** Modals opened (`views.open`), each with the id Slack gave it. */
    opened,
    /** Home tabs published (`views.publish`). */
    published,
    /** Ephemeral messages (`chat.postEphemeral`). */
    ephemeral,
    /** Messages the bot changed (`chat.update`); only messages it posted can be. */
    updated,
    /** Calls made to one response_url hook, their JSON bodies. */
    hook: (id: string) =>
      calls
        .filter((call) => call.path === `/hooks/${id}`)
        .map((call) => JSON.parse(call.body) as Record<string, unknown>),
    send: (envelope: unknown) => socket?.send(JSON.stringify(envelope)),
    close: async () => {
      socket?.close();
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sign(secret: string, body: string, ts = Math.floor(Date.now() / 1000)) {
  return {
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}
