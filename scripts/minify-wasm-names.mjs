#!/usr/bin/env node
// Shortens the import and export names of a wasm-bindgen `--target web` build, in the
// .wasm, its JavaScript glue and its TypeScript declarations together, for
// scripts/build-pkg.
//
//   node scripts/minify-wasm-names.mjs <dir>/<name>_bg.wasm <dir>/<name>.js
//
// - Imports: wasm-bindgen names each `__wbg_<function>_<16 hex digits>` under the module
//   `./<name>_bg.js`: about 120 names of 30 to 60 bytes, written twice (the wasm's
//   import section, the glue's import object), the hashes incompressible. Each becomes a
//   short name (`a`, `b`, ... `ba`...), the module `a`.
// - Exports: the glue reads them as `wasm.<name>`, some 200 bytes long (the closure
//   shims); each becomes a short name too. An export the glue never reads (a C symbol of
//   ring's, wasm-bindgen's abort hooks) is dropped, so that wasm-opt can drop its code.
//   `InitOutput` (what `init()` resolves with: the raw exports) and
//   `<name>_bg.wasm.d.ts` are rewritten to match.
// wasm-opt's `--minify-imports-and-exports` renames imports of the module `env` only,
// and cannot rewrite the glue.
//
// Run it after wasm-bindgen and before wasm-opt (which then removes what the dropped
// exports alone kept) and terser. It fails, changing nothing, when the glue does not
// have the shape it expects: one import object whose keys are exactly the wasm's import
// names, returned under the module's name, and exports read only as `wasm.<name>`.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error("usage: minify-wasm-names.mjs <file>_bg.wasm <file>.js");
  process.exit(2);
}
const fail = (why) => {
  console.error(`minify-wasm-names: ${why}; nothing changed`);
  process.exit(1);
};

/** A reader over the bytes of a wasm module. */
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  byte() {
    if (this.at >= this.bytes.length) fail("the wasm ends early");
    return this.bytes[this.at++];
  }
  /** An unsigned LEB128 number. */
  u32() {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  }
  name() {
    const length = this.u32();
    const text = Buffer.from(this.bytes.subarray(this.at, this.at + length)).toString("utf8");
    this.at += length;
    return text;
  }
  /** Skips a table's or memory's limits. */
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

const leb = (value) => {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Buffer.from(out);
};
const nameBytes = (text) => {
  const utf8 = Buffer.from(text, "utf8");
  return Buffer.concat([leb(utf8.length), utf8]);
};
/** The n-th short name: a..z, then ba, bb... (never a JavaScript keyword: no two-letter
 * ones among those starting with `b` to `z` but `do` and `if`, which are skipped). */
const shortName = (() => {
  const names = [];
  for (let n = 0; names.length < 4096; n++) {
    let text = "";
    let k = n;
    do {
      text = String.fromCharCode(97 + (k % 26)) + text;
      k = Math.floor(k / 26);
    } while (k > 0);
    if (text !== "do" && text !== "if" && text !== "in") names.push(text);
  }
  return (i) => names[i];
})();

const wasm = readFileSync(wasmPath);
if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
const top = new Reader(wasm, 8);
const sections = [];
while (top.at < wasm.length) {
  const start = top.at;
  const id = top.byte();
  const size = top.u32();
  const body = top.at;
  top.at += size;
  sections.push({ id, start, body, end: top.at });
}
const section = sections.find((s) => s.id === 2);
const exportSection = sections.find((s) => s.id === 7);
if (!section || !exportSection) fail("the wasm has no import or no export section");

const module = `./${jsPath.split("/").pop()}`.replace(/\.js$/, "_bg.js");
const reader = new Reader(wasm, section.body);
const count = reader.u32();
const renamed = new Map();
const entries = [leb(count)];
for (let i = 0; i < count; i++) {
  const from = reader.name();
  const field = reader.name();
  const descStart = reader.at;
  const kind = reader.byte();
  if (kind === 0) reader.u32();
  else if (kind === 1) {
    reader.byte();
    reader.limits();
  } else if (kind === 2) reader.limits();
  else if (kind === 3) {
    reader.byte();
    reader.byte();
  } else fail(`import kind ${kind} is unknown`);
  const desc = wasm.subarray(descStart, reader.at);
  if (from !== module) fail(`an import comes from ${from}, not ${module}`);
  if (renamed.has(field)) fail(`the import ${field} is there twice`);
  renamed.set(field, shortName(renamed.size));
  entries.push(nameBytes("a"), nameBytes(renamed.get(field)), desc);
}
if (reader.at !== section.end) fail("the import section has trailing bytes");

