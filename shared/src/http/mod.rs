//! The HTTP/1.1 wire format and its semantics, with no I/O of its own:
//! parsers work on byte buffers, readers wrap any `Read`.
//!
//! | module | what it holds |
//! |---|---|
//! | [`headers`] | an owned list of header fields, list and token lookups, `-H` parsing |
//! | [`head`] | reading a head off a stream under size limits and a deadline |
//! | [`request`] | request heads (server side) |
//! | [`target`] | request-target forms and percent-decoding the path once |
//! | [`response`] | response heads (client side), skipping interim 1xx |
//! | [`framing`] | body length per RFC 9112 6.3, for requests and responses |
//! | [`body`] | a body reader for each framing, and [`body::BodyError`] |
//! | [`length`] | the Content-Length reader that refuses short bodies |
//! | [`chunked`] | chunked decoder and encoder |
//! | [`dechunk`] | a chunked decoder fed bytes as they arrive (non-blocking servers) |
//! | [`reply`] | response heads (server side) and reason phrases |
//! | [`date`] | HTTP-dates, and the short UTC form of listings |
//! | [`range`] | `Range: bytes=` parsing and the selection it makes |
//! | [`etag`] | entity tags and their comparisons |

pub mod body;
pub mod chunked;
pub mod date;
pub mod dechunk;
pub mod etag;
pub mod framing;
pub mod head;
pub mod headers;
pub mod length;
pub mod range;
pub mod reply;
pub mod request;
pub mod response;
pub mod target;
