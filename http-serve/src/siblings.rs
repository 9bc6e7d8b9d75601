//! Files known, for a moment, to have no precompressed sibling.
//!
//! Every response for FILE must say whether `FILE.br` or `FILE.gz` exists
//! (`Vary: Accept-Encoding`), so every request for a file would cost two
//! failed opens, though most files have no sibling. A file found without
//! one is remembered for [`FRESH`]; a sibling that appears is noticed
//! within that time (as with nginx's `open_file_cache_valid`, shorter).
//! Only absence is remembered: a sibling that exists is opened anyway to
//! be sent, and one that disappears fails to open and the plain file is
//! served. The table is bounded, so memory does not grow with the paths
//! requested.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a file stays known to have no sibling.
pub const FRESH: Duration = Duration::from_secs(1);

/// Most paths remembered; past it the stale ones go, then all of them.
const MOST: usize = 4096;

/// Paths (segments joined by `/`) found without a sibling, and when.
#[derive(Debug, Default)]
pub struct NoSiblings {
    seen: HashMap<Vec<u8>, Instant>,
}

impl NoSiblings {
    /// True when `path` was found without a sibling less than [`FRESH`]
    /// before `now`.
    pub fn known(&self, path: &[u8], now: Instant) -> bool {
        self.seen.get(path).is_some_and(|&at| now.saturating_duration_since(at) < FRESH)
    }

    /// Remembers that `path` had no sibling at `now`.
    pub fn remember(&mut self, path: Vec<u8>, now: Instant) {
        if self.seen.len() >= MOST {
            self.seen.retain(|_, &mut at| now.saturating_duration_since(at) < FRESH);
            if self.seen.len() >= MOST {
                self.seen.clear();
            }
        }
        self.seen.insert(path, now);
    }

    /// Forgets everything: a file was just made here (an upload), which
    /// may be some file's sibling.
    pub fn forget_all(&mut self) {
        self.seen.clear();
    }
}

/// The key for a path's segments.
pub fn key(segments: &[Vec<u8>]) -> Vec<u8> {
    segments.join(&b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absence_is_remembered_for_a_moment_only() {
        let t0 = Instant::now();
        let mut n = NoSiblings::default();
        assert!(!n.known(b"a/b.js", t0));
        n.remember(b"a/b.js".to_vec(), t0);
        // (offset from t0, known?)
        let table = [
            (Duration::ZERO, true),
            (FRESH / 2, true),
            (FRESH - Duration::from_millis(1), true),
            (FRESH, false),
            (FRESH * 10, false),
        ];
        for (after, want) in table {
            assert_eq!(n.known(b"a/b.js", t0 + after), want, "after {after:?}");
        }
        assert!(!n.known(b"a/b.j", t0), "another path");
        n.forget_all();
        assert!(!n.known(b"a/b.js", t0));
    }

    #[test]
    fn the_table_stays_bounded() {
        let t0 = Instant::now();
        let mut n = NoSiblings::default();
        for i in 0..MOST * 3 {
            n.remember(format!("f{i}").into_bytes(), t0);
            assert!(n.seen.len() <= MOST);
        }
        // Stale entries go first: fresh ones survive the next overflow.
        let later = t0 + FRESH * 2;
        n.remember(b"new".to_vec(), later);
        assert!(n.known(b"new", later));
    }

    #[test]
    fn keys_join_segments() {
        let segments = vec![b"a".to_vec(), b"b c".to_vec()];
        assert_eq!(key(&segments), b"a/b c".to_vec());
        assert_eq!(key(&[]), Vec::<u8>::new());
    }
}
