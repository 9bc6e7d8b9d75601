//! The library under the netkit tools, organised by what it is for:
//!
//! - [`http`]: the HTTP/1.1 wire format and its semantics, with no sockets
//!   in sight: heads, targets, framing, bodies over any `Read`, ranges,
//!   entity tags, dates. Every parser is total: any input gives a value or
//!   a typed error whose message quotes the input; nothing panics.
//! - [`net`]: addresses as people type them, resolving them, connecting to
//!   them and listening on them.
//! - [`sys`]: the platform layer, the only place in the workspace with
//!   unchecked code (`unsafe_code` allowed) and with calls into the C library or the kernel: opening
//!   beneath a folder, zero-copy moves, socket options, standard streams.
//!   Linux's fast paths live there, each beside a fallback for every other
//!   system that gives the same bytes and the same errors.
//! - `tls` (the `tls` feature): which roots a client trusts, and a
//!   server's certificate from files or made in memory, for every tool.
//! - [`names`]: file names every system can hold.
//! - [`decimal`]: numbers written as decimal text into a byte buffer.
//! - [`duration`] and [`io_text`]: durations as typed on command lines, and
//!   I/O errors in words, the same in every tool and on every system.
//! - [`seconds`]: timeouts as netcat takes them, a bare number as seconds.
//! - [`habits`]: options and words people bring from nc, ncat and socat.
//! - `generate` (the `generate` feature): `--generate`, each tool's manual
//!   page and shell completions made from its command-line definition.
//! - [`trace`]: `--trace`, a line per socket primitive as it happens.
//!
//! The binaries turn the typed errors into exit codes or HTTP statuses.
//!
//! A request head read from bytes, and its framing decided:
//!
//! ```
//! use shared::http::framing::{BodyLength, request_body};
//! use shared::http::head::Limits;
//! use shared::http::request::parse_request;
//!
//! let bytes = b"POST /upload HTTP/1.1\r\nHost: example.org\r\nContent-Length: 5\r\n\r\nhello";
//! let (head, used) = parse_request(bytes, &Limits::default()).unwrap().expect("a complete head");
//! assert_eq!((head.method.as_str(), head.target.as_str(), used), ("POST", "/upload", 63));
//! assert_eq!(request_body(&head.headers).unwrap(), BodyLength::Length(5));
//! assert_eq!(&bytes[used..], b"hello");
//! ```
//!
//! An address as a user types it, resolved and connected to:
//!
//! ```
//! use shared::net::{ConnectLimit, Family, HostPort, connect_any};
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! # let typed = listener.local_addr().unwrap().to_string();
//!
//! let target = HostPort::parse(&typed).unwrap();
//! let addrs = target.resolve(Family::Any).unwrap();
//! let stream = connect_any(&target.to_string(), &addrs, ConnectLimit::System).unwrap();
//! # drop(stream);
//! ```

#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod decimal;
pub mod duration;
#[cfg(feature = "generate")]
pub mod generate;
pub mod habits;
pub mod http;
pub mod io_text;
pub mod names;
pub mod net;
pub mod seconds;
#[allow(unsafe_code)]
pub mod sys;
#[cfg(feature = "tls")]
pub mod tls;
pub mod trace;
