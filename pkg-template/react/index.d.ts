import type {
  ConnectHandle,
  Connection,
  LinkSource,
  MunityError,
  MunityEventName,
} from "../web/munity_connect.js";

export type { ConnectHandle, Connection, LinkSource, MunityError, MunityEventName };

/** The options of `useMunityConnect`. Handlers may change on every render. */
export interface UseMunityConnectOptions {
  /** The connect link, or a function returning a Promise of a fresh one (called again
   * on `link_expired` or `link_used`). Read when `open()` runs. */
  link: LinkSource;
  /** The pinned API (default `https://api.munityapps.com/v1`). */
  apiBase?: string;
  /** Seal only to this workspace key: a public JWK as JSON text (the `jwk` of
   * `GET /v1/workspace/certificate/`; a PEM is refused with `certificate_invalid`). */
  certificate?: string;
  /** Refuse a session whose certificate has another key id. */
  certificateKid?: string;
  /** The connection is made; the prompt has closed. */
  onSuccess(connection: Connection): void;
  /** The end user closed the prompt (Cancel, Escape). Not called by `close()`. */
  onExit?(): void;
  /** Each step: `opened`, `validated`, `encrypted`, `submitted`, `success`, `error`, `exit`. */
  onEvent?(name: MunityEventName, data: object | undefined): void;
  /** A failure that closed the prompt; it is also the hook's `error`. */
  onError?(error: MunityError): void;
}

export interface UseMunityConnect {
  /** Call it in a click handler: for an OAuth2 connector (a string link whose session
   * was read) it opens the popup at once, inside the user's gesture; otherwise it shows
   * the prompt of the link's connector. Returns the handle; `null` until `ready`. */
  open(): { close(): void } | null;
  /** The package's wasm is loaded and, for a string link, its session has been read. */
  ready: boolean;
  /** The last failure: loading the package, bad options, or the flow's `onError`. */
  error: MunityError | Error | null;
  /** Closes the open prompt or popup, if any; no handler is called. */
  close(): void;
}

/** The connect prompt as a React hook; unmounting closes what it opened. */
export function useMunityConnect(options: UseMunityConnectOptions): UseMunityConnect;
