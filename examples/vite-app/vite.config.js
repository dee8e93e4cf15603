import { defineConfig } from "vite";

export default defineConfig({
  // The one line @munity/connect needs, for the dev server only: its dependency
  // pre-bundling moves the package's module into node_modules/.vite/deps/ without its
  // .wasm, so `new URL("munity_connect_bg.wasm", import.meta.url)` would point where no
  // file is. Excluded, the module is served from the package with its wasm beside it.
  // Production builds (`vite build`) need nothing.
  optimizeDeps: { exclude: ["@munity/connect"] },
  server: {
    // The product's backend (examples/product_backend.rs) signs the connect links.
    proxy: { "/api": process.env.PRODUCT_URL || "http://127.0.0.1:8788" },
  },
});
