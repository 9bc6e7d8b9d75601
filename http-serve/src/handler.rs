//! From a parsed request head to a planned response: the protocol checks
//! (Host, version, framing, method, Expect), the request target, the path
//! inside the root, then a file, a directory redirect, an index file or a
//! listing.

use std::path::Path;

use shared::http::framing::{BodyLength, request_body};
use shared::http::request::RequestHead;
use shared::http::target::{Target, parse_target};

use crate::config::Config;
use crate::file::{self, Exchange, FileRequest};
use crate::listing;
use crate::resolve::{self, Refusal, Rules};
use crate::response::{Common, PageOptions, Plan, html_page};

/// The methods this server answers, for `Allow`.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";

/// What every request is answered with: the settings and the common fields.
#[derive(Debug)]
pub struct Site {
    /// Server settings.
    pub config: Config,
    /// The root, with a handle for opening beneath it.
    pub root: crate::beneath::Root,
    /// Date, Server and `-H` fields.
    pub common: Common,
}

impl Site {
    /// A site for `config`.
    pub fn new(config: Config) -> Site {
        let common = Common::new(config.extra_headers.clone());
        let root = crate::beneath::Root::new(config.root.clone());
        Site { config, root, common }
    }

    /// An error page that ends the connection: for requests that could not
    /// be parsed, whose framing is unknown, or that timed out.
    pub fn refuse(&mut self, buf: &mut Vec<u8>, status: u16, detail: &str) -> Plan {
        html_page(&mut self.common, buf, status, detail, PageOptions { close: true, ..Default::default() })
    }
}

/// How the response to one request goes out.
#[derive(Debug, Clone, Copy)]
struct Reply {
    head_only: bool,
    close: bool,
    keep_alive_1_0: bool,
}

impl Reply {
    fn page<'a>(self, extra: &'a [(&'a str, &'a str)]) -> PageOptions<'a> {
        PageOptions { head_only: self.head_only, close: self.close, keep_alive_1_0: self.keep_alive_1_0, extra }
    }
}

/// Answers one request; the head (and a small body) go into `buf`.
pub fn respond(site: &mut Site, req: &RequestHead, buf: &mut Vec<u8>) -> Plan {
    let keep = req.keep_alive();
    let mut reply = Reply { head_only: req.method == "HEAD", close: !keep, keep_alive_1_0: keep && req.minor == 0 };
    let hosts = req.headers.get_all("host").count();
    if hosts > 1 || (req.minor >= 1 && hosts == 0) {
        return site.refuse(buf, 400, "An HTTP/1.1 request needs exactly one Host field.");
    }
    let body = match request_body(&req.headers) {
        Ok(b) => b,
        Err(e) => return site.refuse(buf, 400, &format!("Bad message framing: {e}.")),
    };
    if body != BodyLength::None {
        // The body is never read, so the connection cannot be reused.
        reply.close = true;
        reply.keep_alive_1_0 = false;
    }
    let common = &mut site.common;
    if let Some(expect) = req.headers.get("expect")
        && !expect.eq_ignore_ascii_case(b"100-continue")
    {
        return html_page(common, buf, 417, "Only the 100-continue expectation is supported.", reply.page(&[]));
    }
    match req.method.as_str() {
        "GET" | "HEAD" if body != BodyLength::None => {
            return site.refuse(buf, 400, "A GET or HEAD request must not carry a body.");
        }
        "GET" | "HEAD" => {}
        "OPTIONS" => {
            let mut head = common.start(buf, 204);
            head.header("Allow", ALLOW);
            crate::response::connection(&mut head, reply.close, reply.keep_alive_1_0);
            head.end();
            return Plan::buffered(204, 0, reply.close);
        }
        _ => {
            let detail = format!("This server only serves files: {ALLOW}.");
            return html_page(common, buf, 405, &detail, reply.page(&[("Allow", ALLOW)]));
        }
    }
    let target = match parse_target(&req.target) {
        Ok(t) => t,
        Err(e) => return html_page(common, buf, 400, &format!("Bad request target: {e}."), reply.page(&[])),
    };
    let (path, query) = match &target {
        Target::Origin { path, query } => (path.as_slice(), query.as_deref()),
        Target::Absolute { scheme, path, query, .. } if scheme == "http" || scheme == "https" => {
            // RFC 9112 3.2.2: a server takes the absolute form's path and
            // ignores Host; there is only one site here.
            (path.as_slice(), query.as_deref())
        }
        _ => return html_page(common, buf, 400, "The request target must be a path.", reply.page(&[])),
    };
    serve_path(site, req, buf, reply, path, query)
}

