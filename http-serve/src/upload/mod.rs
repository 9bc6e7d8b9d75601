//! Uploads (`--upload`): `PUT /folder/name` (`curl -T file URL/folder/`)
//! and a browser's form (`POST /folder/` as `multipart/form-data`, several
//! files at once).
//!
//! Everything that can be refused is refused before a byte of the body is
//! read: no such folder (404), a name the rules do not allow (400, see
//! [`names`]), a name already taken (409, unless `--overwrite`), a
//! Content-Length past `--max-upload` (413). A form's file names come
//! inside the body, so they are checked as each part begins. The body is
//! then read by the connection as it arrives, never blocking the thread,
//! and each file written under a temporary name in its folder ([`file`]),
//! renamed into place only when all of it is in (201). Anything else (a
//! cut, a timeout, a chunked body passing the limit, a disk that fills)
//! removes what was written.
//!
//! | module | what it holds |
//! |---|---|
//! | [`names`] | which names an upload may take |
//! | [`file`] | a file on its way: temporary name, rename, removal |
//! | [`multipart`] | `multipart/form-data` read as it arrives |

pub mod file;
pub mod multipart;
pub mod names;

use std::fs::File;
use std::io;
use std::rc::Rc;

use shared::http::framing::BodyLength;
use shared::http::request::RequestHead;

use crate::escape;
use crate::paths::{self, Refusal};
use crate::response::{Body, MediaType, Response};
use crate::site::Site;
use file::TempFile;
use multipart::{Event, Fed, Form};

/// Most files in one form.
pub const MAX_FILES: usize = 1000;

/// A request body being received into files.
#[derive(Debug)]
pub struct Upload {
    /// What the body is.
    kind: Kind,
    /// Body bytes taken so far (payload, for a chunked body).
    received: u64,
    /// `--max-upload`.
    max: u64,
    /// `--overwrite`.
    replace: bool,
}

#[derive(Debug)]
enum Kind {
    /// One file, the whole body.
    Put {
        /// Where it goes.
        file: TempFile,
        /// Its name.
        name: Vec<u8>,
        /// Its URL, for Location.
        url: String,
    },
    /// A form.
    Form {
        form: Form,
        /// The folder, open.
        dir: Rc<File>,
        /// Its names below the root.
        segments: Vec<Vec<u8>>,
        /// Its URL.
        url: String,
        /// The file of the part being read, if it is a file.
        current: Option<(TempFile, Vec<u8>)>,
        /// Files complete, to be renamed when the form is.
        done: Vec<(TempFile, Vec<u8>)>,
    },
}

/// The folder's URL, `/a/b/`, from its names below the root.
fn folder_url(segments: &[Vec<u8>]) -> String {
    let mut url = String::from("/");
    for s in segments {
        url.push_str(&escape::segment(s));
        url.push('/');
    }
    url
}

/// An answer for an I/O failure while writing an upload.
fn failure(e: &io::Error) -> Response {
    let why = shared::io_text::describe(e);
    match e.kind() {
        io::ErrorKind::PermissionDenied => Response::refusal(403, &format!("The server may not write here: {why}.")),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            Response::refusal(507, &format!("The file does not fit: {why}."))
        }
        _ => Response::refusal(500, &format!("The file could not be written: {why}.")),
    }
}

/// The 413 for a body past the limit.
fn too_large(max: u64) -> Response {
    Response::refusal(413, &format!("Uploads are limited to {max} bytes (--max-upload)."))
}

/// Checks that `name` may be created in the open folder whose names below
/// the root are `segments`: its rules, and not taken (unless replacing).
fn check_name(site: &Site, segments: &[Vec<u8>], name: &[u8]) -> Result<(), Response> {
    if let Some(why) = names::refusal(name, site.config.hidden) {
        let shown = String::from_utf8_lossy(name);
        return Err(Response::page(400, &format!("The file name {shown:?} is refused: {why}.")));
    }
    let mut target = segments.to_vec();
    target.push(name.to_vec());
    match paths::open_segments(&site.root, target, site.rules()) {
        Ok(found) if found.meta.is_dir() => {
            Err(Response::page(409, &format!("{} is a folder.", String::from_utf8_lossy(name))))
        }
        Ok(_) if !site.config.overwrite => Err(Response::page(
            409,
            &format!("{} exists; the server keeps it (--overwrite replaces files).", String::from_utf8_lossy(name)),
        )),
        _ => Ok(()),
    }
}

