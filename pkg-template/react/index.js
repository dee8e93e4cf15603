// @munity/connect/react: the React hook of @munity/connect. Plain JavaScript (no JSX,
// no build step); React is the app's own (a peer dependency), never bundled here.
import { useCallback, useEffect, useRef, useState } from "react";
import init, { MunityConnect } from "../web/munity_connect.js";

// One load of the wasm per page, shared by every hook; a failed load is retried by the
// next hook that mounts.
let loading;
function load() {
  loading ??= init().catch((err) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/**
 * The connect prompt as a hook: `const { open, ready, error, close } =
 * useMunityConnect({ link, apiBase, onSuccess, onExit, onEvent, onError })`.
 * Loads the package's wasm itself and, for a string link, reads its session first;
 * `open()` (from a click handler) then opens an OAuth2 connector's popup at once, or
 * shows the prompt of the link's connector, and returns its handle; unmounting closes it.
 */
export function useMunityConnect(config) {
  const { apiBase, certificate, certificateKid } = config;
  // The latest link and handlers, read when `open()` runs and when the prompt reports:
  // new callbacks on every render do not re-create anything.
  const latest = useRef(config);
  latest.current = config;
  const handle = useRef(null);
  const [client, setClient] = useState(null);
  const [error, setError] = useState(null);
  // The session of a string link, read once the client exists: `{ link, authType }`.
  const [session, setSession] = useState(null);
  const link = typeof config.link === "string" ? config.link : null;

  useEffect(() => {
    // StrictMode runs this twice (mount, clean up, mount): the first run's results
    // are dropped and its client freed.
    let live = true;
    let made = null;
    setError(null);
    load()
      .then(() => {
        if (!live) return;
        made = new MunityConnect({ apiBase, certificate, certificateKid });
        setClient(made);
      })
      .catch((err) => live && setError(err));
    return () => {
      live = false;
      handle.current?.close();
      handle.current = null;
      setClient(null);
      made?.free();
    };
  }, [apiBase, certificate, certificateKid]);

  useEffect(() => {
    if (!client || link === null) return undefined;
    let live = true;
    // A failure here is reported by the flow open() starts.
    const done = (authType) => live && setSession({ link, authType });
    client.describe(link).then((s) => done(s.authType), () => done(null));
    return () => {
      live = false;
    };
  }, [client, link]);

  const close = useCallback(() => {
    handle.current?.close();
    handle.current = null;
  }, []);

  const open = useCallback(() => {
    if (!client) return null;
    handle.current?.close();
    const report = (name, ...args) => latest.current[name]?.(...args);
    const failed = (err) => {
      handle.current = null;
      setError(err);
      report("onError", err);
    };
    const current = latest.current.link;
    if (session?.link === current && session.authType === "oauth2") {
      // The popup opens now, inside the click (browsers block it later).
      const abort = new AbortController();
      const mine = { close: () => abort.abort() };
      handle.current = mine;
      report("onEvent", "opened", { authType: "oauth2" });
      client.authorize(current, { signal: abort.signal }).then(
        (connection) => {
          handle.current = handle.current === mine ? null : handle.current;
          report("onEvent", "success", connection);
          report("onSuccess", connection);
        },
        (err) => {
          if (abort.signal.aborted) return;
          handle.current = handle.current === mine ? null : handle.current;
          report("onEvent", "error", err);
          failed(err);
        },
      );
      return mine;
    }
    try {
      handle.current = client.open(latest.current.link, {
        onSuccess: (connection) => {
          handle.current = null;
          report("onSuccess", connection);
        },
        onError: failed,
        onExit: () => {
          handle.current = null;
          report("onExit");
        },
        onEvent: (name, data) => report("onEvent", name, data),
      });
    } catch (err) {
      failed(err);
      return null;
    }
    return handle.current;
  }, [client, session]);

  // Ready once loaded and, for a string link, once its session has been read.
  const ready = client !== null && (link === null || session?.link === link);
  return { open, ready, error, close };
}
