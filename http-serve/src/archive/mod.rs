//! Folder downloads: `?download=tar` or `?download=zip` on a folder's URL
//! answers with the whole folder as one archive, made while it is sent.
//!
//! Memory stays constant whatever the tree: the tree is walked, never
//! listed ([`walk`]), the archive's exact length is worked out by one walk
//! before the first byte (so the response has a Content-Length, HEAD gets
//! the same, and a browser shows real progress), and the bytes are made by
//! the next walk through the connection's fixed buffer ([`stream`]). Zip
//! keeps four bytes per file (its CRC) for the central directory.
//!
//! | module | what it holds |
//! |---|---|
//! | [`walk`] | the tree by the serving rules, one open folder per level |
//! | [`tar`] | ustar and pax headers |
//! | [`zip`] | local headers, data descriptors, central directory, ZIP64 |
//! | [`stream`] | the archive as a body: length first, then bytes |

pub mod stream;
pub mod tar;
pub mod walk;
pub mod zip;

use std::rc::Rc;

use crate::response::{Body, MediaType, Response};
use crate::site::Site;
pub use stream::Format;

impl Format {
    /// The format a query asks for: `download=tar` or `download=zip`;
    /// `Err` for another value of `download`.
    pub fn from_query(query: Option<&str>) -> Option<Result<Format, String>> {
        let value = query?.split('&').find_map(|p| p.strip_prefix("download="))?;
        Some(match value {
            "tar" => Ok(Format::Tar),
            "zip" => Ok(Format::Zip),
            other => Err(format!("download={other} is not an archive format; use tar or zip")),
        })
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Tar => "tar",
            Format::Zip => "zip",
        }
    }

    fn media(self) -> &'static str {
        match self {
            Format::Tar => "application/x-tar",
            Format::Zip => "application/zip",
        }
    }
}

/// The archive's top folder, and its file's name: the folder's own name
/// (the served folder's, for the root).
fn top_name(site: &Site, segments: &[Vec<u8>]) -> Vec<u8> {
    match segments.last() {
        Some(name) => name.clone(),
        None => site
            .config
            .root
            .file_name()
            .map(|n| n.as_encoded_bytes().to_vec())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| b"files".to_vec()),
    }
}

/// `attachment` with the name twice: plain ASCII for old clients, and
/// percent-encoded UTF-8 (RFC 6266, 8187) for the real one.
fn disposition(name: &[u8], ext: &str) -> String {
    let ascii: String = String::from_utf8_lossy(name)
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    format!("attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}", crate::escape::segment(name))
}

/// The archive of the folder whose names below the root are `segments`.
/// Its length is worked out by the connection, a step at a time, before
/// the head is sent.
pub fn respond(site: &Site, segments: &[Vec<u8>], format: Format) -> Response {
    let top = top_name(site, segments);
    let tree =
        walk::Tree { root: Rc::clone(&site.root), rules: site.rules(), segments: segments.to_vec(), top: top.clone() };
    let archive = stream::Archive::new(format, tree);
    Response::new(200, Body::Deferred(Box::new(archive)))
        .typed(MediaType::Static(format.media()))
        .header("Content-Disposition", disposition(&top, format.extension()))
        .header("Cache-Control", "no-store")
        .header("Accept-Ranges", "none")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_query_table() {
        let cases: &[(Option<&str>, Option<Result<Format, &str>>)] = &[
            (None, None),
            (Some("sort=name"), None),
            (Some("download=zip"), Some(Ok(Format::Zip))),
            (Some("sort=size&download=tar"), Some(Ok(Format::Tar))),
            (Some("download=rar"), Some(Err("download=rar is not an archive format; use tar or zip"))),
        ];
        for (query, want) in cases {
            let got = Format::from_query(*query);
            assert_eq!(got, (*want).map(|r| r.map_err(str::to_string)), "{query:?}");
        }
    }

    #[test]
    fn disposition_names_the_folder_both_ways() {
        assert_eq!(disposition(b"photos", "zip"), "attachment; filename=\"photos.zip\"; filename*=UTF-8''photos.zip");
        assert_eq!(
            disposition("caf\u{e9} \"x\"".as_bytes(), "tar"),
            "attachment; filename=\"caf___x_.tar\"; filename*=UTF-8''caf%C3%A9%20%22x%22.tar"
        );
    }
}
