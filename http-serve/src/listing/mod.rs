//! Directory listings: an HTML5 page for people and the same entries as
//! JSON for scripts, sorted by name, size or date, either way, with
//! directories first in every order.
//!
//! A folder may hold 100,000 names, so a listing is kept compact and
//! streamed: the names sit end to end in one buffer and each entry is a
//! small fixed record pointing into it ([`Table`]); sorting moves only the
//! records, and comparisons fold case on the fly instead of making a key
//! per name. The page is then made a few rows at a time as the socket
//! takes it ([`Page`]), its exact length worked out first so it still has
//! a Content-Length.
//!
//! Names are bytes: each is HTML-escaped for display (non-UTF-8 shown with
//! replacement characters) and percent-encoded byte for byte in its link,
//! so any name, however awkward, is clickable and names exactly its file.
//!
//! | module | what it holds |
//! |---|---|
//! | [`html`] | the page: breadcrumbs, sort links, filter box, rows |
//! | [`json`] | the JSON form |

pub mod html;
pub mod json;

use std::cmp::Ordering;
use std::io;
use std::time::SystemTime;

use shared::sys::dir::{Info, Kind};

use crate::escape;
use crate::paths::{self, Found};
use crate::response::{Body, MediaType, Response, Source};
use crate::site::Site;

/// One entry, compact (24 bytes): where its name is in [`Table::names`],
/// and what a listing shows of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Where the name starts in the names buffer.
    start: u32,
    /// The name's length in bytes (a name is at most 255 bytes on Unix,
    /// 765 in WTF-8 on Windows).
    len: u16,
    /// A directory (links end in `/`, listed first).
    pub dir: bool,
    /// Size in bytes (files; 0 for directories).
    pub size: u64,
    /// Modification time in whole seconds since 1970 (a listing shows
    /// minutes, JSON seconds).
    secs: i64,
}

impl Row {
    /// Modification time, to the second.
    pub fn modified(&self) -> SystemTime {
        let d = std::time::Duration::from_secs(self.secs.unsigned_abs());
        if self.secs >= 0 { SystemTime::UNIX_EPOCH + d } else { SystemTime::UNIX_EPOCH - d }
    }

    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + usize::from(self.len)
    }
}

/// Seconds since 1970 of `t`, negative before.
fn secs(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// A folder's servable entries, compact (see the module docs).
#[derive(Debug, Default)]
pub struct Table {
    /// Every name's bytes, end to end.
    names: Vec<u8>,
    /// One record per entry, in listing order once sorted.
    pub rows: Vec<Row>,
}

impl Table {
    /// Room for `rows` entries whose names take `bytes` in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Table {
        Table { names: Vec::with_capacity(bytes), rows: Vec::with_capacity(rows) }
    }

    /// Adds an entry; false (and nothing added) when the name is too long
    /// for a row or the names would pass 4 GiB.
    pub fn push(&mut self, name: &[u8], dir: bool, size: u64, modified: SystemTime) -> bool {
        let (Ok(start), Ok(len)) = (u32::try_from(self.names.len()), u16::try_from(name.len())) else {
            return false;
        };
        if u32::try_from(self.names.len() + name.len()).is_err() {
            return false;
        }
        self.names.extend_from_slice(name);
        self.rows.push(Row { start, len, dir, size: if dir { 0 } else { size }, secs: secs(modified) });
        true
    }

    /// The name of `row`.
    pub fn name(&self, row: &Row) -> &[u8] {
        &self.names[row.range()]
    }

    /// Sorts the rows by `order`.
    pub fn sort(&mut self, order: Order) {
        let names = &self.names;
        let name = |r: &Row| &names[r.range()];
        self.rows.sort_unstable_by(|a, b| {
            // Directories first, whichever way the rest goes.
            let first = b.dir.cmp(&a.dir);
            let by_name = || fold_cmp(name(a), name(b)).then_with(|| name(a).cmp(name(b)));
            let key = match order.key {
                Key::Name => by_name(),
                Key::Size => a.size.cmp(&b.size).then_with(by_name),
                Key::Date => a.secs.cmp(&b.secs).then_with(by_name),
            };
            first.then(if order.descending { key.reverse() } else { key })
        });
    }
}

