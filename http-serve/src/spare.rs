//! Buffers lent to connections while they work, and taken back while
//! they wait for their next request.
//!
//! A kept-alive connection spends most of its life waiting. Its read
//! buffer and its response buffer are empty then, so they come back here
//! and the next connection to have work takes them: 2,000 idle
//! connections hold no buffer at all (about 5 KiB each before), and a
//! busy server reuses the same few, still in the processor's cache,
//! instead of touching a fresh pair per connection. Bounded in count and
//! in the size of each buffer kept, so a burst of large heads or listings
//! does not pin memory.

/// Most buffers kept.
const MOST: usize = 256;
/// A buffer with more capacity than this is let go instead.
const LARGEST: usize = 64 * 1024;

/// Empty buffers ready to be lent.
#[derive(Debug, Default)]
pub struct Spare {
    free: Vec<Vec<u8>>,
}

impl Spare {
    /// An empty buffer, with capacity when one is spare.
    pub fn take(&mut self) -> Vec<u8> {
        self.free.pop().unwrap_or_default()
    }

    /// Takes `buf` back (emptied); kept when there is room for it.
    pub fn give(&mut self, mut buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > LARGEST || self.free.len() >= MOST {
            return;
        }
        buf.clear();
        self.free.push(buf);
    }

    /// How many buffers are spare.
    pub fn len(&self) -> usize {
        self.free.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lends_back_what_it_was_given_within_bounds() {
        let mut spare = Spare::default();
        assert_eq!(spare.take().capacity(), 0, "nothing spare yet");
        // (capacity given, kept?)
        let cases = [(0, false), (4096, true), (LARGEST, true), (LARGEST + 1, false)];
        for (cap, kept) in cases {
            let mut buf = Vec::with_capacity(cap);
            buf.extend(std::iter::repeat_n(7u8, cap.min(10)));
            let before = spare.len();
            spare.give(buf);
            assert_eq!(spare.len() - before, usize::from(kept), "{cap}");
        }
        let buf = spare.take();
        assert!(buf.is_empty() && buf.capacity() == LARGEST, "the last given, emptied");
        for _ in 0..MOST * 2 {
            spare.give(Vec::with_capacity(16));
        }
        assert_eq!(spare.len(), MOST);
    }
}
