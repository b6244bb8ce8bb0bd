//! The five data sets of Autobahn's sections 12 and 13, generated: JSON
//! text, a 512×512 greyscale bitmap, German prose, HTML and a PDF-like
//! binary. Autobahn ships fixed files; these are made from a fixed seed, so
//! every run sends the same bytes. The bytes differ from Autobahn's; the
//! sizes, the kinds (text or binary) and the character of the data (how
//! well it compresses, roughly) do not. JSON and HTML are ASCII, so a
//! slice of them is valid UTF-8 and counts characters as bytes.

use std::sync::OnceLock;

use bytes::Bytes;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// One data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    /// 12.1: JSON, sent as text (194,056 bytes).
    Json,
    /// 12.2: a 512×512 greyscale BMP, binary (263,222 bytes).
    Bitmap,
    /// 12.3: German prose, binary (222,218 bytes).
    Prose,
    /// 12.4: HTML, text (263,647 bytes).
    Html,
    /// 12.5: a PDF-like document, binary (1,042,328 bytes).
    Pdf,
}

impl DataKind {
    /// Autobahn's size of the data set.
    pub fn size(self) -> usize {
        match self {
            DataKind::Json => 194_056,
            DataKind::Bitmap => 263_222,
            DataKind::Prose => 222_218,
            DataKind::Html => 263_647,
            DataKind::Pdf => 1_042_328,
        }
    }

    /// Whether its messages are text.
    pub fn is_text(self) -> bool {
        matches!(self, DataKind::Json | DataKind::Html)
    }

    /// What it is, in a word.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Json => "JSON",
            DataKind::Bitmap => "greyscale bitmap",
            DataKind::Prose => "German prose",
            DataKind::Html => "HTML",
            DataKind::Pdf => "PDF-like binary",
        }
    }

    /// The data (generated once per process).
    pub fn bytes(self) -> &'static [u8] {
        static CELLS: [OnceLock<Vec<u8>>; 5] = [const { OnceLock::new() }; 5];
        let i = self as usize;
        CELLS[i].get_or_init(|| generate(self))
    }
}

/// The `n`th message of `size` bytes: the next consecutive slice of the
/// data, wrapping around its end. A slice that does not wrap is the static
/// data itself, not a copy: a case's messages cost no memory of their own.
pub fn message(kind: DataKind, n: usize, size: usize) -> Bytes {
    let data = kind.bytes();
    let mut at = n.wrapping_mul(size) % data.len();
    if at + size <= data.len() {
        return Bytes::from_static(&data[at..at + size]);
    }
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        let take = (data.len() - at).min(size - out.len());
        out.extend_from_slice(&data[at..at + take]);
        at = 0;
    }
    Bytes::from(out)
}

const WORDS: &[&str] = &[
    "der",
    "die",
    "das",
    "und",
    "nicht",
    "ich",
    "mich",
    "Welt",
    "Geist",
    "Natur",
    "Herz",
    "Nacht",
    "habe",
    "nun",
    "ach",
    "Philosophie",
    "Juristerei",
    "Medizin",
    "leider",
    "auch",
    "durchaus",
    "studiert",
    "heißem",
    "Bemühn",
    "steh",
    "armer",
    "Tor",
    "klug",
    "als",
    "wie",
    "zuvor",
    "Kräfte",
    "Wirken",
    "Samen",
    "schauen",
    "Wort",
    "kramen",
    "Erde",
    "Himmel",
];

fn rng(kind: DataKind) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0x1269_2000 + kind as u64)
}

fn word(r: &mut ChaCha8Rng) -> &'static str {
    WORDS[r.next_u32() as usize % WORDS.len()]
}

fn ascii_word(r: &mut ChaCha8Rng) -> String {
    word(r)
        .replace('ß', "ss")
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
}