/// Case-insensitive comparison of two names, folding as it goes (no key
/// is made per name). Bytes that are not UTF-8 compare as U+FFFD.
fn fold_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let folded = |s: &[u8]| -> Vec<char> { String::from_utf8_lossy(s).chars().flat_map(char::to_lowercase).collect() };
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(a), Ok(b)) => a.chars().flat_map(char::to_lowercase).cmp(b.chars().flat_map(char::to_lowercase)),
        // Rare: names that are not UTF-8 pay for a copy.
        _ => folded(a).cmp(&folded(b)),
    }
}

/// What a listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Name, case-insensitive.
    Name,
    /// Size in bytes.
    Size,
    /// Modification time.
    Date,
}

impl Key {
    /// Its word in the query.
    pub fn word(self) -> &'static str {
        match self {
            Key::Name => "name",
            Key::Size => "size",
            Key::Date => "date",
        }
    }
}

/// A listing's order: `?sort=name|size|date&order=asc|desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// By what.
    pub key: Key,
    /// Largest, newest or last name first.
    pub descending: bool,
}

impl Default for Order {
    fn default() -> Order {
        Order { key: Key::Name, descending: false }
    }
}

impl Order {
    /// The order a query asks for. Unknown words are ignored (the default
    /// order is used), as a listing is not worth an error page.
    pub fn from_query(query: Option<&str>) -> Order {
        let mut order = Order::default();
        let mut direction = None;
        for pair in query.unwrap_or("").split('&') {
            match pair.split_once('=') {
                Some(("sort", "name")) => order.key = Key::Name,
                Some(("sort", "size")) => order.key = Key::Size,
                Some(("sort", "date")) => order.key = Key::Date,
                Some(("order", "asc")) => direction = Some(false),
                Some(("order", "desc")) => direction = Some(true),
                _ => {}
            }
        }
        order.descending = direction.unwrap_or(false);
        order
    }

    /// The query of this order (`sort=size&order=desc`).
    pub fn query(self) -> String {
        format!("sort={}&order={}", self.key.word(), if self.descending { "desc" } else { "asc" })
    }

    /// Where a column heading's link leads: the other way round when the
    /// column is the current order, otherwise its natural way (names A to
    /// Z, the largest and the newest first).
    pub fn toggled(self, key: Key) -> Order {
        if key == self.key {
            Order { key, descending: !self.descending }
        } else {
            Order { key, descending: key != Key::Name }
        }
    }
}

/// Reads the open folder `dir` (opened beneath the root, so this reads the
/// folder that was checked). Entries that cannot be served (hidden names,
/// names Windows would read as another, FIFOs and devices, broken
/// symlinks, symlinks out of the root or to hidden names) are left out,
/// so every link works: a symlink is opened by the same rules as a request
/// for it, and listed as what it leads to.
///
/// The folder is read one entry at a time straight into the table, so
/// the only memory that grows with the entries is the table's own (names
/// end to end, 24 bytes a row).
pub fn read(site: &Site, dir: &Found) -> io::Result<Table> {
    let rules = site.rules();
    let mut table = Table::with_capacity(0, 0);
    for entry in shared::sys::dir_stream::stream(dir.file.try_clone()?)? {
        let (name, info) = entry?;
        if !rules.hidden && paths::is_hidden(&name)
            || shared::names::is_windows_alias(&name)
            || paths::is_internal(&name)
        {
            continue;
        }
        let info = if info.kind == Kind::Symlink {
            let mut segments = dir.segments.clone();
            segments.push(name.clone());
            match paths::open_segments(&site.root, segments, rules) {
                Ok(target) => Info::from_metadata(&target.meta),
                Err(_) => continue,
            }
        } else {
            info
        };
        let is_dir = match info.kind {
            Kind::Dir => true,
            Kind::File => false,
            _ => continue,
        };
        table.push(&name, is_dir, info.len, info.modified);
    }
    Ok(table)
}

