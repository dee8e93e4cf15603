# Sourced (not run) by scripts/build-pkg, scripts/test-wasm and scripts/setup-wasm: the
# one place that knows how to build this crate for wasm32-unknown-unknown on this machine.
#
# Two routes, chosen by what is installed (scripts/setup-wasm installs one of them):
#   rustup: `rustup target add wasm32-unknown-unknown` worked; plain `cargo`.
#   debian: Debian's rustc-web/cargo-web/rust-web-src build std from source
#           (`-Zbuild-std`), with clang for ring's C and lld's wasm-ld as the linker.
# MUNITY_WASM_ROUTE=debian forces the second route even where rustup has the target
# (to check the fallback on a machine where rustup can download).
#
# Defines:
#   WASM_ROOT          the repository root
#   WASM_ROUTE         rustup | debian | none
#   WASM_CARGO         array: the cargo command line to build for wasm32 (use "${WASM_CARGO[@]}")
#   WASM_BUILD_STD     array: extra arguments for the debian route (empty otherwise)
#   WASM_STD_SOURCE    yes when std can be rebuilt for the target (-Zbuild-std): always on
#                      the debian route, with rustup's rust-src component on the rustup route
#   WASM_BINDGEN_VERSION  the wasm-bindgen version of Cargo.lock
#   PATH               with .tools/cargo/bin (wasm-bindgen, wasm-bindgen-test-runner)
#                      and .tools/node/node_modules/.bin (wasm-opt of npm binaryen) first
# and the functions wasm_log, wasm_find_tool.

WASM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_TARGET=wasm32-unknown-unknown
WASM_TOOLS="$WASM_ROOT/.tools"

wasm_log() { printf '[wasm] %s\n' "$*" >&2; }

# First command of the given names found on PATH (names may be versioned: llvm-ar-14).
wasm_find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$WASM_ROOT/Cargo.lock")"

case ":$PATH:" in
  *":$WASM_TOOLS/cargo/bin:"*) ;;
  *) PATH="$WASM_TOOLS/cargo/bin:$WASM_TOOLS/node/node_modules/.bin:$PATH" ;;
esac
export PATH

wasm_rustup_has_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"
}

# The C toolchain for ring's C code on wasm32 (both routes): clang and llvm-ar, whatever
# their versioned names. Empty when missing.
wasm_c_tools() {
  CC_wasm32_unknown_unknown="$(wasm_find_tool clang clang-16 clang-15 clang-14)" || CC_wasm32_unknown_unknown=
  AR_wasm32_unknown_unknown="$(wasm_find_tool llvm-ar llvm-ar-16 llvm-ar-15 llvm-ar-14)" || AR_wasm32_unknown_unknown=
  export CC_wasm32_unknown_unknown AR_wasm32_unknown_unknown
  [ -n "$CC_wasm32_unknown_unknown" ] && [ -n "$AR_wasm32_unknown_unknown" ]
}

# Decides the route and exports the build environment for it.
wasm_detect_route() {
  WASM_BUILD_STD=()
  WASM_STD_SOURCE=no
  WASM_CARGO=(false)
  WASM_ROUTE=none
  wasm_c_tools || return 0
  if [ "${MUNITY_WASM_ROUTE:-}" != debian ] && wasm_rustup_has_target; then
    WASM_ROUTE=rustup
    WASM_CARGO=(cargo)
    if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
      WASM_STD_SOURCE=yes
    fi
  elif [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$(wasm_find_tool wasm-ld wasm-ld-16 wasm-ld-15 wasm-ld-14)" || return 0
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
    WASM_ROUTE=debian
    # rustup's cargo/rustc come first on PATH: name Debian's by full path.
    WASM_CARGO=(/usr/bin/cargo)
    WASM_BUILD_STD=(-Zbuild-std=std,panic_abort)
    WASM_STD_SOURCE=yes
    export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
    # Debian's rustdoc too where installed, so rustdoc and std agree on the version.
    if [ -x /usr/bin/rustdoc ]; then export RUSTDOC=/usr/bin/rustdoc; fi
  fi
}

# Fails with a hint when the toolchain is missing.
wasm_require() {
  wasm_detect_route
  if [ "$WASM_ROUTE" = none ]; then
    wasm_log "no wasm32 toolchain: run scripts/setup-wasm first"
    return 1
  fi
  local tool
  for tool in wasm-bindgen wasm-opt terser; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      wasm_log "$tool missing: run scripts/setup-wasm first"
      return 1
    fi
  done
  local have
  have="$(wasm-bindgen --version | awk '{ print $2 }')"
  if [ "$have" != "$WASM_BINDGEN_VERSION" ]; then
    wasm_log "wasm-bindgen $have does not match Cargo.lock's $WASM_BINDGEN_VERSION: run scripts/setup-wasm"
    return 1
  fi
}

wasm_detect_route
