//! `--spa`: single-page apps route in the browser, so a link to
//! `/users/42` must load the app's `index.html`, not a 404. A request
//! gets the root's index file instead of a 404 when it is a browser's
//! navigation to a route: `Accept` names `text/html`, and the path's last
//! segment has no extension or the path ends in `/`. Everything else
//! keeps its answer: an existing file or folder is served as itself, and
//! a missing asset (`/app.js`, `/logo.png`, or a script's `fetch` of
//! `/api/users` with `Accept: */*`) stays 404, so a broken build shows up
//! as a failed load rather than HTML where JavaScript was expected (the
//! rule of connect-history-api-fallback, which Vite and webpack use).

use shared::http::headers::Headers;

/// True when a request for the decoded `path` that names nothing should
/// get the app's index.
pub fn is_navigation(headers: &Headers, path: &[u8]) -> bool {
    let html = headers.list("accept").any(|a| {
        let media = a.split(|&b| b == b';').next().unwrap_or_default();
        shared::http::headers::trim(media).eq_ignore_ascii_case(b"text/html")
    });
    let last = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    // No extension: no dot after the first byte (`.env` has none, as for
    // Content-Type).
    let extension = last.iter().rposition(|&b| b == b'.').is_some_and(|i| i > 0);
    html && !extension
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_table() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        let cases: &[(&str, &str, bool)] = &[
            ("/users/42", browser, true),
            ("/", browser, true),
            ("/deep/route/", browser, true),
            ("/settings", "TEXT/HTML", true),
            ("/app.js", browser, false),
            ("/v1.2/page", browser, true),
            ("/logo.png", "image/avif,image/webp,*/*", false),
            ("/api/users", "*/*", false),
            ("/api/users", "application/json", false),
            ("/users/42", "", false),
            ("/.well-known", browser, true),
            ("/a/.b.c", browser, false),
        ];
        for (path, accept, want) in cases {
            let headers: Headers =
                if accept.is_empty() { Headers::default() } else { [("Accept", *accept)].into_iter().collect() };
            assert_eq!(is_navigation(&headers, path.as_bytes()), *want, "{path} / {accept}");
        }
    }
}
