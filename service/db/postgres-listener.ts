// The LISTEN side of notifications on PostgreSQL (see notifications.ts). NOTIFY reaches
// sessions, and pooled ones are shared, so listening takes one client of its own, opened on
// the first listen() and kept while the Database is open. A session that is lost (error,
// end, or a failed heartbeat on a network gone silent) is reopened with backoff, and every
// listener is told "you may have missed some" when it goes and again when it is back.
//
// Each notification's payload starts with the sending Database's origin id: notify() has
// already delivered it in this process, so its own echo is dropped. A payload with an empty
// origin ("|…", a NOTIFY sent from SQL inside a transaction: record-changed.ts) is delivered
// in every process, the sender's included.
import pg from "pg";
import { type LocalChannels, scopedChannelSql } from "./notifications.ts";

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

export interface ListenerOptions {
  config: pg.ClientConfig;
  origin: string;
  channels: LocalChannels;
  heartbeatMs: number;
  onError: (error: Error) => void;
}

export class PostgresListener {
  private readonly options: ListenerOptions;
  /** Scoped channel name -> channel, for the current session. */
  private readonly names = new Map<string, string>();
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private backoff = MIN_BACKOFF_MS;
  private closed = false;

  constructor(options: ListenerOptions) {
    this.options = options;
  }

  /** LISTENs on `channel` (opening the session if need be). Never throws: a failure is logged and retried. */
  async listen(channel: string): Promise<void> {
    if (this.closed) return;
    if (this.client === undefined && this.retry === undefined) {
      this.opening ??= this.open().finally(() => {
        this.opening = undefined;
      });
    }
    await this.opening;
    const client = this.client;
    // Down (a retry is scheduled): the new session LISTENs on every channel when it opens.
    if (client === undefined || [...this.names.values()].includes(channel)) return;
    await this.subscribe(client, channel).catch((error: Error) => this.lose(client, error));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    await this.opening;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      ...this.options.config,
      query_timeout: this.options.heartbeatMs,
      connectionTimeoutMillis: this.options.heartbeatMs,
    });
    client.on("error", (error) => this.lose(client, error));
    client.on("end", () => this.lose(client, new Error("the notification session ended")));
    client.on("notification", (message) => this.deliver(message));
    try {
      await client.connect();
      this.names.clear();
      for (const channel of this.options.channels.channels()) await this.subscribe(client, channel);
    } catch (error) {
      this.lose(client, error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoff = MIN_BACKOFF_MS;
    this.heartbeat = setInterval(() => {
      client.query("SELECT 1").catch((error: Error) => this.lose(client, error));
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  private async subscribe(client: pg.Client, channel: string): Promise<void> {
    const rows = (await client.query<{ name: string }>(`SELECT ${scopedChannelSql(1)} AS name`, [channel]))
      .rows;
    const name = rows[0]?.name as string;
    // The name is [a-z0-9_] only (assertChannel, md5 hex), so quoting it is enough.
    await client.query(`LISTEN "${name}"`);
    this.names.set(name, channel);
  }

  private deliver(message: pg.Notification): void {
    const channel = this.names.get(message.channel);
    const payload = message.payload ?? "";
    const separator = payload.indexOf("|");
    if (channel === undefined || payload.slice(0, separator) === this.options.origin) return;
    this.options.channels.emit(channel, payload.slice(separator + 1));
  }

  /** The session `client` is gone: tell the listeners, and open a new one after a backoff. */
  private lose(client: pg.Client, error: Error): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    const wasOpen = this.client === client;
    this.client = undefined;
    clearInterval(this.heartbeat);
    void client.end().catch(() => {});
    if (wasOpen || this.retry === undefined) this.options.onError(error);
    if (wasOpen) this.options.channels.emitAll();
    if (this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.opening ??= this.open()
        .then(() => {
          if (this.client !== undefined) this.options.channels.emitAll();
        })
        .finally(() => {
          this.opening = undefined;
        });
    }, this.backoff);
    this.retry.unref();
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }
}
