//! Addresses and sockets: what users type (`HOST:PORT`, `[::1]:PORT`,
//! `PORT`), resolving it with `-4`/`-6`, connecting to the first address
//! that answers, and listening (dual-stack unless told otherwise).
//!
//! | module | what it holds |
//! |---|---|
//! | [`access`] | `--allow` and `--deny`: which peers a listener admits |
//! | [`addr`] | parsing and resolving addresses |
//! | [`connect`] | connecting under a per-address or total time limit |
//! | [`listen`] | binding TCP listeners and UDP sockets |
//! | [`proxy`] | proxy URLs, and tunnels through HTTP CONNECT, SOCKS5, SOCKS4a and SOCKS4 |
//! | `unix` (Unix only) | Unix socket addresses (`PATH`, Linux's `@name`): connecting, listening, a dead socket file replaced |
//! | [`words`] | netcat-style command lines: where to listen, what to connect to and from, `-n` |

pub mod access;
pub mod addr;
pub mod connect;
pub mod listen;
pub mod proxy;
#[cfg(unix)]
pub mod unix;
pub mod words;

pub use addr::{AddrError, Family, HostPort, ListenSpec, parse_host, parse_port, resolve};
pub use connect::{ConnectError, ConnectLimit, connect_any};
pub use listen::{BindError, BindOrAddrError, accept, bind_tcp, bind_udp, reachable};
