//! From a parsed request head to a reply: the protocol checks (Host,
//! framing, access, method, Expect), the request target, then the path
//! inside the root: a file, a directory redirect, an index file, a
//! listing or an archive; or, for an upload, the body to receive.

use shared::http::framing::{BodyLength, request_body};
use shared::http::request::RequestHead;
use shared::http::target::{Target, parse_target};

use crate::paths::{self, Found, Refusal};
use crate::response::{Body, Response};
use crate::site::{Opened, Site};
use crate::upload::Upload;
use crate::{file, listing};

/// The methods this server answers, for `Allow`.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";
/// The same, with uploads.
pub const ALLOW_UPLOADS: &str = "GET, HEAD, OPTIONS, PUT, POST";

/// What a request gets: an answer now, or first its body, received into
/// files by the connection as it arrives.
#[derive(Debug)]
pub enum Reply {
    /// The response.
    Answer(Response),
    /// An upload whose body is to be read; it gives the response at the end.
    Receive(Box<Upload>),
}

impl From<Response> for Reply {
    fn from(r: Response) -> Reply {
        Reply::Answer(r)
    }
}

/// Answers one request.
pub fn respond(site: &mut Site, req: &RequestHead) -> Reply {
    let hosts = req.headers.get_all("host").count();
    if hosts > 1 || (req.minor >= 1 && hosts == 0) {
        return Response::refusal(400, "An HTTP/1.1 request needs exactly one Host field.").into();
    }
    let body = match request_body(&req.headers) {
        Ok(b) => b,
        Err(e) => return Response::refusal(400, &format!("Bad message framing: {e}.")).into(),
    };
    if !site.config.auth.is_empty() && !crate::auth::allows(&site.config.auth, &req.headers) {
        let mut r = crate::auth::challenge();
        // The body, if any, is not read.
        r.close |= body != BodyLength::None;
        return r.into();
    }
    match route(site, req, body) {
        Reply::Answer(mut response) => {
            if body != BodyLength::None {
                // The body is not read, so the connection cannot be reused.
                response.close = true;
            }
            Reply::Answer(response)
        }
        receive => receive,
    }
}

/// The answer to plain HTTP sent to a TLS port: a redirect to the same
/// URL over https (Host as the client sent it), or 400 without a Host;
/// the connection closes after it.
pub fn to_https(req: &RequestHead) -> Response {
    let host = req.headers.get_str("host").filter(|h| !h.is_empty() && !h.contains(['/', '\\', '@', ' ']));
    let Some(host) = host else {
        return Response::refusal(400, "This port speaks HTTPS: ask for https:// instead of http://.");
    };
    let path = if req.target.starts_with('/') { req.target.as_str() } else { "/" };
    let location = format!("https://{host}{path}");
    let mut r = Response::page(301, &format!("This port speaks HTTPS: {location}")).header("Location", &location);
    r.close = true;
    r
}

/// The methods answered, as `Allow` says them.
fn allow(site: &Site) -> &'static str {
    if site.config.upload { ALLOW_UPLOADS } else { ALLOW }
}

/// The method, the target, then the path.
fn route(site: &mut Site, req: &RequestHead, body: BodyLength) -> Reply {
    if let Some(expect) = req.headers.get("expect")
        && !expect.eq_ignore_ascii_case(b"100-continue")
    {
        return Response::page(417, "Only the 100-continue expectation is supported.").into();
    }
    let method = req.method.as_str();
    let uploads = site.config.upload && matches!(method, "PUT" | "POST");
    match method {
        "GET" | "HEAD" if body != BodyLength::None => {
            return Response::refusal(400, "A GET or HEAD request must not carry a body.").into();
        }
        "GET" | "HEAD" => {}
        "OPTIONS" => return Response::new(204, Body::None).header("Allow", allow(site)).into(),
        _ if uploads => {}
        _ => {
            let detail = format!("This server only serves files: {}.", allow(site));
            let hint = if matches!(method, "PUT" | "POST") { " (uploads are off; --upload turns them on)" } else { "" };
            return Response::page(405, &format!("{detail}{hint}")).header("Allow", allow(site)).into();
        }
    }
    let target = match parse_target(&req.target) {
        Ok(t) => t,
        Err(e) => return Response::page(400, &format!("Bad request target: {e}.")).into(),
    };
    let (path, query) = match &target {
        Target::Origin { path, query } => (path.as_slice(), query.as_deref()),
        Target::Absolute { scheme, path, query, .. } if scheme == "http" || scheme == "https" => {
            // RFC 9112 3.2.2: a server takes the absolute form's path and
            // ignores Host; there is only one site here.
            (path.as_slice(), query.as_deref())
        }
        _ => return Response::page(400, "The request target must be a path.").into(),
    };
    if uploads {
        let upload = if method == "PUT" {
            crate::upload::put(site, path, body)
        } else {
            crate::upload::form(site, req, path, body)
        };
        return match upload {
            Ok(u) => Reply::Receive(Box::new(u)),
            Err(r) => r.into(),
        };
    }
    serve_path(site, req, path, query).into()
}

