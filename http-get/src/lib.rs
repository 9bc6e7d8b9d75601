//! http-get: fetch a URL over HTTP/1.1 for shell scripts.
//!
//! A failure is never mistaken for success: statuses of 400 or more, cut
//! bodies and bad framing all exit non-zero with curl's numbers, files
//! appear only when complete, and every wait has a limit.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the command line and its checks |
//! | [`transfer`] | a run: redirects, statuses, retries, delivering the body |
//! | [`exchange`] | one request and its response head |
//! | [`net`] | resolving and connecting under timeouts; the timed stream |
//! | [`tls`] | rustls configuration and the handshake |
//! | [`target`] | URL checks, request target, Host, credentials, `-O` names |
//! | [`sink`] | stdout, or atomic files and `--continue` |
//! | [`splice`] | the zero-copy path for plain-http bodies |
//! | [`progress`] | the progress bar |
//! | [`writeout`] | `-w` formats |
//! | [`error`] | what went wrong, its one-line message, and the exit code |

pub mod cli;
pub mod copy;
pub mod error;
pub mod exchange;
pub mod net;
pub mod progress;
pub mod response;
pub mod sink;
pub mod target;
pub mod tls;
pub mod transfer;
pub mod writeout;

/// Checks the command line and runs it. The caller prints the error (once)
/// and chooses the exit code with [`error::exit_code`].
pub fn run(cli: cli::Cli) -> transfer::Finished {
    match transfer::Plan::from_cli(cli) {
        Ok(plan) => transfer::run(&plan),
        Err(e) => transfer::Finished::refused(e),
    }
}
