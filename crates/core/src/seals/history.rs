//! What a track remembers of its reports, in fixed memory: which sequence numbers it has seen
//! (a sliding bitmap, as anti-replay windows do) and the last reports in device-time order
//! (the reorder window), compactly.

use std::collections::VecDeque;

use crate::timestamp::Timestamp;

use super::geo::Position;

/// How many sequence numbers below the highest one seen are remembered for deduplication.
pub const DEDUP_WINDOW: u64 = 4096;

/// How many reports are kept in device-time order for placing late ones.
pub const REORDER_WINDOW: usize = 256;

/// The sequence numbers seen: the highest and a bitmap of the `DEDUP_WINDOW` below it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    max: Option<u64>,
    bits: [u64; (DEDUP_WINDOW / 64) as usize],
}

/// Whether a sequence number is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Novelty {
    /// Never seen; now remembered.
    New,
    /// Seen before.
    Duplicate,
    /// Too far below the highest seen to tell.
    TooOld,
}

impl Default for Seen {
    fn default() -> Self {
        Seen { max: None, bits: [0; (DEDUP_WINDOW / 64) as usize] }
    }
}

impl Seen {
    /// Whether `seq` is new, remembering it.
    pub(crate) fn insert(&mut self, seq: u64) -> Novelty {
        match self.max {
            Some(max) if seq <= max => {
                if max - seq >= DEDUP_WINDOW {
                    Novelty::TooOld
                } else if self.get(seq) {
                    Novelty::Duplicate
                } else {
                    self.set(seq);
                    Novelty::New
                }
            }
            Some(max) => {
                if seq - max >= DEDUP_WINDOW {
                    self.bits = [0; (DEDUP_WINDOW / 64) as usize];
                } else {
                    for s in max + 1..seq {
                        self.clear(s);
                    }
                }
                self.max = Some(seq);
                self.set(seq);
                Novelty::New
            }
            None => {
                self.max = Some(seq);
                self.set(seq);
                Novelty::New
            }
        }
    }

    fn slot(seq: u64) -> (usize, u64) {
        let bit = seq % DEDUP_WINDOW;
        ((bit / 64) as usize, 1 << (bit % 64))
    }

    fn get(&self, seq: u64) -> bool {
        let (word, mask) = Seen::slot(seq);
        self.bits.get(word).is_some_and(|w| w & mask != 0)
    }

    fn set(&mut self, seq: u64) {
        let (word, mask) = Seen::slot(seq);
        if let Some(w) = self.bits.get_mut(word) {
            *w |= mask;
        }
    }

    fn clear(&mut self, seq: u64) {
        let (word, mask) = Seen::slot(seq);
        if let Some(w) = self.bits.get_mut(word) {
            *w &= !mask;
        }
    }
}

/// A report as the reorder window keeps it: 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    /// The ordering time (the device time, or the received time when the clock is off).
    pub(crate) time: Timestamp,
    /// The report's sequence number.
    pub(crate) seq: u64,
    /// Position, single precision (about a metre), enough to judge jumps.
    pub(crate) lat: f32,
    pub(crate) lon: f32,
    /// The route segment it matched, the hint for its neighbours.
    pub(crate) segment: u32,
    /// The conditions it shows, one bit per incident kind decided report by report.
    pub(crate) flags: u8,
}

impl Entry {
    pub(crate) fn key(&self) -> Key {
        (self.time, self.seq)
    }

    pub(crate) fn position(&self) -> Position {
        Position { lat: f64::from(self.lat), lon: f64::from(self.lon) }
    }
}

/// The order of reports: time, then sequence number.
pub(crate) type Key = (Timestamp, u64);

/// Where a report goes in the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Place {
    /// At this index, between these neighbours.
    At { index: usize, before: Option<Entry>, after: Option<Entry> },
    /// Older than the window; it cannot be placed.
    Outside,
}

/// The last `REORDER_WINDOW` reports, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    entries: VecDeque<Entry>,
    /// The key of the newest report dropped from the window.
    dropped: Option<Key>,
}