/// Serves the decoded `path`: a file, a redirect, an index or a listing.
fn serve_path(site: &mut Site, req: &RequestHead, path: &[u8], query: Option<&str>) -> Response {
    let opened = paths::segments(path).and_then(|segments| site.open(segments));
    if shared::trace::on() {
        trace_open(path, &opened);
    }
    let found = match opened {
        Ok(o) => o.found,
        Err(Refusal::NotFound) if site.config.spa && crate::spa::is_navigation(&req.headers, path) => {
            return app_index(site, req);
        }
        // With --spa the same path may get the app for a browser: the 404
        // varies with Accept too.
        Err(Refusal::NotFound) if site.config.spa => return refused(Refusal::NotFound).header("Vary", "Accept"),
        Err(refusal) => return refused(refusal),
    };
    if found.meta.is_dir() {
        if path.last() != Some(&b'/') {
            return redirect_to_dir(&found.segments, query);
        }
        if let Some(format) = crate::archive::Format::from_query(query) {
            return match format {
                // An archive shows what a listing shows: not without one.
                Ok(_) if !site.config.listing => refused(Refusal::NotFound),
                Ok(format) => crate::archive::respond(site, &found.segments, format),
                Err(why) => Response::page(400, &format!("{why}.")),
            };
        }
        let mut index = found.segments.clone();
        index.push(site.config.index.as_bytes().to_vec());
        if let Ok(index) = site.open(index)
            && index.found.meta.is_file()
        {
            return file::respond(site, &req.headers, index.found);
        }
        if !site.config.listing {
            return refused(Refusal::NotFound);
        }
        return list(site, req, &found, query);
    }
    if !found.meta.is_file() {
        // A FIFO, a socket or a device: opened without blocking, never read.
        return refused(Refusal::NotFound);
    }
    file::respond(site, &req.headers, found)
}

/// `--trace`: the lesson's "fetch the file from disk", and what was found.
fn trace_open(path: &[u8], opened: &Result<Opened, Refusal>) {
    let path = String::from_utf8_lossy(path);
    match opened {
        Ok(o) if o.found.meta.is_dir() => shared::trace::step(format_args!("open {path} beneath the root = a folder")),
        Ok(o) if o.kept => {
            let size = shared::trace::bytes(o.found.meta.len());
            shared::trace::step(format_args!("{path}: a file of {size}, still open from less than a second ago"));
        }
        Ok(o) => {
            let size = shared::trace::bytes(o.found.meta.len());
            shared::trace::step(format_args!("open {path} beneath the root = a file of {size}"));
        }
        Err(why) => {
            let why = match why {
                Refusal::BadPath(what) => what,
                Refusal::NotFound => "nothing there, hidden, or leading outside the root",
                Refusal::Forbidden => "permission denied",
            };
            shared::trace::step(format_args!("open {path} beneath the root = refused: {why}"));
        }
    }
}

/// `--spa`: the root's index file for a navigation to a route that names
/// nothing; 404 when the root has none. It varies with Accept.
fn app_index(site: &mut Site, req: &RequestHead) -> Response {
    let index = vec![site.config.index.as_bytes().to_vec()];
    match site.open(index) {
        Ok(o) if o.found.meta.is_file() => file::respond(site, &req.headers, o.found).header("Vary", "Accept"),
        _ => refused(Refusal::NotFound),
    }
}

/// 301 from `/dir` to `/dir/`. The Location is built from the normalised
/// segments, so it always starts with exactly one `/` (a path like
/// `//evil.example` cannot become a redirect to another host).
fn redirect_to_dir(segments: &[Vec<u8>], query: Option<&str>) -> Response {
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
    Response::page(301, &detail).header("Location", &location)
}

/// The page for a path that is refused.
fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::BadPath(why) => Response::page(400, &format!("Bad path: {why}.")),
        Refusal::NotFound => Response::page(404, "Nothing is served at this path."),
        Refusal::Forbidden => Response::page(403, "The server may not read this path."),
    }
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

/// The listing of the open folder `dir`, in the order the query asks.
fn list(site: &Site, req: &RequestHead, dir: &Found, query: Option<&str>) -> Response {
    let mut table = match listing::read(site, dir) {
        Ok(t) => t,
        Err(e) => return refused(paths::refusal_for(&e)),
    };
    let order = listing::Order::from_query(query);
    table.sort(order);
    let form = if wants_json(req, query) { listing::Form::Json } else { listing::Form::Html };
    let frame = listing::Frame { segments: dir.segments.clone(), order, upload: site.config.upload };
    listing::respond(table, frame, form)
}

/// The index file name must be a plain name: no separators, not `.`/`..`.
pub fn valid_index(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.as_bytes().contains(&0)
}
