//! http-serve: serve a folder over HTTP/1.1 from one thread.
//!
//! [`serve`] takes an already-bound listener (tests bind port 0 and hand
//! it in) and answers requests until the process ends.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line, binding, the start-up line |
//! | [`config`] | settings resolved at start-up |
//! | [`server`] | the poll loop: connections, deadlines, the connection limit |
//! | [`handler`] | protocol checks and routing of one request |
//! | [`beneath`] | opening a request path beneath the root with openat2 |
//! | [`resolve`] | request path to file path, never outside the root (realpath) |
//! | [`file`] | one file: conditional requests, ranges, precompressed variants |
//! | [`multipart`] | `multipart/byteranges` bodies |
//! | [`listing`] | directory listings in HTML and JSON |
//! | [`response`] | response heads, common fields, short HTML pages |
//! | [`outgoing`] | sending a response without blocking |
//! | [`log`] | the access log |
//! | [`escape`] | HTML, JSON, log and URL escaping |
//! | [`sys`] | poll, sendfile, send with MSG_MORE, non-blocking open |

pub mod beneath;
pub mod cli;
pub mod config;
pub mod escape;
pub mod file;
pub mod handler;
pub mod listing;
pub mod log;
pub mod multipart;
pub mod outgoing;
pub mod resolve;
pub mod response;
pub mod server;
pub mod sys;

pub use config::Config;
pub use server::serve;
