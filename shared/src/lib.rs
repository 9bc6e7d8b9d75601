//! What the netkit tools share: addresses, and HTTP/1.1 framing for both
//! the server side (http-serve) and the client side (http-get).
//!
//! Every parser here is total: any input gives a value or a typed error
//! whose message quotes the input; nothing panics. The binaries turn the
//! errors into exit codes or HTTP statuses.
//!
//! | module | what it holds |
//! |---|---|
//! | [`addr`] | `HOST:PORT` parsing, resolution with `-4`/`-6` |
//! | [`bind`] | connect-any with a timeout, dual-stack bind |
//! | [`io_text`] | one-line descriptions of I/O errors |
//! | [`headers`] | an owned list of header fields, list and token lookups |
//! | [`head`] | reading a head off a stream under size limits and a deadline |
//! | [`request`] | request heads (server side) |
//! | [`target`] | request-target forms and percent-decoding the path once |
//! | [`response`] | response heads (client side), skipping interim 1xx |
//! | [`framing`] | body length per RFC 9112 6.3, for requests and responses |
//! | [`body`] | a body reader for each framing, and [`body::BodyError`] |
//! | [`length`] | the Content-Length reader that refuses short bodies |
//! | [`chunked`] | chunked decoder and encoder |
//! | [`reply`] | response heads (server side) and reason phrases |
//! | [`date`] | HTTP-dates, and the short UTC form of listings |
//! | [`duration`] | timeouts as typed on command lines (`500ms`, `3s`) |
//! | [`range`] | `Range: bytes=` parsing and resolution |
//! | [`etag`] | entity tags and their comparisons |

pub mod addr;
pub mod bind;
pub mod body;
pub mod chunked;
pub mod date;
pub mod duration;
pub mod etag;
pub mod framing;
pub mod head;
pub mod headers;
pub mod io_text;
pub mod length;
pub mod range;
pub mod reply;
pub mod request;
pub mod response;
pub mod target;
