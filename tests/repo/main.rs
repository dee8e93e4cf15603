//! Checks of the repository's own files rather than of behaviour: every error code
//! documented, no `unsafe` and no weakened lint, and the package metadata as npm packs
//! it. One test binary; each module is one former `tests/*.rs` file.

mod error_codes;
mod packaging;
mod unsafe_lint;
