//! An archive made while it is sent: a [`Source`] that first walks the
//! tree to work out the archive's exact length (a bounded step at a time,
//! so the one thread goes on serving others meanwhile), then walks it
//! again making headers and copying each file's bytes through the
//! connection's buffer, and for zip a third time for the central
//! directory (the only thing kept per file is its CRC, four bytes).
//!
//! Nothing that changed can make a corrupt archive: a file whose size is
//! not the one its header gave, that ends early or goes on past it, a
//! tree that gives other entries on the central directory's walk than on
//! the data's, or an archive that would come out longer or shorter than
//! announced, is an error, and the connection ends without the archive's
//! end, which the client sees as a cut download.

use std::fs::File;
use std::hash::Hasher;
use std::io::{self, Read};

use super::walk::{Item, Tree, Walk};
use super::{tar, zip};
use crate::response::Source;

/// Entries looked at per step of working out the length.
const MEASURE_STEP: usize = 256;

/// Which archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// POSIX tar (ustar and pax).
    Tar,
    /// Zip, stored, with data descriptors and ZIP64 as needed.
    Zip,
}

/// What the archive is doing.
#[derive(Debug)]
enum Phase {
    /// Walking to work out the length: the bytes before the central
    /// directory so far, the entries, the central directory's bytes.
    Measure { walk: Walk, len: u64, count: u64, cd: u64 },
    /// Making headers and copying files.
    Data { walk: Walk },
    /// Copying one file's bytes.
    Copy { walk: Walk, item: Item, file: File, left: u64, crc: crc32fast::Hasher },
    /// Zip: the central directory.
    Central { walk: Walk, index: usize, offset: u64, cd: u64 },
    /// All made.
    Done,
}

/// An archive of one folder.
#[derive(Debug)]
pub struct Archive {
    format: Format,
    phase: Phase,
    /// The folder, walked afresh for each pass.
    tree: Tree,
    /// Zip: each file's CRC-32, in walk order.
    crcs: Vec<u32>,
    /// Zip: the entries seen by the data's walk, as a hash of paths and
    /// sizes, to be matched by the central directory's walk.
    seen: EntriesHash,
    /// Zip: the same, as the central directory's walk sees them.
    rechecked: EntriesHash,
    /// Zip: where each local header starts, and the entries so far.
    offset: u64,
    count: u64,
}

/// A running hash of (path, size) pairs and their count.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct EntriesHash {
    hash: u64,
    count: u64,
}

impl EntriesHash {
    fn add(&mut self, item: &Item) {
        let mut h = std::hash::DefaultHasher::new();
        h.write_u64(self.hash);
        h.write(&item.path);
        h.write_u64(item.size);
        self.hash = h.finish();
        self.count += 1;
    }
}

impl Archive {
    /// An archive of the folder `fresh` walks.
    pub fn new(format: Format, tree: Tree) -> Archive {
        let walk = tree.walk();
        Archive {
            format,
            phase: Phase::Measure { walk, len: 0, count: 0, cd: 0 },
            tree,
            crcs: Vec::new(),
            seen: EntriesHash::default(),
            rechecked: EntriesHash::default(),
            offset: 0,
            count: 0,
        }
    }

