//! The module registrations under way (simple connection, `http/routes/connect_module.rs`):
//! the client that calls the systems, and the links being registered.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use crate::module::SystemClient;

/// What the registrations share: the client that calls systems, and the links whose
/// registration is under way (a second registration of one link waits for none: it is
/// refused, so the system never gets two `edit` calls for one link).
#[derive(Debug)]
pub(crate) struct ModuleRegistrations {
    /// Sends `integration-modules/{code}/edit` (bounded timeout, no redirects).
    pub(crate) system: SystemClient,
    registering: Mutex<HashSet<String>>,
}

impl ModuleRegistrations {
    /// With a `timeout` for the system's answer.
    pub(crate) fn new(timeout: Duration) -> crate::Result<ModuleRegistrations> {
        Ok(ModuleRegistrations {
            system: SystemClient::with_timeout(timeout)?,
            registering: Mutex::default(),
        })
    }

    /// Marks the link `key` as being registered; `None` when it already is.
    pub(crate) fn begin(&self, key: String) -> Option<Registering<'_>> {
        // The guard is released before a `Registering` exists (its drop takes the lock).
        let inserted = self.registering.lock().ok()?.insert(key.clone());
        inserted.then(|| Registering { modules: self, key })
    }
}

/// A registration under way; dropping it ends it (whatever the outcome).
pub(crate) struct Registering<'a> {
    modules: &'a ModuleRegistrations,
    key: String,
}

impl Drop for Registering<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.modules.registering.lock() {
            set.remove(&self.key);
        }
    }
}
