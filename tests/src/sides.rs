//! The two sides of an exchange as files, for the interoperability tests:
//! side `a` (ours) and side `b` (the peer's) each get an input of
//! pseudo-random bytes and a file for what they receive; [`Sides::check`]
//! says whether each input arrived at the other side whole.

use std::fs::File;
use std::path::PathBuf;
use std::process::Stdio;

use crate::TempDir;

/// Two inputs of `size` bytes in a folder of their own.
#[derive(Debug)]
pub struct Sides {
    dir: TempDir,
    size: usize,
}

impl Sides {
    /// Makes the folder and both inputs (`a-in` from `seed`, `b-in` from
    /// the next).
    pub fn new(label: &str, size: usize, seed: u64) -> Sides {
        let dir = TempDir::new(label);
        std::fs::write(dir.join("a-in"), crate::pseudo_random(seed, size)).expect("write a-in");
        std::fs::write(dir.join("b-in"), crate::pseudo_random(seed + 1, size)).expect("write b-in");
        Sides { dir, size }
    }

    /// A path in the folder (a socket, a certificate).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Side `side`'s input, for a child's stdin.
    pub fn input(&self, side: &str) -> Stdio {
        Stdio::from(File::open(self.dir.join(format!("{side}-in"))).expect("open an input"))
    }

    /// Where side `side`'s received bytes go, for a child's stdout.
    pub fn output(&self, side: &str) -> Stdio {
        Stdio::from(File::create(self.dir.join(format!("{side}-out"))).expect("create an output"))
    }

    /// Each side's input arrived at the other, whole and unchanged.
    pub fn check(&self) {
        let read = |n: &str| std::fs::read(self.dir.join(n)).unwrap_or_default();
        let (a_in, b_in, a_out, b_out) = (read("a-in"), read("b-in"), read("a-out"), read("b-out"));
        assert_eq!((b_out.len(), a_out.len()), (self.size, self.size), "{} bytes each way", self.size);
        assert!(b_out == a_in, "our bytes arrived unchanged");
        assert!(a_out == b_in, "the peer's bytes arrived unchanged");
    }
}
