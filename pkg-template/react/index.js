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
 * Loads the package's wasm itself; `open()` (from a click handler) shows the prompt of
 * the link's connector and returns its handle; unmounting closes it.
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

  const close = useCallback(() => {
    handle.current?.close();
    handle.current = null;
  }, []);

  const open = useCallback(() => {
    if (!client) return null;
    handle.current?.close();
    const report = (name, ...args) => latest.current[name]?.(...args);
    try {
      handle.current = client.open(latest.current.link, {
        onSuccess: (connection) => {
          handle.current = null;
          report("onSuccess", connection);
        },
        onError: (err) => {
          handle.current = null;
          setError(err);
          report("onError", err);
        },
        onExit: () => {
          handle.current = null;
          report("onExit");
        },
        onEvent: (name, data) => report("onEvent", name, data),
      });
    } catch (err) {
      setError(err);
      report("onError", err);
      return null;
    }
    return handle.current;
  }, [client]);

  return { open, ready: client !== null, error, close };
}