/// Serves the decoded `path`: a file, a redirect, an index or a listing.
fn serve_path(
    site: &mut Site,
    req: &RequestHead,
    buf: &mut Vec<u8>,
    reply: Reply,
    path: &[u8],
    query: Option<&str>,
) -> Plan {
    let config = &site.config;
    let rules = Rules { hidden: config.hidden, follow_symlinks: config.follow_symlinks };
    let found = match crate::beneath::open(&site.root, path, rules) {
        Ok(r) => r,
        Err(refusal) => return refused(site, buf, reply, refusal),
    };
    if found.meta.is_dir() {
        if path.last() != Some(&b'/') {
            return redirect_to_dir(site, buf, reply, &found.segments, query);
        }
        let mut index_path = path.to_vec();
        index_path.extend_from_slice(site.config.index.as_bytes());
        if let Ok(index) = crate::beneath::open(&site.root, &index_path, rules)
            && index.meta.is_file()
        {
            return serve_file(site, req, buf, reply, index);
        }
        if !site.config.listing {
            return refused(site, buf, reply, Refusal::NotFound);
        }
        return list(site, req, buf, reply, &found.path, &found.segments, query);
    }
    if !found.meta.is_file() {
        // A FIFO, a socket or a device: opened without blocking, never read.
        return refused(site, buf, reply, Refusal::NotFound);
    }
    serve_file(site, req, buf, reply, found)
}

/// Serves an opened regular file.
fn serve_file(
    site: &mut Site,
    req: &RequestHead,
    buf: &mut Vec<u8>,
    reply: Reply,
    opened: crate::beneath::Opened,
) -> Plan {
    let ex = Exchange {
        headers: &req.headers,
        head_only: reply.head_only,
        close: reply.close,
        keep_alive_1_0: reply.keep_alive_1_0,
    };
    let request = FileRequest {
        path: &opened.path,
        file: opened.file,
        meta: opened.meta,
        segments: &opened.segments,
        root: &site.root,
        rules: Rules { hidden: site.config.hidden, follow_symlinks: site.config.follow_symlinks },
    };
    file::serve(&mut site.common, buf, &ex, request)
}

/// 301 from `/dir` to `/dir/`. The Location is built from the normalised
/// segments, so it always starts with exactly one `/` (a path like
/// `//evil.example` cannot become a redirect to another host).
fn redirect_to_dir(
    site: &mut Site,
    buf: &mut Vec<u8>,
    reply: Reply,
    segments: &[Vec<u8>],
    query: Option<&str>,
) -> Plan {
    let mut location = String::from("/");
    for s in segments {
        location.push_str(&crate::escape::segment(s));
        location.push('/');
    }
    if let Some(q) = query {
        location.push('?');
        location.push_str(q);
    }
    let detail = format!("This is a directory: {location}");
    html_page(&mut site.common, buf, 301, &detail, reply.page(&[("Location", &location)]))
}

/// The page for a path that is refused.
fn refused(site: &mut Site, buf: &mut Vec<u8>, reply: Reply, refusal: Refusal) -> Plan {
    let (status, detail) = match refusal {
        Refusal::BadPath(why) => (400, format!("Bad path: {why}.")),
        Refusal::NotFound => (404, "Nothing is served at this path.".to_string()),
        Refusal::Forbidden => (403, "The server may not read this path.".to_string()),
    };
    html_page(&mut site.common, buf, status, &detail, reply.page(&[]))
}

/// True when the client asked for the JSON listing.
fn wants_json(req: &RequestHead, query: Option<&str>) -> bool {
    let by_query = query.is_some_and(|q| q.split('&').any(|p| p == "format=json"));
    let by_accept = req.headers.list("accept").any(|a| {
        let media = a.split(|&b| b == b';').next().unwrap_or_default();
        shared::http::headers::trim(media).eq_ignore_ascii_case(b"application/json")
    });
    by_query || by_accept
}

/// The listing of `dir`, whose normalised segments below the root are
/// `segments`.
fn list(
    site: &mut Site,
    req: &RequestHead,
    buf: &mut Vec<u8>,
    reply: Reply,
    dir: &Path,
    segments: &[Vec<u8>],
    query: Option<&str>,
) -> Plan {
    let filter = listing::Filter {
        root: &site.config.root,
        hidden: site.config.hidden,
        follow_symlinks: site.config.follow_symlinks,
    };
    let entries = match listing::read(dir, filter) {
        Ok(e) => e,
        Err(e) => return refused(site, buf, reply, resolve::refusal_for(&e)),
    };
    // Show the path the way the client asked for it, normalised.
    let mut shown = b"/".to_vec();
    for s in segments {
        shown.extend_from_slice(s);
        shown.push(b'/');
    }
    let json = wants_json(req, query);
    let (body, ctype) = if json {
        (listing::json(&shown, &entries), "application/json; charset=utf-8")
    } else {
        (listing::html(&shown, &entries), "text/html; charset=utf-8")
    };
    let mut head = site.common.start(buf, 200);
    head.header("Content-Type", ctype)
        .header("Content-Length", body.len())
        .header("Cache-Control", "no-cache")
        .header("Vary", "Accept");
    crate::response::connection(&mut head, reply.close, reply.keep_alive_1_0);
    head.end();
    if reply.head_only {
        return Plan::buffered(200, 0, reply.close);
    }
    buf.extend_from_slice(body.as_bytes());
    Plan::buffered(200, body.len() as u64, reply.close)
}

/// The index file name must be a plain name: no separators, not `.`/`..`.
pub fn valid_index(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.as_bytes().contains(&0)
}