/// Opens the folder `segments` for an upload into it.
fn open_folder(site: &Site, segments: Vec<Vec<u8>>) -> Result<Rc<File>, Response> {
    match paths::open_segments(&site.root, segments, site.rules()) {
        Ok(found) if found.meta.is_dir() => Ok(found.file),
        Ok(_) | Err(Refusal::NotFound) => Err(Response::page(404, "There is no such folder to upload into.")),
        Err(Refusal::Forbidden) => Err(Response::page(403, "The server may not read this folder.")),
        Err(Refusal::BadPath(why)) => Err(Response::page(400, &format!("Bad path: {why}."))),
    }
}

/// Refuses a body whose announced length is past the limit before it is
/// read.
fn announced_fits(body: BodyLength, max: u64) -> Result<(), Response> {
    match body {
        BodyLength::Length(n) if n > max => Err(too_large(max)),
        _ => Ok(()),
    }
}

/// Refuses a path to upload to that holds `.` or `..`: a write goes
/// exactly where it says, never where resolving would take it.
fn plain_path(path: &[u8]) -> Result<(), Response> {
    if path.split(|&b| b == b'/').any(|s| s == b"." || s == b"..") {
        return Err(Response::page(400, "A path to upload to may not hold `.` or `..`."));
    }
    Ok(())
}

/// `PUT /folder/name`: one file, the body.
pub fn put(site: &Site, path: &[u8], body: BodyLength) -> Result<Upload, Response> {
    plain_path(path)?;
    let segments = paths::segments(path).map_err(|r| match r {
        Refusal::BadPath(why) => Response::page(400, &format!("Bad path: {why}.")),
        _ => Response::page(400, "Bad path."),
    })?;
    let Some((name, folder)) = segments.split_last().filter(|_| path.last() != Some(&b'/')) else {
        return Err(Response::page(400, "PUT needs a file name: PUT /folder/name (curl -T FILE URL/folder/)."));
    };
    announced_fits(body, site.config.max_upload)?;
    let dir = open_folder(site, folder.to_vec())?;
    check_name(site, folder, name)?;
    let file = TempFile::create(dir).map_err(|e| failure(&e))?;
    let url = format!("{}{}", folder_url(folder), escape::segment(name));
    Ok(Upload::new(site, Kind::Put { file, name: name.clone(), url }))
}

/// `POST /folder/` with a `multipart/form-data` body: the form's files.
pub fn form(site: &Site, req: &RequestHead, path: &[u8], body: BodyLength) -> Result<Upload, Response> {
    plain_path(path)?;
    let segments = paths::segments(path).map_err(|_| Response::page(400, "Bad path."))?;
    if path.last() != Some(&b'/') {
        return Err(Response::page(404, "Forms upload into a folder: POST /folder/."));
    }
    let boundary = req.headers.get("content-type").map(multipart::boundary);
    let Some(Ok(boundary)) = boundary else {
        return Err(Response::page(415, "Upload with a multipart/form-data form, or PUT the file."));
    };
    if body == BodyLength::None {
        return Err(Response::page(400, "The form is empty."));
    }
    announced_fits(body, site.config.max_upload)?;
    let dir = open_folder(site, segments.clone())?;
    let url = folder_url(&segments);
    let form = Form::new(&boundary);
    Ok(Upload::new(site, Kind::Form { form, dir, segments, url, current: None, done: Vec::new() }))
}

impl Upload {
    fn new(site: &Site, kind: Kind) -> Upload {
        Upload { kind, received: 0, max: site.config.max_upload, replace: site.config.overwrite }
    }