/// The folder as the client asked for it, normalised: `/a/b/`.
pub fn shown_path(segments: &[Vec<u8>]) -> Vec<u8> {
    let mut shown = b"/".to_vec();
    for s in segments {
        shown.extend_from_slice(s);
        shown.push(b'/');
    }
    shown
}

/// The link to an entry, relative to the listing's own URL (which ends in
/// `/`): the name percent-encoded as one segment, `/` after directories.
pub fn href(name: &[u8], dir: bool) -> String {
    let mut h = escape::segment(name);
    if dir {
        h.push('/');
    }
    h
}

/// Which form a listing takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The page for people.
    Html,
    /// JSON for scripts.
    Json,
}

/// What a page needs besides its rows.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The folder's names below the root.
    pub segments: Vec<Vec<u8>>,
    /// The order of the rows.
    pub order: Order,
    /// Offer the upload form (`--upload`).
    pub upload: bool,
}

/// The listing of `table` (already sorted by `frame.order`), streamed.
pub fn respond(table: Table, frame: Frame, form: Form) -> Response {
    let media = match form {
        Form::Html => "text/html; charset=utf-8",
        Form::Json => "application/json; charset=utf-8",
    };
    let page = Page { table, frame, form, next: Part::Head };
    let len = page.length();
    Response::new(200, Body::Stream { source: Box::new(page), len })
        .typed(MediaType::Static(media))
        .header("Cache-Control", "no-cache")
        .header("Vary", "Accept")
}

/// Where a page is in the making.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The head, before the rows.
    Head,
    /// Row `n` next.
    Row(usize),
    /// The tail, after the rows.
    Tail,
    /// All made.
    Done,
}

/// A listing made a few rows at a time.
#[derive(Debug)]
pub struct Page {
    table: Table,
    frame: Frame,
    form: Form,
    next: Part,
}

impl Page {
    /// Appends one part to `out`; the part after it.
    fn part(&self, part: Part, out: &mut Vec<u8>) -> Part {
        let (t, f) = (&self.table, &self.frame);
        match (part, self.form) {
            (Part::Head, Form::Html) => html::head(f, t.rows.len(), out),
            (Part::Head, Form::Json) => json::head(f, out),
            (Part::Row(i), Form::Html) => html::row(t, &t.rows[i], out),
            (Part::Row(i), Form::Json) => json::row(t, &t.rows[i], i == 0, out),
            (Part::Tail, Form::Html) => html::tail(f, out),
            (Part::Tail, Form::Json) => json::tail(out),
            (Part::Done, _) => return Part::Done,
        }
        self.after(part)
    }

    fn after(&self, part: Part) -> Part {
        match part {
            Part::Head if self.table.rows.is_empty() => Part::Tail,
            Part::Head => Part::Row(0),
            Part::Row(i) if i + 1 < self.table.rows.len() => Part::Row(i + 1),
            Part::Row(_) => Part::Tail,
            Part::Tail | Part::Done => Part::Done,
        }
    }

    /// The exact length of the whole page, made once into a scratch
    /// buffer one part at a time and counted.
    fn length(&self) -> u64 {
        let mut scratch = Vec::with_capacity(4096);
        let mut part = Part::Head;
        let mut total = 0u64;
        while part != Part::Done {
            scratch.clear();
            part = self.part(part, &mut scratch);
            total += scratch.len() as u64;
        }
        total
    }
}

impl Source for Page {
    fn fill(&mut self, out: &mut Vec<u8>, want: usize) -> io::Result<usize> {
        let before = out.len();
        while self.next != Part::Done && out.len() - before < want {
            self.next = self.part(self.next, out);
        }
        Ok(out.len() - before)
    }
}

