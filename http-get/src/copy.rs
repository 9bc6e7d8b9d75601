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
use shared::http::framing::BodyLength;
use shared::sys::splice::{MoveError, SocketToFile};

use crate::decode::{self, Coding};
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
    /// `--compressed`: the codings to undo, in the order applied.
    pub codings: &'a [Coding],
    /// `--max-filesize`: most bytes written (after decoding).
    pub max_size: Option<u64>,
    /// `--limit-rate`.
    pub pace: Option<Pace>,
}

/// `--limit-rate`: after each piece, a pause long enough that the body's
/// average rate stays at most the limit (bounded by what is left of the
/// clock, so `-m` still ends the transfer).
#[derive(Debug)]
pub struct Pace {
    /// Bytes a second.
    rate: u64,
    /// When the body began.
    started: std::time::Instant,
    /// Bytes so far.
    bytes: u64,
    /// `-m`: no pause lasts past it.
    deadline: Option<std::time::Instant>,
}

impl Pace {
    /// A pace of `rate` bytes a second, starting now, never pausing past
    /// `deadline`.
    pub fn new(rate: u64, deadline: Option<std::time::Instant>) -> Pace {
        Pace { rate, started: std::time::Instant::now(), bytes: 0, deadline }
    }

    /// How much to read at once: about an eighth of a second's worth, so
    /// pauses stay short.
    fn chunk(&self) -> usize {
        usize::try_from(self.rate / 8).unwrap_or(COPY_BUFFER).clamp(1, COPY_BUFFER)
    }

    /// `n` more bytes went out: waits until they are due.
    fn after(&mut self, n: u64) {
        let mut early = self.pause(n, self.started.elapsed());
        if let Some(deadline) = self.deadline {
            early = early.min(deadline.saturating_duration_since(std::time::Instant::now()));
        }
        if !early.is_zero() {
            std::thread::sleep(early);
        }
    }

    /// The pause owed after `n` more bytes, `elapsed` into the body: the
    /// time all bytes so far are due at, less the time already taken.
    fn pause(&mut self, n: u64, elapsed: std::time::Duration) -> std::time::Duration {
        self.bytes += n;
        std::time::Duration::from_secs_f64(self.bytes as f64 / self.rate as f64).saturating_sub(elapsed)
    }
}

impl Out<'_> {
    /// Writes one piece of the body, counting it, unless it would pass
    /// `--max-filesize`. `Some` says how copying ends here.
    fn put(&mut self, bytes: &[u8], url: &str) -> Result<Option<Copied>, Error> {
        let n = bytes.len() as u64;
        if let Some(max) = self.max_size
            && self.facts.size_download + n > max
        {
            return Err(too_large(url, max));
        }
        self.facts.size_download += n;
        match self.sink.write(bytes) {
            Ok(()) => {
                self.progress.inc(n);
                if let Some(pace) = &mut self.pace {
                    pace.after(n);
                }
                Ok(None)
            }
            Err(WriteFail::Closed) => Ok(Some(Copied::ReaderGone)),
            Err(WriteFail::Failed(e)) => Err(e),
        }
    }
}

/// The body passed `--max-filesize` (curl's 63).
pub fn too_large(url: &str, max: u64) -> Error {
    Error::new(Kind::TooLarge, format!("{url}: the body is larger than --max-filesize ({max} bytes)"))
}

/// Copies the body of `response` (from `url`, for messages) to `out`, the
/// zero-copy way when the response and the output allow it (nothing to
/// decode or count against a limit). With the whole body out, gives back
/// the connection when it may carry another request (keep-alive).
pub fn body(response: Response, url: &str, out: Out<'_>) -> Result<(Copied, Option<Timed>), Error> {
    let reusable = response.reusable();
    // A buffer no larger than the body needs.
    let size = match response.length() {
        BodyLength::Length(n) if out.codings.is_empty() => {
            usize::try_from(n).unwrap_or(usize::MAX).clamp(1, COPY_BUFFER)
        }
        _ => COPY_BUFFER,
    };
    if !out.codings.is_empty() {
        let mut body = response.into_framed();
        let copied = decoded(&mut body, url, out, COPY_BUFFER)?;
        let conn = if copied == Copied::All && reusable { reclaim(body) } else { None };
        return Ok((copied, conn));
    }
    let socket_wanted = out.sink.file().is_some() && out.max_size.is_none() && out.pace.is_none();
    match response.into_body(socket_wanted) {
        TakenBody::Socket(mut socket) => {
            let copied = zero_copy(&mut socket, url, out)?;
            Ok((copied, socket.into_conn().filter(|_| copied == Copied::All)))
        }
        TakenBody::Framed(mut body) => {
            let copied = framed(&mut body, url, out, size)?;
            let conn = if copied == Copied::All && reusable { reclaim(body) } else { None };
            Ok((copied, conn))
        }
    }
}

fn framed(body: &mut FramedBody, url: &str, mut out: Out<'_>, size: usize) -> Result<Copied, Error> {
    let mut buf = vec![0u8; out.pace.as_ref().map_or(size, |p| p.chunk().min(size))];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => return Ok(Copied::All),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::receive(url, e)),
        };
        if let Some(end) = out.put(&buf[..n], url)? {
            return Ok(end);
        }
    }
}

/// The body through its decoders; a failure of the connection underneath
/// is reported as such, anything else as a body that does not decode.
fn decoded(body: &mut FramedBody, url: &str, mut out: Out<'_>, size: usize) -> Result<Copied, Error> {
    let names: Vec<&str> = out.codings.iter().map(|c| c.name()).collect();
    let names = names.join(", ");
    let (mut reader, underneath) = decode::decoder(&mut *body, out.codings);
    let failed = |e: io::Error| match underneath.borrow_mut().take() {
        Some(cause) => Error::receive(url, cause),
        None => Error::new(Kind::Decode, format!("{url}: the {names} body does not decode: {e}")).because(e),
    };
    let mut buf = vec![0u8; out.pace.as_ref().map_or(size, Pace::chunk)];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(failed(e)),
        };
        if let Some(end) = out.put(&buf[..n], url)? {
            return Ok(end);
        }
    }
    drop(reader);
    // The compressed stream ended: so must the body.
    match body.read(&mut [0u8; 1]) {
        Ok(0) => Ok(Copied::All),
        Ok(_) => Err(Error::new(Kind::Decode, format!("{url}: data after the end of the {names} body"))),
        Err(e) => Err(Error::receive(url, e)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The pauses keep the average at the rate, never paying back time
    /// already lost; reads are an eighth of a second's worth.
    #[test]
    fn pace_table() {
        let mut pace = Pace::new(1000, None);
        let cases = [(500, 0, 500), (500, 200, 800), (1000, 3000, 0), (1000, 3000, 0), (1000, 3000, 1000)];
        for (n, elapsed_ms, want_ms) in cases {
            assert_eq!(
                pace.pause(n, Duration::from_millis(elapsed_ms)),
                Duration::from_millis(want_ms),
                "{n} at {elapsed_ms}"
            );
        }
        assert_eq!(Pace::new(1, None).chunk(), 1);
        assert_eq!(Pace::new(80 * 1024, None).chunk(), 10 * 1024);
        assert_eq!(Pace::new(1 << 40, None).chunk(), COPY_BUFFER);
    }
}
