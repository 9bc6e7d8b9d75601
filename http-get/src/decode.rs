//! `--compressed`: the codings asked for, and a body decoded as it
//! streams. `Content-Encoding` lists the codings in the order they were
//! applied; they are undone in reverse, each a reader over the one
//! before, so memory stays what each coding's window needs (32 KiB for
//! gzip and deflate, at most 16 MiB for brotli, 8 MiB for zstd as RFC 9659
//! caps it) whatever the body's size. A coding not known here, a body
//! that does not decode, or data after the compressed stream is exit 61;
//! a failure of the connection underneath stays what it is (56, 18, 28).

use std::cell::RefCell;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

/// What `--compressed` sends as Accept-Encoding.
pub const ACCEPT: &str = "gzip, deflate, br, zstd";

/// Most codings stacked on one body (curl allows five).
const MAX_CODINGS: usize = 5;

/// Largest zstd window taken (RFC 9659: 8 MiB for HTTP).
const ZSTD_WINDOW: u64 = 8 << 20;

/// A content coding this build undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` or `x-gzip`: one or more gzip members.
    Gzip,
    /// `deflate`: zlib-wrapped, or raw deflate as some servers send it.
    Deflate,
    /// `br`.
    Brotli,
    /// `zstd`.
    Zstd,
}

impl Coding {
    /// The coding's name, as messages give it.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }
}

/// The codings of a `Content-Encoding` value (the values of every such
/// field, joined), in the order they were applied; `identity` is none.
pub fn codings<'a>(values: impl Iterator<Item = &'a [u8]>) -> Result<Vec<Coding>, String> {
    let mut out = Vec::new();
    for value in values {
        for token in String::from_utf8_lossy(value).split(',').map(str::trim).filter(|t| !t.is_empty()) {
            out.push(match token.to_ascii_lowercase().as_str() {
                "identity" => continue,
                "gzip" | "x-gzip" => Coding::Gzip,
                "deflate" => Coding::Deflate,
                "br" => Coding::Brotli,
                "zstd" => Coding::Zstd,
                _ => return Err(format!("unknown content coding `{token}`")),
            });
        }
    }
    if out.len() > MAX_CODINGS {
        return Err(format!("{} content codings stacked (at most {MAX_CODINGS})", out.len()));
    }
    Ok(out)
}

/// A failure of the body underneath the decoders, kept aside so it is
/// reported as what it is rather than as a decoding error.
pub type Underneath = Rc<RefCell<Option<io::Error>>>;

/// A reader that notes its inner reader's failures in [`Underneath`].
struct Watched<R> {
    /// The body.
    inner: R,
    /// Where a failure of `inner` is kept.
    failed: Underneath,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let told = io::Error::new(e.kind(), e.to_string());
            *self.failed.borrow_mut() = Some(e);
            told
        })
    }
}

/// `body` read through the decoders for `codings` (undone last first);
/// failures of `body` itself are kept in the returned [`Underneath`].
pub fn decoder<'a, R: Read + 'a>(body: R, codings: &[Coding]) -> (Box<dyn Read + 'a>, Underneath) {
    let failed = Underneath::default();
    let mut reader: Box<dyn Read + 'a> = Box::new(Watched { inner: body, failed: failed.clone() });
    for coding in codings.iter().rev() {
        reader = match coding {
            Coding::Gzip => Box::new(MultiGzDecoder::new(reader)),
            Coding::Deflate => Box::new(Deflate::new(reader)),
            Coding::Brotli => Box::new(brotli_decompressor::Decompressor::new(reader, 64 * 1024)),
            Coding::Zstd => Box::new(Zstd::new(reader)),
        };
    }
    (reader, failed)
}

/// `deflate` as servers send it: RFC 1950's zlib format, or (a common
/// mistake) bare RFC 1951 deflate, told apart by the zlib header.
enum Deflate<R: Read> {
    /// Not yet known: the first two bytes decide.
    Start(Option<R>),
    /// zlib-wrapped.
    Zlib(Box<ZlibDecoder<io::Chain<Cursor<Vec<u8>>, R>>>),
    /// Bare deflate.
    Raw(Box<DeflateDecoder<io::Chain<Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Deflate<R> {
    fn new(inner: R) -> Deflate<R> {
        Deflate::Start(Some(inner))
    }
}

impl<R: Read> Read for Deflate<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Deflate::Start(inner) = self {
            let Some(mut inner) = inner.take() else { return Ok(0) };
            let head = read_up_to(&mut inner, 2)?;
            // A zlib header: method 8 (deflate), and a check over both bytes.
            let zlib =
                head.len() == 2 && head[0] & 0x0f == 8 && (u16::from(head[0]) << 8 | u16::from(head[1])) % 31 == 0;
            let chained = Cursor::new(head).chain(inner);
            *self = if zlib {
                Deflate::Zlib(Box::new(ZlibDecoder::new(chained)))
            } else {
                Deflate::Raw(Box::new(DeflateDecoder::new(chained)))
            };
        }
        match self {
            Deflate::Zlib(d) => d.read(buf),
            Deflate::Raw(d) => d.read(buf),
            Deflate::Start(_) => Ok(0),
        }
    }
}