// The glue: the import object's keys, each on its own line as wasm-bindgen writes them,
// and the module name it is returned under.
let js = readFileSync(jsPath, "utf8");
const seen = new Set();
js = js.replace(/^(\s+)([A-Za-z_$][\w$]*)(: function\b|: \()/gm, (line, indent, key, rest) => {
  if (!renamed.has(key)) return line;
  seen.add(key);
  return `${indent}${renamed.get(key)}${rest}`;
});
if (seen.size !== renamed.size) {
  const missing = [...renamed.keys()].filter((k) => !seen.has(k));
  fail(`the glue does not define ${missing.slice(0, 3).join(", ")}`);
}
const moduleKey = `"${module}": import0,`;
if (js.split(moduleKey).length !== 2) fail(`the glue does not return the imports as ${moduleKey}`);
js = js.replace(moduleKey, `"a": import0,`);
for (const key of renamed.keys()) {
  if (js.includes(key)) fail(`the glue still names ${key}`);
}

// The exports: renamed when the glue reads them, else dropped.
const exported = new Reader(wasm, exportSection.body);
const exportCount = exported.u32();
const exportNames = new Map();
const dropped = [];
const exportEntries = [];
for (let i = 0; i < exportCount; i++) {
  const name = exported.name();
  const descStart = exported.at;
  exported.byte();
  exported.u32();
  const desc = wasm.subarray(descStart, exported.at);
  if (!new RegExp(`\\bwasm\\.${name.replace(/\$/g, "\\$")}\\b`).test(js)) {
    dropped.push(name);
    continue;
  }
  exportNames.set(name, shortName(exportNames.size));
  exportEntries.push(nameBytes(exportNames.get(name)), desc);
}
if (exported.at !== exportSection.end) fail("the export section has trailing bytes");
js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  if (!exportNames.has(name)) fail(`the glue reads wasm.${name}, which the wasm does not export`);
  return `wasm.${exportNames.get(name)}`;
});
if (/\bwasm\[/.test(js)) fail("the glue reads an export by a computed name");

// The declarations of the raw exports: `readonly <name>: ...;` in InitOutput,
// `export const <name>: ...;` in <name>_bg.wasm.d.ts.
const declarations = [jsPath.replace(/\.js$/, ".d.ts"), wasmPath.replace(/\.wasm$/, ".wasm.d.ts")];
const declared = declarations.map((path) => {
  let seen = 0;
  const text = readFileSync(path, "utf8").replace(
    /^(\s*(?:readonly|export const) )([A-Za-z_$][\w$]*)(:.*)\n/gm,
    (line, head, name, rest) => {
      if (exportNames.has(name)) {
        seen++;
        return `${head}${exportNames.get(name)}${rest}\n`;
      }
      if (dropped.includes(name)) return "";
      return line;
    },
  );
  if (seen !== exportNames.size) fail(`${path} does not declare the ${exportNames.size} exports`);
  return [path, text];
});

const section_ = (id, parts) => {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.of(id), leb(content.length), content]);
};
const out = Buffer.concat([
  wasm.subarray(0, section.start),
  section_(2, entries),
  wasm.subarray(section.end, exportSection.start),
  section_(7, [leb(exportNames.size), ...exportEntries]),
  wasm.subarray(exportSection.end),
]);
writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
for (const [path, text] of declared) writeFileSync(path, text);
console.error(
  `minify-wasm-names: ${renamed.size} imports and ${exportNames.size} exports renamed, ` +
    `${dropped.length} exports dropped (${dropped.join(", ")}); wasm ${wasm.length} -> ${out.length} bytes`,
);
