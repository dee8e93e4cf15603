//! Everything logged through `tracing` (and, through the `log` bridge, through `log`),
//! at TRACE for every target, captured in memory: the leak tests read it back.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// The captured output; clones share one buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Installs the global subscriber (TRACE, every target, no colours) writing here,
    /// and the `log` → `tracing` bridge (`tracing-subscriber`'s `tracing-log` feature,
    /// on by default: `init` installs it), on the first call; every call returns that
    /// one capture (a process has one global subscriber: the tests of a binary share it).
    pub fn install() -> Captured {
        static INSTALLED: OnceLock<Captured> = OnceLock::new();
        INSTALLED
            .get_or_init(|| {
                let captured = Captured::default();
                let writer = captured.clone();
                tracing_subscriber::fmt()
                    .with_max_level(tracing::Level::TRACE)
                    .with_ansi(false)
                    .with_writer(move || writer.clone())
                    .init();
                captured
            })
            .clone()
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}