/// zstd frames one after another (skippable ones passed over), each
/// window checked against [`ZSTD_WINDOW`] before anything is allocated.
struct Zstd<R: Read> {
    /// The compressed stream, between frames.
    source: Option<R>,
    /// The frame being decoded.
    frame: Option<ruzstd::decoding::StreamingDecoder<io::Chain<Cursor<Vec<u8>>, R>, ruzstd::decoding::FrameDecoder>>,
    /// A frame has been read: the stream may end now.
    seen: bool,
}

impl<R: Read> Zstd<R> {
    fn new(source: R) -> Zstd<R> {
        Zstd { source: Some(source), frame: None, seen: false }
    }
}

fn bad(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

impl<R: Read> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                match frame.read(buf)? {
                    0 if !buf.is_empty() => {
                        let done = self.frame.take().map(ruzstd::decoding::StreamingDecoder::into_inner);
                        // What the frame did not use goes back to being the stream.
                        self.source = done.map(|chain| {
                            let (rest, source) = chain.into_inner();
                            debug_assert_eq!(rest.position(), rest.get_ref().len() as u64);
                            source
                        });
                        continue;
                    }
                    n => return Ok(n),
                }
            }
            let Some(mut source) = self.source.take() else { return Ok(0) };
            let mut head = read_up_to(&mut source, 4)?;
            if head.is_empty() && self.seen {
                return Ok(0);
            }
            if head.len() < 4 {
                return Err(bad("zstd stream cut short in a frame header"));
            }
            let magic = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
            if magic & 0xffff_fff0 == 0x184d_2a50 {
                // A skippable frame: its length, then that many bytes.
                let size = read_up_to(&mut source, 4)?;
                let size = <[u8; 4]>::try_from(size.as_slice()).map_err(|_| bad("zstd skippable frame cut short"))?;
                let skip = u64::from(u32::from_le_bytes(size));
                if io::copy(&mut (&mut source).take(skip), &mut io::sink())? != skip {
                    return Err(bad("zstd skippable frame cut short"));
                }
                self.source = Some(source);
                continue;
            }
            if magic != 0xfd2f_b528 {
                return Err(bad("not a zstd frame"));
            }
            head.extend(read_up_to(&mut source, 1)?);
            let descriptor = *head.get(4).ok_or_else(|| bad("zstd stream cut short in a frame header"))?;
            head.extend(read_up_to(&mut source, header_rest(descriptor))?);
            let window = window_size(&head).ok_or_else(|| bad("zstd frame header cut short"))?;
            if window > ZSTD_WINDOW {
                return Err(bad(format!("zstd window of {window} bytes (at most 8 MiB for HTTP)")));
            }
            let chained = Cursor::new(head).chain(source);
            let frame = ruzstd::decoding::StreamingDecoder::new(chained).map_err(|e| bad(e.to_string()))?;
            self.frame = Some(frame);
            self.seen = true;
        }
    }
}

