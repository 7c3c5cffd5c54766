import { type Logger, silentLogger } from '@axnbot/chatops';
import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import WebSocket from 'ws';
import type { SupervisedConnection } from './supervisor.js';

/** The parts of DWClient 2.1.5 this subclass reaches into; they are private in its typings. */
interface DWClientInternals {
  socket?: WebSocket;
  dw_url?: string;
  connected: boolean;
  registered: boolean;
  userDisconnect: boolean;
}

/** A connection attempt that failed for a reason that may pass: the supervisor tries again later. */
export class ConnectFailure extends Error {
  /** What the bot is waiting for, for the log line ("the DingTalk gateway at …"). */
  readonly waitingFor: string;
  constructor(message: string, waitingFor: string) {
    super(message);
    this.waitingFor = waitingFor;
  }
}

/**
 * The gateway refused the app's credentials (HTTP 401 or 403): retrying cannot help until
 * DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET are fixed, so the bot stops and says so.
 */
export class CredentialsRefused extends Error {
  constructor(status: number) {
    super(
      `DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET were refused by the DingTalk gateway (HTTP ${status}): set them to the app's Client ID (AppKey) and Client Secret (AppSecret) from the developer console`,
    );
  }
}

/**
 * dingtalk-stream's DWClient, pointed at a configurable gateway and with its own reconnect logic
 * switched off (`autoReconnect: false`): a {@link ConnectionSupervisor} decides when to connect. Frame
 * parsing, ping echo and callback acks stay the SDK's. The SDK writes to `console` directly (its
 * debug output, "connect success", raw socket errors with their objects); this subclass opens the
 * socket itself and routes the SDK's debug output to `logger`, so nothing bypasses the bot's log —
 * without patching the global `console`.
 */
export class StreamClient extends DWClient {
  private frameListener: ((frame: DWClientDownStream) => void) | undefined;

  constructor(
    options: { clientId: string; clientSecret: string; ua: string },
    private readonly gatewayUrl: string,
    private readonly logger: Logger = silentLogger,
  ) {
    // autoReconnect is a runtime option the SDK's typings do not declare.
    super({ ...options, autoReconnect: false } as ConstructorParameters<typeof DWClient>[0]);
  }

  /** Called with every frame the server sends (the supervisor's watchdog and disconnect handling). */
  onFrame(listener: (frame: DWClientDownStream) => void): void {
    this.frameListener = listener;
  }

  /** Asks the gateway for a ticket, as the SDK does, but at the configured URL. */
  override async getEndpoint(): Promise<this> {
    const waitingFor = `the DingTalk gateway at ${this.gatewayUrl}`;
    let response: Response;
    try {
      response = await fetch(this.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          clientId: this.config.clientId,
          clientSecret: this.config.clientSecret,
          ua: this.config.ua,
          subscriptions: this.config.subscriptions,
        }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ConnectFailure(`could not reach the gateway: ${networkReason(error)}`, waitingFor);
    }
    if (response.status === 401 || response.status === 403) throw new CredentialsRefused(response.status);
    if (!response.ok) throw new ConnectFailure(`gateway answered HTTP ${response.status}`, waitingFor);
    const { endpoint, ticket } = (await response.json().catch(() => ({}))) as {
      endpoint?: string;
      ticket?: string;
    };
    if (!endpoint || !ticket)
      throw new ConnectFailure('gateway answered without endpoint or ticket', waitingFor);
    (this as unknown as DWClientInternals).dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
    return this;
  }

  override onDownStream(data: string): void {
    let frame: DWClientDownStream;
    try {
      frame = JSON.parse(data) as DWClientDownStream;
    } catch {
      return; // not a frame; the SDK would throw here and drop the socket's listener
    }
    this.frameListener?.(frame);
    super.onDownStream(data);
  }

  /**
   * The SDK's debug output, at debug level. Only its text: the objects it prints hold the client
   * secret (its config) and whole messages; the logger masks phone numbers in the text.
   */
  override printDebug(message: object | string): void {
    if (typeof message === 'string') this.logger.debug(message.slice(0, 300), { source: 'dingtalk-stream' });
  }

  /** The SDK's disconnect without its console line (the supervisor terminates sockets itself). */
  override disconnect(): void {
    const internals = this as unknown as DWClientInternals;
    internals.userDisconnect = true;
    internals.socket?.close();
  }

  /** One connection attempt: gateway, then websocket; resolves once the socket is open. */
  async open(): Promise<SupervisedConnection> {
    await this.getEndpoint();
    let socket: WebSocket;
    try {
      socket = await this.connectSocket();
    } catch (error) {
      throw new ConnectFailure(networkReason(error), 'the DingTalk stream websocket');
    }
    return {
      onClose: (listener) => {
        if (socket.readyState === socket.CLOSED) listener();
        else socket.once('close', listener);
      },
      terminate: () => socket.terminate(),
    };
  }

  /**
   * Opens the websocket to the ticketed endpoint as the SDK's `_connect` does (the socket is the
   * SDK's field, so its acks and replies use it), minus its console output and its own keep-alive:
   * the supervisor's idle watchdog covers a silent connection.
   */
  private connectSocket(): Promise<WebSocket> {
    const internals = this as unknown as DWClientInternals;
    return new Promise((resolve, reject) => {
      internals.userDisconnect = false;
      const socket = new WebSocket(internals.dw_url as string);
      internals.socket = socket;
      socket.once('open', () => {
        internals.connected = true;
        resolve(socket);
      });
      socket.on('message', (data) => this.onDownStream(data.toString()));
      socket.on('close', () => {
        internals.connected = false;
        internals.registered = false;
      });
      socket.on('error', (error) => {
        socket.terminate();
        reject(error);
      });
    });
  }

  /** Acks a callback; a closed socket makes this a no-op (the server redelivers, and we dedupe). */
  ack(messageId: string): void {
    this.respond(messageId, { ok: true });
  }

  /**
   * Answers a callback with `response` (the SDK's frame: `data` is `{"response": …}`). For a card
   * callback the response may update the card (`cardData`, `userPrivateData`, `cardUpdateOptions`);
   * an empty one leaves it as it is. A closed socket makes this a no-op.
   */
  respond(messageId: string, response: object): void {
    try {
      this.socketCallBackResponse(messageId, response);
    } catch {
      // nothing to do: the callback may come again and is recognised by its messageId
    }
  }
}

/** A network error in a few words: the message and, for fetch, the system error code behind it. */
function networkReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return `${message.split('\n')[0]?.slice(0, 160)}${typeof cause === 'string' ? ` (${cause})` : ''}`;
}
