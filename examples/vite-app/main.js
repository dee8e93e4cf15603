// The product's page: its backend (examples/product_backend.rs) signs connect links at
// /api/munity/connect-link and says which Munity API the page pins at /api/me. The
// package's own prompt asks for the credentials, encrypts them and submits them.
import init, { MunityConnect } from "@munity/connect";

const button = document.getElementById("connect");
const status = document.getElementById("status");
const connector = new URLSearchParams(location.search).get("connector") || "asana";

function show(text, ok) {
  status.textContent = text;
  status.className = ok ? "ok" : "bad";
}

async function main() {
  await init(); // the wasm, emitted by Vite next to the built module
  const me = await (await fetch("/api/me")).json();
  const munity = new MunityConnect({ apiBase: me.apiBase });
  // A function, so that an expired or used link is replaced by a fresh one.
  const link = () =>
    fetch(`/api/munity/connect-link?connector=${encodeURIComponent(connector)}`)
      .then((response) => response.json())
      .then((body) => body.link);
  button.textContent = `Connect ${connector}`;
  button.addEventListener("click", () =>
    munity.open(link, {
      onSuccess: (connection) => show(`Connected: ${connection.id}`, true),
      onError: (err) => show(`${err.code}: ${err.message}`, false),
      onExit: () => show("Closed", false),
    }),
  );
  button.disabled = false;
  document.body.dataset.ready = "true";
}

main().catch((err) => show(`${err.code ?? "error"}: ${err.message}`, false));
