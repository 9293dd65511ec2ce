//! Turns at running one execution: identical executions in flight share a gate and take turns,
//! so the second finds the first one's outcome in the cache instead of running again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The gates of the executions being run now, by cache key.
pub(super) type Gates = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

/// One caller's place at a gate; the last to leave (finished, failed or cancelled) removes it.
pub(super) struct Gate<'a> {
    gates: &'a Gates,
    pub(super) key: String,
    pub(super) gate: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Gate<'a> {
    pub(super) fn enter(gates: &'a Gates, key: String) -> Self {
        let gate = gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        Self { gates, key, gate }
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        let ours = gates
            .get(&self.key)
            .is_some_and(|g| Arc::ptr_eq(g, &self.gate));
        // Two references: the map's and ours. More means others still wait their turn.
        if ours && Arc::strong_count(&self.gate) == 2 {
            gates.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_to_leave_removes_the_gate() {
        let gates = Gates::default();
        let first = Gate::enter(&gates, "k".into());
        let second = Gate::enter(&gates, "k".into());
        assert!(Arc::ptr_eq(&first.gate, &second.gate));
        drop(first);
        assert_eq!(gates.lock().expect("lock").len(), 1, "one still waits");
        drop(second);
        assert!(gates.lock().expect("lock").is_empty());
    }
}
