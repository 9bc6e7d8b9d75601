//! From a parsed request head to a response: the protocol checks (Host,
//! framing, method, Expect), the request target, then the path inside the
//! root: a file, a directory redirect, an index file or a listing.

use shared::http::framing::{BodyLength, request_body};
use shared::http::request::RequestHead;
use shared::http::target::{Target, parse_target};

use crate::paths::{self, Found, Refusal};
use crate::response::{Body, Response};
use crate::site::Site;
use crate::{file, listing};

/// The methods this server answers, for `Allow`.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";

/// Answers one request.
pub fn respond(site: &mut Site, req: &RequestHead) -> Response {
    let hosts = req.headers.get_all("host").count();
    if hosts > 1 || (req.minor >= 1 && hosts == 0) {
        return Response::refusal(400, "An HTTP/1.1 request needs exactly one Host field.");
    }
    let body = match request_body(&req.headers) {
        Ok(b) => b,
        Err(e) => return Response::refusal(400, &format!("Bad message framing: {e}.")),
    };
    if !site.config.auth.is_empty() && !crate::auth::allows(&site.config.auth, &req.headers) {
        let mut r = crate::auth::challenge();
        // The body, if any, is not read.
        r.close |= body != BodyLength::None;
        return r;
    }
    let mut response = route(site, req, body);
    if body != BodyLength::None {
        // The body is never read, so the connection cannot be reused.
        response.close = true;
    }
    response
}

/// The method, the target, then the path.
fn route(site: &mut Site, req: &RequestHead, body: BodyLength) -> Response {
    if let Some(expect) = req.headers.get("expect")
        && !expect.eq_ignore_ascii_case(b"100-continue")
    {
        return Response::page(417, "Only the 100-continue expectation is supported.");
    }
    match req.method.as_str() {
        "GET" | "HEAD" if body != BodyLength::None => {
            return Response::refusal(400, "A GET or HEAD request must not carry a body.");
        }
        "GET" | "HEAD" => {}
        "OPTIONS" => return Response::new(204, Body::None).header("Allow", ALLOW),
        _ => {
            let detail = format!("This server only serves files: {ALLOW}.");
            return Response::page(405, &detail).header("Allow", ALLOW);
        }
    }
    let target = match parse_target(&req.target) {
        Ok(t) => t,
        Err(e) => return Response::page(400, &format!("Bad request target: {e}.")),
    };
    let (path, query) = match &target {
        Target::Origin { path, query } => (path.as_slice(), query.as_deref()),
        Target::Absolute { scheme, path, query, .. } if scheme == "http" || scheme == "https" => {
            // RFC 9112 3.2.2: a server takes the absolute form's path and
            // ignores Host; there is only one site here.
            (path.as_slice(), query.as_deref())
        }
        _ => return Response::page(400, "The request target must be a path."),
    };
    serve_path(site, req, path, query)
}

/// Serves the decoded `path`: a file, a redirect, an index or a listing.
fn serve_path(site: &mut Site, req: &RequestHead, path: &[u8], query: Option<&str>) -> Response {
    let rules = site.rules();
    let found = match paths::open(&site.root, path, rules) {
        Ok(f) => f,
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
        if let Ok(index) = paths::open_segments(&site.root, index, rules)
            && index.meta.is_file()
        {
            return file::respond(site, &req.headers, index);
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

/// `--spa`: the root's index file for a navigation to a route that names
/// nothing; 404 when the root has none. It varies with Accept.
fn app_index(site: &mut Site, req: &RequestHead) -> Response {
    let index = vec![site.config.index.as_bytes().to_vec()];
    match paths::open_segments(&site.root, index, site.rules()) {
        Ok(found) if found.meta.is_file() => file::respond(site, &req.headers, found).header("Vary", "Accept"),
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
    listing::respond(table, listing::Frame { segments: dir.segments.clone(), order }, form)
}

/// The index file name must be a plain name: no separators, not `.`/`..`.
pub fn valid_index(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.as_bytes().contains(&0)
}