impl Window {
    /// The newest report.
    pub(crate) fn head(&self) -> Option<&Entry> {
        self.entries.back()
    }

    /// Where a report of `key` goes; appending is the cheap common case.
    pub(crate) fn place(&self, key: Key) -> Place {
        if self.dropped.is_some_and(|d| key <= d) {
            return Place::Outside;
        }
        let index = match self.entries.back() {
            None => 0,
            Some(last) if last.key() < key => self.entries.len(),
            Some(_) => self.entries.partition_point(|e| e.key() < key),
        };
        let before = index.checked_sub(1).and_then(|i| self.entries.get(i)).copied();
        Place::At { index, before, after: self.entries.get(index).copied() }
    }

    /// Inserts at `index`, dropping the oldest report when the window is full.
    pub(crate) fn insert(&mut self, index: usize, entry: Entry) {
        self.entries.insert(index.min(self.entries.len()), entry);
        if self.entries.len() > REORDER_WINDOW {
            if let Some(old) = self.entries.pop_front() {
                self.dropped = Some(old.key());
            }
        }
    }

    /// The reports from `from` on, in order.
    pub(crate) fn since(&self, from: Timestamp) -> impl Iterator<Item = &Entry> {
        let start = self.entries.partition_point(|e| e.time < from);
        self.entries.range(start..)
    }

    /// True when reports of `time` may have been dropped from the window.
    pub(crate) fn lost_before(&self, time: Timestamp) -> bool {
        self.dropped.is_some_and(|(t, _)| time <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_are_seen_once_within_the_window() {
        let mut seen = Seen::default();
        assert_eq!(seen.insert(10), Novelty::New);
        assert_eq!(seen.insert(10), Novelty::Duplicate);
        assert_eq!(seen.insert(3), Novelty::New);
        assert_eq!(seen.insert(3), Novelty::Duplicate);
        assert_eq!(seen.insert(10 + DEDUP_WINDOW - 1), Novelty::New);
        // 10 is still inside the window and still remembered; 3 fell out of it.
        assert_eq!(seen.insert(10), Novelty::Duplicate);
        assert_eq!(seen.insert(3), Novelty::TooOld);
        // A jump past the whole window forgets everything below it.
        assert_eq!(seen.insert(100_000), Novelty::New);
        assert_eq!(seen.insert(100_000 - 1), Novelty::New);
    }

    fn entry(time: i64, seq: u64) -> Entry {
        Entry { time: Timestamp::from_micros(time), seq, lat: 0.0, lon: 0.0, segment: 0, flags: 0 }
    }

    #[test]
    fn reports_are_placed_in_time_order_and_the_oldest_fall_out() {
        let mut w = Window::default();
        for t in [10, 30, 20] {
            if let Place::At { index, .. } = w.place((Timestamp::from_micros(t), 0)) {
                w.insert(index, entry(t, 0));
            }
        }
        let times: Vec<i64> = w.since(Timestamp::EPOCH).map(|e| e.time.as_micros()).collect();
        assert_eq!(times, [10, 20, 30]);
        match w.place((Timestamp::from_micros(25), 0)) {
            Place::At { index, before, after } => {
                assert_eq!((index, before.map(|e| e.seq), after.map(|e| e.time.as_micros())), (2, Some(0), Some(30)));
            }
            Place::Outside => panic!("not placed"),
        }
        for t in 100..(100 + REORDER_WINDOW as i64) {
            w.insert(w.entries.len(), entry(t, 0));
        }
        // 10, 20 and 30 fell out: a report older than 30 cannot be placed, a newer one can.
        assert_eq!(w.place((Timestamp::from_micros(25), 0)), Place::Outside);
        assert!(matches!(w.place((Timestamp::from_micros(40), 0)), Place::At { index: 0, before: None, .. }));
        assert!(w.lost_before(Timestamp::from_micros(30)));
    }
}
