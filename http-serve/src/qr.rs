//! A QR code of a URL drawn on a terminal, so a phone can open the shared
//! folder by pointing its camera. Each character cell holds two modules
//! (the upper half block `▀`, its foreground the upper module, its
//! background the lower), and the colours are explicit black on white,
//! never the terminal's own: a dark theme would otherwise invert the code
//! and many phone readers would not see it. A quiet zone of four modules
//! surrounds it, as the standard asks.

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of white around the code (ISO/IEC 18004 asks for four).
const QUIET: i32 = 4;
/// Black and white from the 256-colour palette (16 and 231 are the pure
/// ones; the first 16 colours are the theme's and may be anything).
const BLACK: u8 = 16;
const WHITE: u8 = 231;

/// The code for `text` as terminal lines (with a colour reset at the end
/// of each), or `None` when the text is too long for any QR code.
pub fn render(text: &str) -> Option<String> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    Some(draw(code.size(), |x, y| code.get_module(x, y)))
}

/// Draws a `size`-square code whose dark modules `dark` tells, two rows a
/// line, quiet zone included.
fn draw(size: i32, dark: impl Fn(i32, i32) -> bool) -> String {
    let colour = |x: i32, y: i32| if dark(x, y) { BLACK } else { WHITE };
    let mut out = String::new();
    let mut y = -QUIET;
    while y < size + QUIET {
        for x in -QUIET..size + QUIET {
            out.push_str(&format!("\x1b[38;5;{};48;5;{}m\u{2580}", colour(x, y), colour(x, y + 1)));
        }
        out.push_str("\x1b[0m\n");
        y += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a drawing back into modules: (x, y) → dark.
    fn read_back(drawing: &str) -> Vec<Vec<bool>> {
        let mut rows: Vec<Vec<bool>> = Vec::new();
        for line in drawing.lines() {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for cell in line.split("\x1b[38;5;").skip(1) {
                let Some((codes, _)) = cell.split_once('m') else { continue };
                let Some((fg, bg)) = codes.split_once(";48;5;") else { continue };
                top.push(fg == BLACK.to_string());
                bottom.push(bg == BLACK.to_string());
            }
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    #[test]
    fn drawing_holds_every_module_with_a_quiet_zone() {
        let url = "http://192.0.2.2:8000/";
        let code = QrCode::encode_text(url, QrCodeEcc::Medium).unwrap();
        let drawing = render(url).unwrap();
        assert!(drawing.lines().all(|l| l.ends_with("\x1b[0m")), "every line resets the colours");
        let rows = read_back(&drawing);
        let side = (code.size() + 2 * QUIET) as usize;
        assert_eq!(rows[0].len(), side);
        assert!(rows.len() >= side);
        for (y, row) in rows.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let (mx, my) = (x as i32 - QUIET, y as i32 - QUIET);
                // Outside the code is white (get_module says so too).
                assert_eq!(dark, code.get_module(mx, my), "module {mx},{my}");
            }
        }
        // The three finder patterns: dark corners of the code itself.
        let q = QUIET as usize;
        let s = code.size() as usize;
        assert!(rows[q][q] && rows[q][q + s - 1] && rows[q + s - 1][q]);
    }

    #[test]
    fn text_too_long_for_a_code() {
        assert!(render(&"x".repeat(8000)).is_none());
    }
}
