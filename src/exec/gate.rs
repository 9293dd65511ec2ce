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
    /// `None` only while leaving.
    gate: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl<'a> Gate<'a> {
    pub(super) fn enter(gates: &'a Gates, key: String) -> Self {
        let gate = gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        Self {
            gates,
            key,
            gate: Some(gate),
        }
    }

    /// Waits for this caller's turn; the turn lasts as long as the guard.
    pub(super) async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.gate
            .as_ref()
            .expect("a gate until dropped")
            .lock()
            .await
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        // Ours is let go under the map's lock: two callers leaving at once cannot each count
        // the other's reference and both leave the gate behind.
        let Some(ours) = self.gate.take() else {
            return;
        };
        let is_ours = gates.get(&self.key).is_some_and(|g| Arc::ptr_eq(g, &ours));
        drop(ours);
        // Only the map's reference left: nobody waits.
        if is_ours
            && gates
                .get(&self.key)
                .is_some_and(|g| Arc::strong_count(g) == 1)
        {
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
        assert!(Arc::ptr_eq(
            first.gate.as_ref().expect("gate"),
            second.gate.as_ref().expect("gate")
        ));
        drop(first);
        assert_eq!(gates.lock().expect("lock").len(), 1, "one still waits");
        drop(second);
        assert!(gates.lock().expect("lock").is_empty());
    }

    #[test]
    fn callers_leaving_at_once_leave_no_gate_behind() {
        let gates = Gates::default();
        for _ in 0..2000 {
            let (first, second) = (
                Gate::enter(&gates, "k".into()),
                Gate::enter(&gates, "k".into()),
            );
            std::thread::scope(|scope| {
                scope.spawn(move || drop(first));
                scope.spawn(move || drop(second));
            });
            assert!(gates.lock().expect("lock").is_empty());
        }
    }
}
