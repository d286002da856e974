//! Work that many requests need at the same moment, done once for all that wait: each request
//! queues its part and awaits its answer; the first that finds no one answering starts a task,
//! which takes what waits, a batch at a time, until nothing is left. The pre-arrival lookups
//! ([`super::announced`]) and the signature checks ([`super::signatures`]) go through it.

use std::sync::{Arc, Mutex, PoisonError};

/// The parts waiting for the next batch.
pub struct Together<J> {
    waiting: Mutex<Waiting<J>>,
}

struct Waiting<J> {
    /// Whether a task is answering (it takes the waiting parts until none is left).
    answering: bool,
    parts: Vec<J>,
}

impl<J> Default for Together<J> {
    fn default() -> Self {
        Together { waiting: Mutex::new(Waiting { answering: false, parts: Vec::new() }) }
    }
}

impl<J> std::fmt::Debug for Together<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Together")
    }
}

impl<J> Together<J> {
    /// Queues `part`. When no task is answering, the caller is to start one with the hold this
    /// returns. The answering runs in a task of its own, so a request dropped half-way cannot
    /// leave the others waiting.
    pub fn queue(self: &Arc<Self>, part: J) -> Option<Answering<J>> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        waiting.parts.push(part);
        (!std::mem::replace(&mut waiting.answering, true)).then(|| Answering(Some(self.clone())))
    }
}

/// The answering task's hold on the queue. Whichever way the task ends (its queue empty, or
/// dropped with the runtime), the next part queued finds no one answering and starts a task.
pub struct Answering<J>(Option<Arc<Together<J>>>);

impl<J> Answering<J> {
    /// How many parts wait.
    pub fn waiting(&self) -> usize {
        self.0.as_ref().map_or(0, |t| t.waiting.lock().unwrap_or_else(PoisonError::into_inner).parts.len())
    }

    /// The next parts to answer, at most `most`, in the order queued; none (and the queue let
    /// go) when none is waiting.
    pub fn take(&mut self, most: usize) -> Option<Vec<J>> {
        let together = self.0.as_ref()?;
        let mut waiting = together.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if waiting.parts.is_empty() {
            waiting.answering = false;
            drop(waiting);
            self.0 = None;
            return None;
        }
        let n = waiting.parts.len().min(most);
        Some(waiting.parts.drain(..n).collect())
    }
}

impl<J> Drop for Answering<J> {
    fn drop(&mut self) {
        if let Some(together) = self.0.take() {
            together.waiting.lock().unwrap_or_else(PoisonError::into_inner).answering = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hold_at_a_time_takes_batches_in_order_and_lets_go_when_empty() {
        let together = Arc::new(Together::default());
        let Some(mut hold) = together.queue(1) else { panic!("the first part starts the answering") };
        assert!(together.queue(2).is_none() && together.queue(3).is_none());
        assert_eq!(hold.take(2), Some(vec![1, 2]));
        assert_eq!(hold.take(2), Some(vec![3]));
        assert_eq!(hold.take(2), None);
        assert_eq!(hold.take(2), None, "a hold let go takes nothing");
        let Some(mut next) = together.queue(4) else { panic!("after the queue ran empty the next part starts again") };
        assert_eq!(next.take(8), Some(vec![4]));
    }

    #[test]
    fn a_hold_dropped_half_way_lets_the_next_part_start_answering() {
        let together = Arc::new(Together::default());
        let hold = together.queue("a");
        assert!(hold.is_some());
        drop(hold);
        let Some(mut next) = together.queue("b") else { panic!("no one answers after the hold was dropped") };
        assert_eq!(next.take(8), Some(vec!["a", "b"]));
    }
}
