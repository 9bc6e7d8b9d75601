//! http-get: fetch a URL over HTTP/1.1 for shell scripts.
//!
//! A failure is never mistaken for success: statuses of 400 or more, cut
//! bodies and bad framing all exit non-zero with curl's numbers, files
//! appear only when complete, and every wait has a limit.
//!
//! A run, top to bottom: [`cli`] parses, [`job`] checks it into a
//! [`job::Job`] per URL, [`batch`] runs them (in order, or `-Z` at once)
//! and reports each, [`transfer`] makes attempts (redirects, retries),
//! [`request`] sends each request and reads its head into a
//! [`response::Response`], [`delivery`] decides what the final one means
//! and [`copy`] moves its body into the [`sink`]. Whatever fails is an
//! [`error::Error`]; [`batch`] prints it once and [`error::exit_code`]
//! picks the number.
//!
//! | module | what it holds |
//! |---|---|
//! | [`batch`] | several URLs: in order or `-Z`, reported in order, the first failure's exit code |
//! | [`body`] | a request body as parts (bytes, files, stdin) streamed, with Content-Length or chunked |
//! | [`cli`] | the command line and its checks |
//! | [`connect`] | a new connection: direct, to a proxy, or through its tunnel; then TLS |
//! | [`cookies`] | `-b FILE`, `--cookie-jar`: the cookie engine |
//! | [`curl`] | curl's options that are not taken here, each answered in one line |
//! | [`data`] | `-d` and its kinds, `--json`, `-G`, `-T` made into a body |
//! | [`decode`] | `--compressed`: the codings, undone as the body streams |
//! | [`form`] | `-F`: multipart/form-data |
//! | [`job`] | the checked command line (a job per URL), and the requests of a redirect chain |
//! | [`transfer`] | a run: attempts, redirects, retries, how it ended |
//! | [`request`] | one request sent and its response head read |
//! | [`head`] | a response head read as it came: its bytes for `-i`, every line under 64 KiB |
//! | [`resolve`] | `--resolve`, `--connect-to`, `-4`/`-6`, localhost, the system's resolver |
//! | [`response`] | a response owning its connection; its body framed or as the bare socket |
//! | [`delivery`] | what the final status means, `--continue` answers, the output committed |
//! | [`copy`] | a body to the output: read and write, or zero-copy through `shared::sys` |
//! | [`net`] | resolving and connecting under timeouts; the timed stream |
//! | `tls` | rustls configuration and the handshake (the default-on `tls` feature) |
//! | [`target`] | URL checks, request target, Host, credentials, `-O` names |
//! | [`sink`] | the output: stdout, a device or FIFO, an atomic file, a `--continue` part |
//! | [`netrc`] | `.netrc` read as curl reads it |
//! | [`noproxy`] | `no_proxy` and `--noproxy` matching, curl's rules |
//! | [`pool`] | kept-alive connections between the requests of a run |
//! | [`proxy`] | which proxy a request goes through: `-x` or the variables |
//! | [`progress`] | the progress bar |
//! | [`writeout`] | `-w` formats |
//! | [`disposition`] | `-J`: Content-Disposition's file name, made safe |
//! | [`error`] | what went wrong, its one-line message, and the exit code |

#![forbid(unsafe_code)]

pub mod batch;
pub mod body;
pub mod cli;
pub mod connect;
pub mod cookies;
pub mod copy;
pub mod curl;
pub mod data;
pub mod decode;
pub mod delivery;
pub mod disposition;
pub mod error;
pub mod form;
pub mod head;
pub mod job;
pub mod net;
pub mod netrc;
pub mod noproxy;
pub mod pool;
pub mod progress;
pub mod proxy;
pub mod request;
pub mod resolve;
pub mod response;
pub mod sink;
pub mod target;
#[cfg(feature = "tls")]
pub mod tls;
pub mod transfer;
pub mod writeout;

/// Checks the command line and runs it: every URL, each error line
/// printed once (unless `-s`); gives the exit code ([`error::exit_code`]
/// of the first URL that failed).
pub fn run(cli: cli::Cli) -> u8 {
    if cli.trace {
        shared::trace::enable();
    }
    let quiet = cli.silent && !cli.show_error;
    match job::Plan::from_cli(cli) {
        Ok(plan) => batch::run(plan),
        Err(e) => {
            if !quiet {
                eprintln!("http-get: {e}");
            }
            error::exit_code(&e)
        }
    }
}