/// After the magic number and the descriptor byte: how many header bytes
/// follow (window descriptor, dictionary id, content size).
fn header_rest(descriptor: u8) -> usize {
    let single = descriptor & 0x20 != 0;
    let did = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let fcs = match descriptor >> 6 {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    usize::from(!single) + did + fcs
}

/// A zstd frame's window size from its header (magic number first), as
/// RFC 8878 3.1.1.1.2 defines it.
fn window_size(head: &[u8]) -> Option<u64> {
    let descriptor = *head.get(4)?;
    if head.len() < 5 + header_rest(descriptor) {
        return None;
    }
    if descriptor & 0x20 == 0 {
        let wd = head[5];
        let base = 1u64 << (10 + (wd >> 3));
        return Some(base + (base / 8) * u64::from(wd & 7));
    }
    // Single segment: the window is the content size.
    let did = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let field = &head[5 + did..];
    Some(match descriptor >> 6 {
        0 => u64::from(field[0]),
        1 => u64::from(u16::from_le_bytes([field[0], field[1]])) + 256,
        2 => u64::from(u32::from_le_bytes([field[0], field[1], field[2], field[3]])),
        _ => u64::from_le_bytes(field[..8].try_into().ok()?),
    })
}

/// Reads up to `n` bytes (fewer only at the end of `r`).
fn read_up_to(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn decode(wire: &[u8], codings: &[Coding]) -> Result<Vec<u8>, String> {
        let (mut reader, _) = decoder(wire, codings);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn codings_table() {
        let cases: &[(&[&str], Result<&[Coding], ()>)] = &[
            (&["gzip"], Ok(&[Coding::Gzip])),
            (&["x-gzip"], Ok(&[Coding::Gzip])),
            (&["identity"], Ok(&[])),
            (&["deflate, br"], Ok(&[Coding::Deflate, Coding::Brotli])),
            (&["gzip", "ZSTD"], Ok(&[Coding::Gzip, Coding::Zstd])),
            (&["compress"], Err(())),
            (&["gzip,gzip,gzip,gzip,gzip,gzip"], Err(())),
        ];
        for (values, want) in cases {
            let got = codings(values.iter().map(|v| v.as_bytes()));
            assert_eq!(got.map_err(|_| ()), want.map(<[Coding]>::to_vec), "{values:?}");
        }
    }

    /// Each coding undone, stacks in reverse, concatenated gzip members,
    /// and deflate with or without its zlib wrapper.
    #[test]
    fn decode_table() {
        let data = harness_like_data();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&data).unwrap();
        let zlib = zlib.finish().unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&data).unwrap();
        let raw = raw.finish().unwrap();
        let mut two = gzip(&data[..1000]);
        two.extend(gzip(&data[1000..]));
        // zstd's smallest frame: one raw block holding "zstd!".
        let zstd = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05, 0x29, 0x00, 0x00, b'z', b's', b't', b'd', b'!'];
        // brotli: "hi" as an uncompressed meta-block, and a repeated text
        // compressed (both from the reference encoder).
        let brotli = [0x8b, 0x00, 0x80, 0x68, 0x69, 0x03];
        let repeated = [27, 34, 0, 248, 37, 65, 208, 210, 162, 155, 32, 64, 13];
        assert_eq!(decode(&gzip(&data), &[Coding::Gzip]).unwrap(), data);
        assert_eq!(decode(&two, &[Coding::Gzip]).unwrap(), data);
        assert_eq!(decode(&zlib, &[Coding::Deflate]).unwrap(), data);
        assert_eq!(decode(&raw, &[Coding::Deflate]).unwrap(), data);
        assert_eq!(decode(&zstd, &[Coding::Zstd]).unwrap(), b"zstd!");
        let mut skip = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        skip.extend_from_slice(&zstd);
        skip.extend_from_slice(&zstd);
        assert_eq!(decode(&skip, &[Coding::Zstd]).unwrap(), b"zstd!zstd!");
        assert_eq!(decode(&brotli, &[Coding::Brotli]).unwrap(), b"hi");
        assert_eq!(decode(&repeated, &[Coding::Brotli]).unwrap(), b"hi hi hi hi hi hi hi hi hi hi hi hi");
        assert_eq!(decode(&gzip(&zlib), &[Coding::Deflate, Coding::Gzip]).unwrap(), data);
        assert!(decode(b"not gzip at all", &[Coding::Gzip]).is_err());
        assert!(decode(&gzip(&data)[..100], &[Coding::Gzip]).is_err());
        assert!(decode(b"\x28\xb5\x2f\xfd\x00\xf8", &[Coding::Zstd]).unwrap_err().contains("at most 8 MiB"));
    }

    #[test]
    fn zstd_window_table() {
        let cases: &[(&[u8], Option<u64>)] = &[
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00], Some(1024)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x68], Some(8 << 20)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x69], Some((8 << 20) + (1 << 20))),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05], Some(5)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x01], Some(512)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x40], Some(1 << 30)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00], None),
        ];
        for (head, want) in cases {
            assert_eq!(window_size(head), *want, "{head:x?}");
        }
    }

    fn harness_like_data() -> Vec<u8> {
        (0..50_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect()
    }
}
