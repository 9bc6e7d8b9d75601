//! A request body read by the connection as it arrives, into an upload:
//! the framing (a Content-Length or chunked, decoded as it comes with
//! [`shared::http::dechunk`]), the interim `100 Continue` a client may
//! wait for before it sends, and the bytes passed to the
//! [`crate::upload::Upload`] as they come, through one buffer the server
//! shares between connections (the thread reads one connection at a
//! time, and the bytes go to a file before the next read).

use std::time::Instant;

use shared::http::dechunk::Dechunker;
use shared::http::framing::BodyLength;

use crate::outgoing::Delivery;
use crate::response::Response;
use crate::site::Site;
use crate::upload::Upload;

/// The interim response sent to a client that asked for it.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// How the rest of the body is framed.
#[derive(Debug)]
enum Framing {
    /// This many bytes still to come.
    Length(u64),
    /// Chunked, decoded as it comes.
    Chunked(Dechunker),
}

/// What feeding bytes came to.
#[derive(Debug)]
pub enum Outcome {
    /// More of the body is to come.
    More,
    /// The body is complete: this is the answer (the files are in place).
    Done(Response),
    /// The upload ends early with this answer; the rest of the body is
    /// not read, so the connection closes after it.
    Refused(Response),
}

/// A body being received.
#[derive(Debug)]
pub struct Receiving {
    /// Where the body goes; taken when it ends.
    upload: Option<Box<Upload>>,
    framing: Framing,
    /// How much of `100 Continue` is still to be sent (0: none or sent).
    interim_left: usize,
    /// Body bytes read off the wire (chunk framing included).
    pub wire_bytes: u64,
    /// How the answer is to be delivered.
    pub how: Delivery,
    /// The request line, for the log.
    pub request: String,
    /// When the request was taken up.
    pub started: Instant,
}

impl Receiving {
    /// Starts receiving `body` into `upload`; `expect_continue`: the
    /// client waits for `100 Continue` before sending it.
    pub fn new(
        upload: Box<Upload>,
        body: BodyLength,
        expect_continue: bool,
        how: Delivery,
        request: String,
        started: Instant,
    ) -> Receiving {
        let framing = match body {
            BodyLength::Chunked => Framing::Chunked(Dechunker::new()),
            BodyLength::Length(n) => Framing::Length(n),
            // No body (PUT of an empty file); a response's framing never
            // gets here.
            _ => Framing::Length(0),
        };
        let empty = matches!(framing, Framing::Length(0));
        let interim_left = if expect_continue && !empty { CONTINUE.len() } else { 0 };
        Receiving { upload: Some(upload), framing, interim_left, wire_bytes: 0, how, request, started }
    }

    /// Ends the receiving: the upload, if still here, is dropped now (its
    /// temporary files removed before any answer goes out); what the
    /// answer needs is given back.
    pub fn into_parts(self) -> (Delivery, String, Instant) {
        (self.how, self.request, self.started)
    }

    /// The part of `100 Continue` still to be sent.
    pub fn interim(&self) -> &[u8] {
        &CONTINUE[CONTINUE.len() - self.interim_left..]
    }

    /// `n` more bytes of `100 Continue` went out.
    pub fn interim_sent(&mut self, n: usize) {
        self.interim_left -= n.min(self.interim_left);
    }

    /// True when the body is already complete (it was empty).
    pub fn complete_now(&mut self, site: &Site) -> Option<Outcome> {
        match self.framing {
            Framing::Length(0) => Some(self.finish(site)),
            _ => None,
        }
    }

    fn finish(&mut self, _site: &Site) -> Outcome {
        match self.upload.take() {
            Some(u) => Outcome::Done(u.finish()),
            None => Outcome::Refused(Response::refusal(500, "The upload ended twice.")),
        }
    }

    /// Takes what of `data` belongs to the body; returns how many bytes
    /// were taken (the rest is the next request) and what came of it.
    pub fn feed(&mut self, site: &Site, data: &[u8]) -> (usize, Outcome) {
        let Some(upload) = self.upload.as_mut() else {
            return (0, Outcome::Refused(Response::refusal(500, "The upload ended twice.")));
        };
        let (used, complete) = match &mut self.framing {
            Framing::Length(left) => {
                let take = data.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                if let Err(r) = upload.write(site, &data[..take]) {
                    return (take, Outcome::Refused(r));
                }
                *left -= take as u64;
                (take, *left == 0)
            }
            Framing::Chunked(d) => {
                let mut refused = None;
                let fed = d.feed(data, &mut |payload| {
                    if refused.is_none()
                        && let Err(r) = upload.write(site, payload)
                    {
                        refused = Some(r);
                    }
                });
                match (fed, refused) {
                    (_, Some(r)) => return (data.len(), Outcome::Refused(r)),
                    (Err(e), None) => {
                        return (
                            data.len(),
                            Outcome::Refused(Response::refusal(400, &format!("Bad chunked body: {e}."))),
                        );
                    }
                    (Ok(used), None) => (used, d.is_done()),
                }
            }
        };
        self.wire_bytes += used as u64;
        if complete { (used, self.finish(site)) } else { (used, Outcome::More) }
    }
}
