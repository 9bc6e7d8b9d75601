//! A file's validators (its ETag and Last-Modified, and their text in a
//! head), worked out once per version of the file.
//!
//! Both depend only on the file's size and modification time, so they are
//! remembered by that pair: a file served again unchanged costs no
//! formatting, and a changed file (another size or time) gets its own at
//! once. The table is bounded, so memory does not grow with the files
//! served.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::SystemTime;

use shared::http::etag::ETag;

/// Most versions remembered; past it the table starts over.
const MOST: usize = 256;

/// What a response for one version of a file says about it.
#[derive(Debug)]
pub struct Validators {
    /// The strong ETag, for comparisons.
    pub etag: ETag,
    /// It as a field value (quoted).
    pub etag_text: String,
    /// The modification time to the second, for comparisons.
    pub last_modified: SystemTime,
    /// It as an HTTP-date.
    pub last_modified_text: String,
}

/// Validators by (size, modification time).
#[derive(Debug, Default)]
pub struct Memo {
    known: HashMap<(u64, SystemTime), Rc<Validators>>,
}

impl Memo {
    /// The validators of a file of `len` bytes modified at `mtime`.
    pub fn get(&mut self, len: u64, mtime: SystemTime) -> Rc<Validators> {
        if let Some(v) = self.known.get(&(len, mtime)) {
            return v.clone();
        }
        if self.known.len() >= MOST {
            self.known.clear();
        }
        let etag = ETag::for_file(len, mtime);
        let last_modified = shared::http::date::truncate(mtime);
        let v = Rc::new(Validators {
            etag_text: etag.to_string(),
            etag,
            last_modified,
            last_modified_text: shared::http::date::format(last_modified),
        });
        self.known.insert((len, mtime), v.clone());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_version_its_own_and_the_table_bounded() {
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let mut memo = Memo::default();
        // (len, mtime): another size or another time is another version.
        let cases = [(10, t), (11, t), (10, t + Duration::from_nanos(1)), (10, t + Duration::from_secs(1))];
        for (len, mtime) in cases {
            let v = memo.get(len, mtime);
            assert_eq!(v.etag, ETag::for_file(len, mtime));
            assert_eq!(v.etag_text, ETag::for_file(len, mtime).to_string());
            assert_eq!(v.last_modified, shared::http::date::truncate(mtime));
            assert_eq!(v.last_modified_text, shared::http::date::format(shared::http::date::truncate(mtime)));
            assert!(Rc::ptr_eq(&v, &memo.get(len, mtime)), "the same version is remembered");
        }
        for i in 0..MOST as u64 * 3 {
            memo.get(i, t);
            assert!(memo.known.len() <= MOST);
        }
    }
}
