//! Moving a response's body to the output, counting as it goes (for the
//! progress bar, `-w` and retries). Two ways, chosen by what the response
//! allows: read through the framing and write (https, chunked, or before
//! the output is open), or move from the socket to the output's file
//! through `shared::sys::splice`, which on Linux splices without copying
//! the bytes through this process. Both end the same way: a Content-Length
//! body stops at its length and an early close is "cut short", a
//! close-delimited body runs to the close, and a reader of stdout that
//! went away ends the run quietly.

use std::fs::File;
use std::io::{self, Read};

use shared::http::body::BodyError;
use shared::sys::splice::{MoveError, SocketToFile};

use crate::error::{Error, Kind};
use crate::net::Timed;
use crate::progress::Progress;
use crate::response::{FramedBody, Response, SocketBody, TakenBody, reclaim};
use crate::sink::{Sink, WriteFail};
use crate::writeout::Facts;

/// Read size for the framed way.
const COPY_BUFFER: usize = 128 * 1024;
/// Most bytes asked of the zero-copy way per call.
const MOVE_CHUNK: usize = 1 << 20;

/// How copying a body ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// The whole body is out.
    All,
    /// The reader of stdout (or of a FIFO) went away: stop quietly.
    ReaderGone,
}

/// Where a body goes and what is counted on the way.
#[derive(Debug)]
pub struct Out<'a> {
    /// The output, already open.
    pub sink: &'a mut Sink,
    /// The bar, moved by every byte.
    pub progress: &'a Progress,
    /// `size_download` counts every byte.
    pub facts: &'a mut Facts,
}

/// Copies the body of `response` (from `url`, for messages) to `out`, the
/// zero-copy way when the response and the output allow it. With the
/// whole body out, gives back the connection when it may carry another
/// request (keep-alive).
pub fn body(response: Response, url: &str, out: Out<'_>) -> Result<(Copied, Option<Timed>), Error> {
    let reusable = response.reusable();
    match response.into_body(out.sink.file().is_some()) {
        TakenBody::Socket(mut socket) => {
            let copied = zero_copy(&mut socket, url, out)?;
            Ok((copied, socket.into_conn().filter(|_| copied == Copied::All)))
        }
        TakenBody::Framed(mut body) => {
            let copied = framed(&mut body, url, out)?;
            let conn = if copied == Copied::All && reusable { reclaim(body) } else { None };
            Ok((copied, conn))
        }
    }
}

fn framed(body: &mut FramedBody, url: &str, out: Out<'_>) -> Result<Copied, Error> {
    let mut buf = vec![0u8; COPY_BUFFER];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => return Ok(Copied::All),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::receive(url, e)),
        };
        out.facts.size_download += n as u64;
        match out.sink.write(&buf[..n]) {
            Ok(()) => out.progress.inc(n as u64),
            Err(WriteFail::Closed) => return Ok(Copied::ReaderGone),
            Err(WriteFail::Failed(e)) => return Err(e),
        }
    }
}

fn zero_copy(body: &mut SocketBody, url: &str, out: Out<'_>) -> Result<Copied, Error> {
    // The bytes that came with the head go first, by an ordinary write.
    match out.sink.write(&body.early) {
        Ok(()) => {}
        Err(WriteFail::Closed) => return Ok(Copied::ReaderGone),
        Err(WriteFail::Failed(e)) => return Err(e),
    }
    let early = body.early.len() as u64;
    out.facts.size_download += early;
    out.progress.inc(early);
    let Some(file) = out.sink.file() else {
        return Err(Error::new(Kind::Write, "output not open"));
    };
    let mut moved = 0u64;
    let ended = move_rest(body, file, |n| {
        moved += n;
        out.facts.size_download += n;
        out.progress.inc(n);
    });
    // The sink counted what it wrote itself; count what went around it.
    out.sink.note_moved(moved);
    match ended {
        Ok(()) => Ok(Copied::All),
        Err(MoveError::Read(e)) => Err(Error::receive(url, e)),
        Err(e) if e.io().kind() == io::ErrorKind::BrokenPipe => Ok(Copied::ReaderGone),
        Err(e) => {
            let message = format!("writing output: {}", shared::io_text::describe(e.io()));
            Err(Error::new(Kind::Write, message).because(e))
        }
    }
}

/// Moves the body's rest from the socket to the output's file, each wait
/// bounded by the clock; `moved` hears of every amount.
fn move_rest(body: &SocketBody, file: &File, mut moved: impl FnMut(u64)) -> Result<(), MoveError> {
    let mut mover = SocketToFile::new();
    let mut got = body.early.len() as u64;
    // The read timeout last set on the socket: set again only when it
    // changes (every call under a deadline, once otherwise).
    let mut timeout_set = None;
    while body.length.is_none_or(|n| got < n) {
        let timeout =
            body.clock.io_timeout().ok_or_else(|| MoveError::Read(io::Error::from(io::ErrorKind::TimedOut)))?;
        if timeout_set != Some(timeout) {
            body.tcp.set_read_timeout(Some(timeout)).map_err(MoveError::Read)?;
            timeout_set = Some(timeout);
        }
        let want = body.length.map_or(MOVE_CHUNK, |n| usize::try_from(n - got).unwrap_or(usize::MAX).min(MOVE_CHUNK));
        match mover.move_some(&body.tcp, file, want)? {
            0 => {
                return match body.length {
                    Some(expected) => Err(MoveError::Read(BodyError::CutShort { expected, received: got }.into_io())),
                    None => Ok(()),
                };
            }
            n => {
                got += n as u64;
                moved(n as u64);
            }
        }
    }
    Ok(())
}
