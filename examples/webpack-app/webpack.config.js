// webpack 5 builds the package's web entry as it is: it sees
// `new URL("munity_connect_bg.wasm", import.meta.url)` in the module and emits the wasm
// as an asset next to the bundle. No loader, no experiment, no plugin for the package.
const { readFileSync } = require("node:fs");
const path = require("node:path");

/** Emits src/index.html as dist/index.html (the page loads /main.js). */
class PagePlugin {
  apply(compiler) {
    const { RawSource } = compiler.webpack.sources;
    compiler.hooks.thisCompilation.tap("PagePlugin", (compilation) => {
      compilation.hooks.processAssets.tap({ name: "PagePlugin", stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        compilation.emitAsset("index.html", new RawSource(readFileSync(path.join(__dirname, "src/index.html"))));
      });
    });
  }
}

module.exports = {
  entry: "./src/main.js",
  output: {
    path: path.join(__dirname, "dist"),
    filename: "main.js",
    module: true,
    publicPath: "/",
    clean: true,
  },
  experiments: { outputModule: true },
  plugins: [new PagePlugin()],
};
