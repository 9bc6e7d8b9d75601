//! Connection deadlines, so that finding the next one to expire costs the
//! same with ten connections or ten thousand.
//!
//! Every deadline in one queue is "now + the same duration" (`--timeout`
//! for reading and writing, the linger time for closing), so a deadline
//! set later is never earlier: each queue is a list in deadline order,
//! kept by appending, and its first entry is the next to expire. The list
//! is threaded through a vector indexed by connection slot, so setting,
//! moving and clearing a deadline are O(1).

use std::time::Instant;

/// Which queue a deadline is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Waiting for a head, or for a write to make progress (`--timeout`).
    Timeout,
    /// Draining a closing connection (the linger time).
    Linger,
}

impl Queue {
    fn index(self) -> usize {
        match self {
            Queue::Timeout => 0,
            Queue::Linger => 1,
        }
    }
}

/// No slot.
const NIL: usize = usize::MAX;

/// One slot's place in its queue.
#[derive(Debug, Clone, Copy)]
struct Link {
    prev: usize,
    next: usize,
    at: Instant,
    queue: Option<Queue>,
}

/// The deadline queues of every connection slot.
#[derive(Debug, Default)]
pub struct Timers {
    /// Per slot.
    links: Vec<Link>,
    /// First (earliest) slot of each queue.
    head: [Option<usize>; 2],
    /// Last (latest) slot of each queue.
    tail: [Option<usize>; 2],
}

impl Timers {
    /// Sets `slot`'s deadline to `at` in `queue`, replacing any it had.
    pub fn set(&mut self, slot: usize, queue: Queue, at: Instant) {
        self.clear(slot);
        if self.links.len() <= slot {
            let now = Instant::now();
            self.links.resize(slot + 1, Link { prev: NIL, next: NIL, at: now, queue: None });
        }
        let q = queue.index();
        // Almost always the last; a deadline set with a shorter duration
        // than its queue's others walks back to its place.
        let mut after = self.tail[q];
        while let Some(a) = after
            && self.links[a].at > at
        {
            after = self.prev(a);
        }
        let next = match after {
            Some(a) => self.next(a),
            None => self.head[q],
        };
        self.links[slot] = Link { prev: after.unwrap_or(NIL), next: next.unwrap_or(NIL), at, queue: Some(queue) };
        match after {
            Some(a) => self.links[a].next = slot,
            None => self.head[q] = Some(slot),
        }
        match next {
            Some(n) => self.links[n].prev = slot,
            None => self.tail[q] = Some(slot),
        }
    }

    /// Removes `slot`'s deadline, if it has one.
    pub fn clear(&mut self, slot: usize) {
        let Some(link) = self.links.get(slot).copied() else { return };
        let Some(queue) = link.queue else { return };
        let q = queue.index();
        match self.prev(slot) {
            Some(p) => self.links[p].next = link.next,
            None => self.head[q] = (link.next != NIL).then_some(link.next),
        }
        match self.next(slot) {
            Some(n) => self.links[n].prev = link.prev,
            None => self.tail[q] = (link.prev != NIL).then_some(link.prev),
        }
        self.links[slot] = Link { prev: NIL, next: NIL, at: link.at, queue: None };
    }

    /// The slot whose deadline passed first, if any has by `now`.
    pub fn expired(&self, now: Instant) -> Option<usize> {
        self.head.iter().flatten().copied().filter(|&s| self.links[s].at <= now).min_by_key(|&s| self.links[s].at)
    }

    /// The earliest deadline of all.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.head.iter().flatten().map(|&s| self.links[s].at).min()
    }

    /// The slots of `queue`, earliest deadline first.
    pub fn in_order(&self, queue: Queue) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.head[queue.index()], |&s| self.next(s))
    }

    fn prev(&self, slot: usize) -> Option<usize> {
        let p = self.links[slot].prev;
        (p != NIL).then_some(p)
    }

    fn next(&self, slot: usize) -> Option<usize> {
        let n = self.links[slot].next;
        (n != NIL).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn queues_keep_deadline_order() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut timers = Timers::default();
        timers.set(3, Queue::Timeout, at(10));
        timers.set(1, Queue::Timeout, at(20));
        timers.set(7, Queue::Linger, at(5));
        timers.set(2, Queue::Timeout, at(15)); // out of order: walks back
        assert_eq!(timers.in_order(Queue::Timeout).collect::<Vec<_>>(), vec![3, 2, 1]);
        assert_eq!(timers.next_deadline(), Some(at(5)));
        assert_eq!(timers.expired(at(4)), None);
        assert_eq!(timers.expired(at(12)), Some(7));
        timers.clear(7);
        assert_eq!(timers.expired(at(12)), Some(3));
        // Moving a slot puts it at its new place; clearing twice is fine.
        timers.set(3, Queue::Timeout, at(30));
        assert_eq!(timers.in_order(Queue::Timeout).collect::<Vec<_>>(), vec![2, 1, 3]);
        timers.clear(1);
        timers.clear(1);
        assert_eq!(timers.in_order(Queue::Timeout).collect::<Vec<_>>(), vec![2, 3]);
        timers.set(3, Queue::Linger, at(40));
        assert_eq!(timers.in_order(Queue::Timeout).collect::<Vec<_>>(), vec![2]);
        assert_eq!(timers.in_order(Queue::Linger).collect::<Vec<_>>(), vec![3]);
        timers.clear(2);
        timers.clear(3);
        assert_eq!(timers.next_deadline(), None);
    }
}
