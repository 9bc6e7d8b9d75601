//! What the server needs to know, resolved once at start-up.

use std::path::PathBuf;
use std::time::Duration;

/// Server settings. `root` must be canonical (absolute, symlinks resolved):
/// every served path is checked against it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder served, canonical.
    pub root: PathBuf,
    /// Show a listing for a directory without an index file.
    pub listing: bool,
    /// Serve and list names starting with a dot.
    pub hidden: bool,
    /// Follow symlinks even when they lead outside `root`.
    pub follow_symlinks: bool,
    /// The file served for a directory (`index.html`).
    pub index: String,
    /// How long a head may take to arrive, and a write may make no progress.
    pub timeout: Duration,
    /// Extra fields added to every response (`-H`), already validated.
    pub extra_headers: Vec<(String, String)>,
    /// Write an access log line per response to stderr.
    pub log: bool,
    /// Most open connections; past it the oldest idle one is closed.
    pub max_connections: usize,
    /// A navigation to a path that names nothing gets the root's index
    /// (single-page apps).
    pub spa: bool,
    /// Who may enter (`--auth`); empty: everyone.
    pub auth: Vec<crate::auth::Credential>,
    /// Accept uploads (`--upload`): PUT and form POSTs.
    pub upload: bool,
    /// An upload may replace an existing file (`--overwrite`).
    pub overwrite: bool,
    /// Most bytes of one upload's body (`--max-upload`).
    pub max_upload: u64,
    /// `--tls`: what rustls serves with.
    #[cfg(feature = "tls")]
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

impl Config {
    /// Defaults for serving `root` (which must be canonical).
    pub fn new(root: PathBuf) -> Config {
        Config {
            root,
            listing: true,
            hidden: false,
            follow_symlinks: false,
            index: "index.html".to_string(),
            timeout: Duration::from_secs(10),
            extra_headers: Vec::new(),
            log: true,
            max_connections: 512,
            spa: false,
            auth: Vec::new(),
            upload: false,
            overwrite: false,
            max_upload: 1 << 30,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}
