//! http-serve: serve a folder over HTTP/1.1 from one thread.
//!
//! [`serve`] takes an already-bound listener (tests bind port 0 and hand
//! it in) and answers requests until the process ends. A request is a
//! value ([`shared::http::request::RequestHead`]) answered by a value
//! ([`response::Response`]); only the connection turns that into bytes.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line, the folder, binding |
//! | [`startup`] | the start-up lines and the QR code |
//! | [`addresses`] | the URLs the server can be reached at |
//! | [`qr`] | a QR code drawn on a terminal |
//! | [`error`] | why the server could not start, and its exit code |
//! | [`config`] | settings resolved at start-up |
//! | [`server`] | the readiness loop: accepting, the connection limit |
//! | [`timers`] | connection deadlines in O(1) per change |
//! | [`conn`] | one connection: heads in, responses out, closing |
//! | [`spare`] | buffers lent to working connections, taken back from idle ones |
//! | [`tls`] | `--tls`: the certificate, from files or made now |
//! | [`transport`] | plain TCP or TLS, driven without blocking |
//! | [`outgoing`] | a response turned into bytes and sent without blocking |
//! | [`auth`] | `--auth`: HTTP Basic, checked in constant time |
//! | [`handler`] | protocol checks and routing of one request |
//! | [`site`] | the root, the rules, Content-Type by extension |
//! | [`open_files`] | files lately served, kept open for a second |
//! | [`siblings`] | files lately found without a `.br` or `.gz` sibling |
//! | [`spa`] | `--spa`: which requests get the app's index |
//! | [`paths`] | request path to an open file beneath the root |
//! | [`file`] | one file: conditional requests, ranges, precompressed variants |
//! | [`validators`] | ETag and Last-Modified per file version, formatted once |
//! | [`multipart`] | `multipart/byteranges` bodies |
//! | [`archive`] | folder downloads as tar or zip, streamed with an exact length |
//! | [`listing`] | directory listings: compact, sorted, streamed, in HTML and JSON |
//! | [`upload`] | `--upload`: PUT and forms, names, temporary files |
//! | [`receive`] | a request body read by the connection as it arrives |
//! | [`response`] | the response value (a streamed body among its kinds) and the short HTML pages |
//! | [`log`] | the access log |
//! | [`escape`] | HTML, JSON, log and URL escaping |
//!
//! The system calls (opening beneath the root, sendfile, corking) are
//! `shared::sys`'s; this crate forbids unchecked code (`forbid(unsafe_code)`).

#![forbid(unsafe_code)]

pub mod addresses;
pub mod archive;
pub mod auth;
pub mod cli;
pub mod config;
pub mod conn;
pub mod error;
pub mod escape;
pub mod file;
pub mod handler;
pub mod listing;
pub mod log;
pub mod multipart;
pub mod open_files;
pub mod outgoing;
pub mod paths;
pub mod qr;
pub mod receive;
pub mod response;
pub mod server;
pub mod siblings;
pub mod site;
pub mod spa;
pub mod spare;
pub mod startup;
pub mod timers;
pub mod tls;
pub mod transport;
pub mod upload;
pub mod validators;

pub use config::Config;
pub use error::{Error, exit_code};
pub use server::serve;
