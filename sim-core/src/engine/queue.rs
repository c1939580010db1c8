//! The future-event list: a 4-ary min-heap keyed by `(time, insertion sequence)`,
//! plus *lanes* for recurring sources.
//!
//! Ties in time pop in insertion order (first scheduled, first run), so a run is a
//! deterministic function of its inputs. The queue knows nothing of the domain: it
//! stores any `Copy` payload.
//!
//! A lane holds at most one pending entry: the next event of a source that always
//! has exactly one scheduled (the next arrival of a call type). Lane entries take
//! their sequence number from the same counter as heap entries and are ordered by
//! the same key, so the pop order is exactly what it would be if they were in the
//! heap; keeping them out of it saves a heap push and pop per arrival. Cancellation is not done here: handlers carry a
//! generation number in their payload and discard stale entries when they pop
//! (see `engine::sim`), which costs O(1) instead of a scan.

use super::time::SimTime;

/// One scheduled entry. The key packs the time's bit pattern (order-preserving for
/// non-negative finite floats) above the sequence number, so one `u128` comparison
/// orders the heap.
#[derive(Debug, Clone, Copy)]
struct Entry<E> {
    key: u128,
    payload: E,
}

/// The key of an empty lane: larger than any real key (times are finite, so their
/// bit patterns never reach `u64::MAX`).
const EMPTY: u128 = u128::MAX;

/// Arity of the heap. Four children per node halve the depth of a binary heap;
/// the children of a node share two cache lines, so the extra comparisons are
/// cheap and a pop moves half as many entries (measured: the event loop's largest
/// cost).
const D: usize = 4;

/// An implicit 4-ary min-heap on `Entry::key`.
#[derive(Debug, Clone)]
struct Heap<E> {
    v: Vec<Entry<E>>,
}