    fn zip_entry(item: &Item) -> zip::Entry<'_> {
        zip::Entry { name: &item.path, dir: item.dir, size: item.size, mtime: item.mtime }
    }

    /// Bytes one entry takes before the central directory.
    fn entry_len(&self, item: &Item) -> u64 {
        match self.format {
            Format::Tar => {
                let mut scratch = Vec::with_capacity(2 * tar::BLOCK);
                tar::header(&item.path, kind(item), item.size, item.mtime, &mut scratch);
                scratch.len() as u64 + item.size + tar::padding(item.size)
            }
            Format::Zip => {
                let e = Self::zip_entry(item);
                zip::local_len(&e) + item.size + zip::descriptor_len(&e)
            }
        }
    }

    /// Appends the header(s) that go before `item`'s bytes.
    fn put_header(&self, item: &Item, out: &mut Vec<u8>) {
        match self.format {
            Format::Tar => tar::header(&item.path, kind(item), item.size, item.mtime, out),
            Format::Zip => zip::local(&Self::zip_entry(item), out),
        }
    }

    /// Appends what goes after `item`'s bytes.
    fn put_trailer(&mut self, item: &Item, crc: u32, out: &mut Vec<u8>) {
        match self.format {
            Format::Tar => out.resize(out.len() + tar::padding(item.size) as usize, 0),
            Format::Zip => {
                let e = Self::zip_entry(item);
                zip::descriptor(&e, crc, out);
                if !item.dir {
                    self.crcs.push(crc);
                    self.seen.add(item);
                }
                self.offset += zip::local_len(&e) + item.size + zip::descriptor_len(&e);
                self.count += 1;
            }
        }
    }

    /// One step of making bytes: appends some to `out`; false at the end.
    fn step(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<bool> {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        self.phase = match phase {
            Phase::Measure { .. } => return Err(io::Error::other("an archive sent before its length was known")),
            Phase::Data { mut walk } => match walk.next_item()? {
                Some(item) if item.dir => {
                    self.put_header(&item, out);
                    self.put_trailer(&item, 0, out);
                    Phase::Data { walk }
                }
                Some(item) => {
                    let file = walk.open(&item)?;
                    let now = file.metadata()?.len();
                    if now != item.size {
                        return Err(io::Error::other("a file changed size while the archive was made"));
                    }
                    self.put_header(&item, out);
                    let left = item.size;
                    Phase::Copy { walk, item, file, left, crc: crc32fast::Hasher::new() }
                }
                None => match self.format {
                    Format::Tar => {
                        out.resize(out.len() + tar::END, 0);
                        Phase::Done
                    }
                    Format::Zip => Phase::Central { walk: self.tree.walk(), index: 0, offset: 0, cd: 0 },
                },
            },
            Phase::Copy { walk, item, mut file, left, mut crc } => {
                if left == 0 {
                    // The file must end where its header said.
                    let mut probe = [0u8; 1];
                    if file.read(&mut probe)? != 0 {
                        return Err(io::Error::other("a file grew while the archive was made"));
                    }
                    self.put_trailer(&item, crc.finalize(), out);
                    Phase::Data { walk }
                } else {
                    let room = want.max(4096) as u64;
                    let take = left.min(room) as usize;
                    let start = out.len();
                    out.resize(start + take, 0);
                    let got = read_some(&mut file, &mut out[start..])?;
                    out.truncate(start + got);
                    if got == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "a file shrank while the archive was made",
                        ));
                    }
                    crc.update(&out[start..]);
                    Phase::Copy { walk, item, file, left: left - got as u64, crc }
                }
            }
            Phase::Central { mut walk, index, offset, cd } => match walk.next_item()? {
                Some(item) => {
                    let crc = if item.dir {
                        0
                    } else {
                        *self
                            .crcs
                            .get(index)
                            .ok_or_else(|| io::Error::other("the folder gained files while the archive was made"))?
                    };
                    let e = Self::zip_entry(&item);
                    let start = out.len();
                    zip::central(&e, crc, offset, out);
                    let next = offset + zip::local_len(&e) + item.size + zip::descriptor_len(&e);
                    if !item.dir {
                        self.rechecked.add(&item);
                    }
                    Phase::Central {
                        walk,
                        index: index + usize::from(!item.dir),
                        offset: next,
                        cd: cd + (out.len() - start) as u64,
                    }
                }
                None => {
                    if self.rechecked != self.seen || index != self.crcs.len() {
                        return Err(io::Error::other("the folder changed while the archive was made"));
                    }
                    zip::end(self.count, self.offset, cd, out);
                    Phase::Done
                }
            },
            Phase::Done => return Ok(false),
        };
        Ok(true)
    }
}

/// A tar entry's kind.
fn kind(item: &Item) -> tar::Kind {
    if item.dir { tar::Kind::Dir } else { tar::Kind::File }
}

/// Reads what the file gives into `buf` (a signal interrupting it is
/// retried).
fn read_some(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl Source for Archive {
    fn measure(&mut self) -> io::Result<Option<u64>> {
        let Phase::Measure { mut walk, mut len, mut count, mut cd } = std::mem::replace(&mut self.phase, Phase::Done)
        else {
            return Err(io::Error::other("an archive measured twice"));
        };
        for _ in 0..MEASURE_STEP {
            let Some(item) = walk.next_item()? else {
                let total = match self.format {
                    Format::Tar => len + tar::END as u64,
                    // `len` is where the central directory starts.
                    Format::Zip => len + cd + zip::end_len(count, len, cd),
                };
                self.phase = Phase::Data { walk: self.tree.walk() };
                return Ok(Some(total));
            };
            if self.format == Format::Zip {
                cd += zip::central_len(&Self::zip_entry(&item), len);
                count += 1;
            }
            len += self.entry_len(&item);
        }
        self.phase = Phase::Measure { walk, len, count, cd };
        Ok(None)
    }

    fn fill(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let before = out.len();
        while out.len() - before < want {
            let left = want - (out.len() - before);
            if !self.step(out, left)? {
                break;
            }
        }
        Ok(out.len() - before)
    }
}