/// Makes a whole page at once (for tests and small uses).
pub fn render(table: Table, frame: Frame, form: Form) -> Vec<u8> {
    let mut page = Page { table, frame, form, next: Part::Head };
    let mut out = Vec::new();
    while page.fill(&mut out, 1 << 20).unwrap_or(0) > 0 {}
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    pub(super) fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn table(entries: &[(&str, bool, u64, u64)]) -> Table {
        let mut t = Table::default();
        for (name, dir, size, secs) in entries {
            t.push(name.as_bytes(), *dir, *size, at(*secs));
        }
        t
    }

    fn names(t: &Table) -> Vec<String> {
        t.rows.iter().map(|r| String::from_utf8_lossy(t.name(r)).into_owned()).collect()
    }

    #[test]
    fn sort_table_directories_first_in_every_order() {
        let entries = [
            ("b.txt", false, 10, 300),
            ("Zed", true, 0, 100),
            ("A.txt", false, 30, 100),
            ("apple", true, 0, 200),
            ("c.txt", false, 10, 200),
        ];
        let cases: &[(&str, &[&str])] = &[
            ("", &["apple", "Zed", "A.txt", "b.txt", "c.txt"]),
            ("sort=name&order=desc", &["Zed", "apple", "c.txt", "b.txt", "A.txt"]),
            ("sort=size", &["apple", "Zed", "b.txt", "c.txt", "A.txt"]),
            ("sort=size&order=desc", &["Zed", "apple", "A.txt", "c.txt", "b.txt"]),
            ("sort=date&order=asc", &["Zed", "apple", "A.txt", "c.txt", "b.txt"]),
            ("order=desc&sort=date", &["apple", "Zed", "b.txt", "c.txt", "A.txt"]),
            ("sort=bogus&order=sideways", &["apple", "Zed", "A.txt", "b.txt", "c.txt"]),
        ];
        for (query, want) in cases {
            let mut t = table(&entries);
            t.sort(Order::from_query(Some(query)));
            assert_eq!(names(&t), *want, "{query}");
        }
    }

    #[test]
    fn names_fold_case_and_bytes_break_ties() {
        let mut t = Table::default();
        for n in [&b"b"[..], b"B", b"\xff", b"a", b"\xc3\x89t\xc3\xa9", b"\xc3\xa9a"] {
            t.push(n, false, 0, at(0));
        }
        assert!(!t.push(&[b'x'; 70_000], false, 0, at(0)), "too long for a row");
        t.sort(Order::default());
        let got: Vec<&[u8]> = t.rows.iter().map(|r| t.name(r)).collect();
        assert_eq!(got, vec![&b"a"[..], b"B", b"b", b"\xc3\xa9a", b"\xc3\x89t\xc3\xa9", b"\xff"]);
    }

    #[test]
    fn toggled_links() {
        let by_name = Order::default();
        assert_eq!(by_name.toggled(Key::Name), Order { key: Key::Name, descending: true });
        assert_eq!(by_name.toggled(Key::Size), Order { key: Key::Size, descending: true });
        let by_size = Order { key: Key::Size, descending: true };
        assert_eq!(by_size.toggled(Key::Size).query(), "sort=size&order=asc");
        assert_eq!(by_size.toggled(Key::Date).query(), "sort=date&order=desc");
    }

    fn i_upload(form: Form) -> bool {
        form == Form::Html
    }

    #[test]
    fn streamed_length_is_exact_in_any_piece_size() {
        let mut t = Table::default();
        for i in 0..500u64 {
            assert!(t.push(format!("file {i} <&>\u{e9}.txt").as_bytes(), i % 7 == 0, i * 1000, at(i)));
        }
        t.sort(Order::default());
        for form in [Form::Html, Form::Json] {
            let frame = Frame { segments: vec![b"a b".to_vec()], order: Order::default(), upload: i_upload(form) };
            let t2 = Table { names: t.names.clone(), rows: t.rows.clone() };
            let response = respond(t2, frame.clone(), form);
            let Body::Stream { mut source, len } = response.body else { panic!("streamed") };
            let mut out = Vec::new();
            // Small pieces: every boundary between parts is crossed.
            while source.fill(&mut out, 100).unwrap() > 0 {}
            assert_eq!(out.len() as u64, len, "{form:?}");
            let whole = render(Table { names: t.names.clone(), rows: t.rows.clone() }, frame, form);
            assert_eq!(out, whole);
        }
    }
}