impl<E: Copy> Heap<E> {
    fn with_capacity(n: usize) -> Self {
        Heap {
            v: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.v.first()
    }

    #[inline]
    fn len(&self) -> usize {
        self.v.len()
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    /// O(log₄ n).
    #[inline(always)]
    fn push(&mut self, e: Entry<E>) {
        let mut i = self.v.len();
        self.v.push(e);
        while i > 0 {
            let parent = (i - 1) / D;
            if self.v[parent].key <= e.key {
                break;
            }
            self.v[i] = self.v[parent];
            i = parent;
        }
        self.v[i] = e;
    }

    /// O(D · log₄ n). The hole left at the root moves down to the smaller child
    /// until `last` (the old last leaf) fits; nodes with all four children (all
    /// but at most one per level) take a fixed tournament of three compares.
    #[inline(always)]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.v.pop()?;
        let v = &mut self.v[..];
        let n = v.len();
        let Some(&top) = v.first() else {
            return Some(last);
        };
        let mut i = 0;
        loop {
            let first = D * i + 1;
            let (best, best_key) = if let Some(c) = v.get(first..first + D) {
                let (a, ka) = if c[1].key < c[0].key {
                    (1, c[1].key)
                } else {
                    (0, c[0].key)
                };
                let (b, kb) = if c[3].key < c[2].key {
                    (3, c[3].key)
                } else {
                    (2, c[2].key)
                };
                if kb < ka {
                    (first + b, kb)
                } else {
                    (first + a, ka)
                }
            } else if first < n {
                // The one node with fewer than four children.
                let mut best = first;
                let mut best_key = v[first].key;
                for (c, e) in v.iter().enumerate().skip(first + 1) {
                    if e.key < best_key {
                        best = c;
                        best_key = e.key;
                    }
                }
                (best, best_key)
            } else {
                break;
            };
            if last.key <= best_key {
                break;
            }
            v[i] = v[best];
            i = best;
        }
        v[i] = last;
        Some(top)
    }
}

/// A future-event list ordered by `(time, insertion sequence)`.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: Heap<E>,
    seq: u64,
    /// Per lane, its entry's key (`EMPTY` when the lane holds nothing) and payload.
    lane_keys: Vec<u128>,
    lane_payloads: Vec<Option<E>>,
    /// The smallest lane key and its lane (`EMPTY` when every lane is empty).
    min_lane_key: u128,
    min_lane: usize,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            heap: Heap::with_capacity(1024),
            seq: 0,
            lane_keys: Vec::new(),
            lane_payloads: Vec::new(),
            min_lane_key: EMPTY,
            min_lane: 0,
        }
    }

    #[inline]
    fn key(&mut self, time: SimTime) -> u128 {
        let key = ((time.to_bits() as u128) << 64) | self.seq as u128;
        self.seq += 1;
        key
    }

    /// Schedule `payload` at `time` in lane `lane`, which must be empty (a lane
    /// holds one pending entry). O(1).
    #[inline(always)]
    pub fn push_lane(&mut self, lane: usize, time: SimTime, payload: E) {
        if lane >= self.lane_keys.len() {
            self.lane_keys.resize(lane + 1, EMPTY);
            self.lane_payloads.resize(lane + 1, None);
        }
        debug_assert!(
            self.lane_keys[lane] == EMPTY,
            "lane {lane} already occupied"
        );
        let key = self.key(time);
        self.lane_keys[lane] = key;
        self.lane_payloads[lane] = Some(payload);
        if key < self.min_lane_key {
            self.min_lane_key = key;
            self.min_lane = lane;
        }
    }

    /// O(number of lanes).
    #[inline(always)]
    fn recompute_lane_min(&mut self) {
        if let [k] = self.lane_keys[..] {
            // One lane (one arrival source): nothing to search.
            self.min_lane_key = k;
            self.min_lane = 0;
            return;
        }
        self.min_lane_key = EMPTY;
        for (i, &k) in self.lane_keys.iter().enumerate() {
            if k < self.min_lane_key {
                self.min_lane_key = k;
                self.min_lane = i;
            }
        }
    }

    /// Schedule `payload` at `time`. O(log n).
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, payload: E) {
        let key = self.key(time);
        self.heap.push(Entry { key, payload });
    }

    /// Remove and return the earliest entry; among equal times, the one scheduled
    /// first. O(log n).
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let heap_key = self.heap.peek().map_or(EMPTY, |e| e.key);
        if self.min_lane_key < heap_key {
            let m = self.min_lane;
            let key = self.min_lane_key;
            self.lane_keys[m] = EMPTY;
            let payload = self.lane_payloads[m].take()?;
            self.recompute_lane_min();
            return Some((SimTime::from_bits((key >> 64) as u64), payload));
        }
        let e = self.heap.pop()?;
        Some((SimTime::from_bits((e.key >> 64) as u64), e.payload))
    }

    /// Time of the earliest entry without removing it. O(1).
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        let key = self
            .heap
            .peek()
            .map_or(EMPTY, |e| e.key)
            .min(self.min_lane_key);
        (key != EMPTY).then(|| SimTime::from_bits((key >> 64) as u64))
    }

    /// Number of entries (lanes included), stale ones included. O(lanes).
    pub fn len(&self) -> usize {
        self.heap.len() + self.lane_keys.iter().filter(|&&k| k != EMPTY).count()
    }

    /// Whether nothing is scheduled. O(1).
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.min_lane_key == EMPTY
    }

    /// Number of entries ever pushed (the next sequence number). O(1).
    pub fn pushed(&self) -> u64 {
        self.seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(x: f64) -> SimTime {
        SimTime::new(x).unwrap()
    }

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        for (i, x) in [5.0, 1.0, 3.0, 0.0, 4.5, 2.0].into_iter().enumerate() {
            q.push(t(x), i);
        }
        let order: Vec<usize> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![3, 1, 5, 2, 4, 0]);
    }

    #[test]
    fn equal_times_are_fifo() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(t(7.0), i);
        }
        q.push(t(6.0), 1000);
        assert_eq!(q.pop(), Some((t(6.0), 1000)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((t(7.0), i)));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn peek_matches_pop() {
        let mut q = EventQueue::new();
        q.push(t(2.5), 'a');
        q.push(t(1.5), 'b');
        assert_eq!(q.peek_time(), Some(t(1.5)));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop().map(|p| p.1), Some('b'));
        assert_eq!(q.pushed(), 2);
    }

    #[test]
    fn lanes_interleave_exactly_like_heap_entries() {
        // The same schedule through lanes (a) and through the heap alone (b) pops
        // identically, ties included.
        let mut a = EventQueue::new();
        let mut b = EventQueue::new();
        let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
        let schedule = [
            (0usize, 3.0),
            (1, 1.0),
            (2, 3.0),
            (0, 5.0),
            (1, 3.0),
            (2, 0.5),
        ];
        for (i, &(lane, x)) in schedule.iter().enumerate() {
            // A lane holds one entry: pop until this one is free.
            while a.lane_keys.get(lane).is_some_and(|&k| k != EMPTY) {
                out_a.extend(a.pop());
                out_b.extend(b.pop());
            }
            a.push_lane(lane, t(x), lane);
            b.push(t(x), lane);
            a.push(t(x), 50 + i);
            b.push(t(x), 50 + i);
        }
        out_a.extend(std::iter::from_fn(|| a.pop()));
        out_b.extend(std::iter::from_fn(|| b.pop()));
        assert_eq!(out_a, out_b);
        assert_eq!(out_a.len(), 12);
        assert!(a.is_empty());
        assert_eq!(a.len(), 0);
    }

    #[test]
    fn random_schedules_pop_sorted_by_time_then_sequence() {
        // A reference model: sort by (time, sequence). Interleave pushes and pops.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..50 {
            let mut q = EventQueue::new();
            let mut model: Vec<(f64, u64)> = Vec::new();
            let mut seq = 0u64;
            let mut now = 0.0;
            for _ in 0..(200 + round * 20) {
                if rand() % 3 != 0 || model.is_empty() {
                    // Coarse times so that ties are frequent.
                    let t = now + (rand() % 8) as f64;
                    q.push(SimTime::new(t).unwrap(), seq);
                    model.push((t, seq));
                    seq += 1;
                } else {
                    model.sort_by(|a, b| a.partial_cmp(b).unwrap());
                    let (t, s) = model.remove(0);
                    let (qt, qs) = q.pop().unwrap();
                    assert_eq!((qt.seconds(), qs), (t, s));
                    now = t;
                }
            }
            model.sort_by(|a, b| a.partial_cmp(b).unwrap());
            for (t, s) in model {
                let (qt, qs) = q.pop().unwrap();
                assert_eq!((qt.seconds(), qs), (t, s));
            }
            assert!(q.pop().is_none());
        }
    }

    #[test]
    fn huge_and_tiny_times_order_correctly() {
        let mut q = EventQueue::new();
        q.push(t(1e12), 0);
        q.push(t(1e-300), 1);
        q.push(t(0.0), 2);
        q.push(t(1.0), 3);
        let order: Vec<i32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![2, 1, 3, 0]);
    }
}