    /// Takes body bytes. An `Err` is the answer that ends the upload
    /// early (what was written is removed when the upload is dropped).
    pub fn write(&mut self, site: &Site, data: &[u8]) -> Result<(), Response> {
        self.received += data.len() as u64;
        if self.received > self.max {
            return Err(too_large(self.max));
        }
        match &mut self.kind {
            Kind::Put { file, .. } => file.write(data).map_err(|e| failure(&e)),
            Kind::Form { form, dir, segments, current, done, .. } => {
                let mut on = |event: Event<'_>| -> Result<(), Response> {
                    match event {
                        Event::Part { filename: Some(name), .. } if !name.is_empty() => {
                            if done.len() >= MAX_FILES {
                                return Err(Response::refusal(400, &format!("At most {MAX_FILES} files per form.")));
                            }
                            if done.iter().any(|(_, n)| *n == name) {
                                let shown = String::from_utf8_lossy(&name);
                                return Err(Response::refusal(409, &format!("{shown} is twice in the form.")));
                            }
                            check_name(site, segments, &name).map_err(|mut r| {
                                r.close = true;
                                r
                            })?;
                            let temp = TempFile::create(Rc::clone(dir)).map_err(|e| failure(&e))?;
                            *current = Some((temp, name));
                        }
                        // A plain field, or a file input left empty.
                        Event::Part { .. } => *current = None,
                        Event::Data(bytes) => {
                            if let Some((temp, _)) = current {
                                temp.write(bytes).map_err(|e| failure(&e))?;
                            }
                        }
                        Event::PartEnd => {
                            if let Some(file) = current.take() {
                                done.push(file);
                            }
                        }
                    }
                    Ok(())
                };
                form.feed(data, &mut on).map_err(|e| match e {
                    Fed::Form(e) => Response::refusal(400, &format!("Bad form: {e}.")),
                    Fed::Stopped(r) => r,
                })
            }
        }
    }

    /// The body is complete: renames the files into place; 201.
    pub fn finish(self) -> Response {
        match self.kind {
            Kind::Put { file, name, url } => {
                let size = file.written;
                if let Err(e) = file.commit(&name, self.replace) {
                    return taken_or_failure(&name, &e);
                }
                let text = format!("created {url} ({size} bytes)\n");
                Response::new(201, Body::Bytes(text.into_bytes()))
                    .typed(MediaType::Static("text/plain; charset=utf-8"))
                    .header("Location", &url)
            }
            Kind::Form { form, url, current, done, .. } => {
                if !form.is_done() || current.is_some() {
                    return Response::refusal(400, "Bad form: it ends before its close delimiter.");
                }
                let mut names = Vec::new();
                for (temp, name) in done {
                    let size = temp.written;
                    if let Err(e) = temp.commit(&name, self.replace) {
                        return taken_or_failure(&name, &e);
                    }
                    names.push((name, size));
                }
                uploaded_page(&url, &names)
            }
        }
    }
}

/// 409 when the name was taken meanwhile, else the failure's answer.
fn taken_or_failure(name: &[u8], e: &io::Error) -> Response {
    if e.kind() == io::ErrorKind::AlreadyExists {
        return Response::page(409, &format!("{} exists; the server keeps it.", String::from_utf8_lossy(name)));
    }
    failure(e)
}

/// The page after a form's upload: what arrived, and the way back.
fn uploaded_page(url: &str, names: &[(Vec<u8>, u64)]) -> Response {
    let mut items = String::new();
    for (name, size) in names {
        let shown = escape::html(&String::from_utf8_lossy(name));
        items.push_str(&format!(
            "<li><a href=\"{}{}\">{shown}</a> ({size} bytes)</li>",
            escape::html(url),
            escape::html(&escape::segment(name))
        ));
    }
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>201 Created</title></head>\n\
         <body><h1>Uploaded {} file{}</h1><ul>{items}</ul><p><a href=\"{}\">Back to the folder</a></p></body></html>\n",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        escape::html(url)
    );
    Response::new(201, Body::Bytes(body.into_bytes())).typed(MediaType::Static("text/html; charset=utf-8"))
}
