//! A response on its way out: the write buffer (head, and the whole body
//! when small), then the pieces that follow it. Sending never blocks: when
//! the socket is full it says so, and the server goes on with other
//! connections until this one can take more.

use std::io;
use std::net::TcpStream;

use crate::response::{Piece, Rest};
use crate::sys;

/// Most bytes handed to one sendfile call.
const SENDFILE_CHUNK: u64 = 1 << 30;

/// A write buffer larger than this is released after its response, so a
/// big listing does not pin memory on an idle connection.
const KEEP_CAPACITY: usize = 256 * 1024;

/// How far a call to [`Outgoing::send`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The whole response is sent.
    Done,
    /// The socket is full; wait until it is writable.
    Blocked,
    /// The byte budget for this turn is spent; others get a turn first.
    Yield,
}

/// The unsent part of the current response.
#[derive(Debug, Default)]
pub struct Outgoing {
    /// The head and any buffered body; handlers write here.
    pub buf: Vec<u8>,
    /// How much of `buf` is sent.
    pos: usize,
    /// What follows `buf`.
    rest: Rest,
    /// Bytes of this response sent so far, head included.
    total: u64,
    /// TCP_CORK is on: the file is going out in full segments only.
    corked: bool,
}

impl Outgoing {
    /// Starts sending what the handler put in `buf`, then `rest`.
    pub fn start(&mut self, rest: Rest) {
        self.pos = 0;
        self.rest = rest;
        self.total = 0;
    }

    /// Bytes of the current response sent so far, head included.
    pub fn sent(&self) -> u64 {
        self.total
    }

    /// Sends as much as the socket takes, up to about `budget` bytes.
    pub fn send(&mut self, sock: &TcpStream, budget: u64) -> io::Result<Progress> {
        let mut sent: u64 = 0;
        loop {
            if sent >= budget {
                return Ok(Progress::Yield);
            }
            if self.pos < self.buf.len() {
                let more = !self.rest.pieces.is_empty();
                match sys::send(sock, &self.buf[self.pos..], more) {
                    Ok(n) => {
                        self.pos += n;
                        sent += n as u64;
                        self.total += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Blocked),
                    Err(e) => return Err(e),
                }
                continue;
            }
            let Some(piece) = self.rest.pieces.front_mut() else {
                if self.corked {
                    // Uncorking sends what is left at once.
                    let _ = sys::set_cork(sock, false);
                    self.corked = false;
                }
                self.finish();
                return Ok(Progress::Done);
            };
            match piece {
                Piece::Bytes(bytes) => {
                    self.buf.clear();
                    self.buf.extend_from_slice(bytes);
                    self.pos = 0;
                    self.rest.pieces.pop_front();
                }
                Piece::File { start, end } => {
                    if *start >= *end {
                        self.rest.pieces.pop_front();
                        continue;
                    }
                    let file = self.rest.file.as_ref().ok_or_else(|| io::Error::other("file piece without a file"))?;
                    if !self.corked {
                        // Whole segments while a file streams (TCP_NODELAY
                        // would push every partial one); uncorked at the end.
                        self.corked = sys::set_cork(sock, true).is_ok();
                    }
                    let count = (*end - *start).min(SENDFILE_CHUNK).min(budget - sent) as usize;
                    match sys::sendfile(sock, file, start, count) {
                        Ok(0) => {
                            // The Content-Length already sent cannot be kept.
                            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while being sent"));
                        }
                        Ok(n) => {
                            sent += n as u64;
                            self.total += n as u64;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Blocked),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// Forgets the finished response, keeping a modest buffer for the next.
    fn finish(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > KEEP_CAPACITY {
            self.buf = Vec::new();
        }
        self.pos = 0;
        self.rest = Rest::default();
    }
}
