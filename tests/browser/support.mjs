// What the browser tests share: starting the sandbox and the example product backend,
// and a headless Chromium on a fresh profile (Debian's /usr/bin/chromium, driven by npm
// playwright-core from .tools/node; scripts/setup-browser installs both).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = process.env.MUNITY_BIN || path.join(ROOT, "target/debug/munity");
export const PRODUCT_BIN = process.env.MUNITY_PRODUCT_BIN || path.join(ROOT, "target/debug/examples/product_backend");

/** Starts `command` and resolves with the `NAME=value` lines of its stdout once `last` is seen. */
export function startProcess(command, args, env, last, options = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, ...options });
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const vars = {};
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${command} did not start in 30 s`)), 30_000);
    child.on("exit", (code) => reject(new Error(`${command} exited (${code})`)));
    lines.on("line", (line) => {
      const [name, ...rest] = line.split("=");
      vars[name] = rest.join("=");
      if (name === last) {
        clearTimeout(timer);
        resolve({ child, env: vars });
      }
    });
  });
}

/** Starts examples/product_backend.rs against the sandbox whose stdout variables are
 * `sandboxEnv`: `{child, url, origin}`. */
export async function startProductBackend(sandboxEnv, env = {}) {
  const started = await startProcess(
    PRODUCT_BIN,
    [],
    {
      MUNITY_API_BASE: sandboxEnv.MUNITY_API_BASE,
      MUNITY_API_KEY: sandboxEnv.MUNITY_ADMIN_KEY,
      MUNITY_WORKSPACE_ID: sandboxEnv.MUNITY_WORKSPACE_ID,
      PRODUCT_PORT: "0",
      ...env,
    },
    "PRODUCT_URL",
  );
  const url = started.env.PRODUCT_URL;
  return { child: started.child, url, origin: new URL(url).origin };
}

/** A headless Chromium context on a new empty profile: `{context, profile}`. */
export async function launchChromium() {
  const { chromium } = createRequire(path.join(ROOT, ".tools/node/package.json"))("playwright-core");
  const profile = mkdtempSync(path.join(tmpdir(), "munity-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return { context, profile };
}