fn generate(kind: DataKind) -> Vec<u8> {
    let mut r = rng(kind);
    let mut out = match kind {
        DataKind::Bitmap => return bitmap(&mut r),
        _ => Vec::with_capacity(kind.size() + 256),
    };
    let mut n = 0u32;
    while out.len() < kind.size() {
        n += 1;
        match kind {
            DataKind::Json => json_record(&mut r, n, &mut out),
            DataKind::Prose => prose_sentence(&mut r, &mut out),
            DataKind::Html => html_paragraph(&mut r, n, &mut out),
            _ => pdf_object(&mut r, n, &mut out),
        }
    }
    out.truncate(kind.size());
    out
}

fn json_record(r: &mut ChaCha8Rng, n: u32, out: &mut Vec<u8>) {
    let score = r.next_u32() % 10_000;
    let (a, b) = (ascii_word(r), ascii_word(r));
    let rec = format!(
        "{{\"id\":{n},\"name\":\"{a} {b}\",\"score\":{}.{:02},\"active\":{},\"tags\":[\"{}\",\"{}\"]}},\n",
        score / 100,
        score % 100,
        score.is_multiple_of(2),
        ascii_word(r),
        ascii_word(r),
    );
    out.extend_from_slice(rec.as_bytes());
}

fn prose_sentence(r: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    let len = 4 + r.next_u32() as usize % 12;
    let words: Vec<&str> = (0..len).map(|_| word(r)).collect();
    out.extend_from_slice(words.join(" ").as_bytes());
    out.extend_from_slice(if len.is_multiple_of(3) { b"!\n" } else { b". " });
}

fn html_paragraph(r: &mut ChaCha8Rng, n: u32, out: &mut Vec<u8>) {
    let words: Vec<String> = (0..8 + r.next_u32() % 24).map(|_| ascii_word(r)).collect();
    let p = format!(
        "<div class=\"row r{}\"><p id=\"p{n}\">{}</p><a href=\"/seite/{n}.html\">{}</a></div>\n",
        n % 7,
        words.join(" "),
        ascii_word(r),
    );
    out.extend_from_slice(p.as_bytes());
}

fn pdf_object(r: &mut ChaCha8Rng, n: u32, out: &mut Vec<u8>) {
    if n == 1 {
        out.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    }
    let len = 512 + r.next_u32() as usize % 4096;
    let head = format!("{n} 0 obj\n<< /Length {len} /Filter /FlateDecode >>\nstream\n");
    out.extend_from_slice(head.as_bytes());
    // Half text-like, half noise: a PDF mixes content streams and images.
    for i in 0..len {
        let b = if n.is_multiple_of(2) {
            r.next_u32() as u8
        } else {
            b"BT /F1 12 Tf ET q Q "[i % 20]
        };
        out.push(b);
    }
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

/// A 512×512 8-bit greyscale BMP: file and info headers, a 256-entry grey
/// palette, then smooth shading with some noise.
fn bitmap(r: &mut ChaCha8Rng) -> Vec<u8> {
    let (w, h) = (512u32, 512u32);
    let offset = 14 + 40 + 1024;
    let size = offset + w * h;
    let mut out = Vec::with_capacity(size as usize);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&offset.to_le_bytes());
    for v in [40u32, w, h] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    for v in [0u32, w * h, 2835, 2835, 256, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for g in 0..=255u8 {
        out.extend_from_slice(&[g, g, g, 0]);
    }
    for y in 0..h {
        for x in 0..w {
            let shade = ((x + y) / 4) as u8;
            out.push(shade.wrapping_add((r.next_u32() % 8) as u8));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sets_have_autobahns_sizes_are_fixed_and_text_is_utf8() {
        for kind in [
            DataKind::Json,
            DataKind::Bitmap,
            DataKind::Prose,
            DataKind::Html,
            DataKind::Pdf,
        ] {
            assert_eq!(kind.bytes().len(), kind.size(), "{kind:?}");
            assert_eq!(generate(kind), kind.bytes(), "{kind:?} is seeded");
            if kind.is_text() {
                assert!(kind.bytes().is_ascii(), "{kind:?} slices stay UTF-8");
            }
        }
        let m = message(DataKind::Json, 3, 100_000);
        assert_eq!(m.len(), 100_000);
        assert_eq!(m[0], DataKind::Json.bytes()[300_000 % 194_056]);
    }
}
