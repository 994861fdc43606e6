//! A small FITS writer for the files specae makes in survey formats (DESI coadds and redrock
//! files of the synthetic survey): a primary HDU of keywords, image extensions (float32,
//! float64, and unsigned 32-bit masks stored as DESI stores them, `BZERO = 2³¹`) and binary
//! tables of scalar columns. Big-endian, headers padded with blanks and data with zeros to
//! 2880-byte blocks, as the standard (Pence et al. 2010) asks.

use std::io::{self, Write};

const BLOCK: usize = 2880;

/// A header keyword's value.
#[derive(Clone, Debug)]
pub enum Card {
    Int(&'static str, i64),
    Float(&'static str, f64),
    Text(&'static str, String),
}

/// A binary-table column: a name and one value per row.
#[derive(Clone, Debug)]
pub enum Column<'a> {
    /// 64-bit integers (`K`), e.g. TARGETID.
    I64(&'static str, &'a [i64]),
    /// 32-bit integers (`J`).
    I32(&'static str, &'a [i32]),
    /// float64 (`D`).
    F64(&'static str, &'a [f64]),
    /// float32 (`E`).
    F32(&'static str, &'a [f32]),
    /// Fixed-width text (`nA`), padded with blanks, cut at `width` bytes.
    Text(&'static str, usize, &'a [String]),
}

impl Column<'_> {
    fn name(&self) -> &'static str {
        match self {
            Column::I64(n, _)
            | Column::I32(n, _)
            | Column::F64(n, _)
            | Column::F32(n, _)
            | Column::Text(n, _, _) => n,
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::I64(_, v) => v.len(),
            Column::I32(_, v) => v.len(),
            Column::F64(_, v) => v.len(),
            Column::F32(_, v) => v.len(),
            Column::Text(_, _, v) => v.len(),
        }
    }

    fn form(&self) -> String {
        match self {
            Column::I64(..) => "K".into(),
            Column::I32(..) => "J".into(),
            Column::F64(..) => "D".into(),
            Column::F32(..) => "E".into(),
            Column::Text(_, w, _) => format!("{}A", (*w).max(1)),
        }
    }

    fn width(&self) -> usize {
        match self {
            Column::I64(..) | Column::F64(..) => 8,
            Column::I32(..) | Column::F32(..) => 4,
            Column::Text(_, w, _) => (*w).max(1),
        }
    }

    fn put(&self, row: usize, out: &mut Vec<u8>) {
        match self {
            Column::I64(_, v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Column::I32(_, v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Column::F64(_, v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Column::F32(_, v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Column::Text(_, w, v) => {
                let w = (*w).max(1);
                let b = v[row].as_bytes();
                let n = b.len().min(w);
                out.extend_from_slice(&b[..n]);
                out.extend(std::iter::repeat_n(b' ', w - n));
            }
        }
    }
}

/// One 80-character card: `KEYWORD = value`, numbers right-aligned to column 30 and strings
/// quoted (at least 8 characters inside the quotes), as fixed-format FITS writes them.
fn card_text(key: &str, value: &str) -> String {
    let mut c = format!("{key:<8}= {value}");
    c.truncate(80);
    format!("{c:<80}")
}

fn value_text(card: &Card) -> (&'static str, String) {
    match card {
        Card::Int(k, v) => (k, format!("{v:>20}")),
        Card::Float(k, v) => {
            let s = if v.is_finite() {
                format!("{v:E}")
            } else {
                "0.0".into()
            };
            (k, format!("{s:>20}"))
        }
        Card::Text(k, v) => {
            let v: String = v
                .chars()
                .filter(|c| c.is_ascii() && !c.is_ascii_control())
                .take(68)
                .collect::<String>()
                .replace('\'', "''");
            (k, format!("'{v:<8}'"))
        }
    }
}

/// Writes FITS HDUs one after another to `w`.
pub struct FitsWriter<W: Write> {
    w: W,
    first: bool,
}

impl<W: Write> FitsWriter<W> {
    pub fn new(w: W) -> Self {
        FitsWriter { w, first: true }
    }

    fn header(
        &mut self,
        structural: Vec<(&'static str, String)>,
        extra: &[Card],
    ) -> io::Result<()> {
        let mut text = String::with_capacity(BLOCK);
        for (k, v) in structural {
            text.push_str(&card_text(k, &v));
        }
        for c in extra {
            let (k, v) = value_text(c);
            text.push_str(&card_text(k, &v));
        }
        text.push_str(&format!("{:<80}", "END"));
        let pad = text.len().next_multiple_of(BLOCK) - text.len();
        text.extend(std::iter::repeat_n(' ', pad));
        self.w.write_all(text.as_bytes())
    }

    fn data(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.w.write_all(bytes)?;
        let pad = bytes.len().next_multiple_of(BLOCK) - bytes.len();
        self.w.write_all(&vec![0u8; pad])
    }

    fn start(&mut self, xtension: &str) -> Vec<(&'static str, String)> {
        if self.first {
            self.first = false;
            vec![("SIMPLE", format!("{:>20}", "T"))]
        } else {
            vec![("XTENSION", format!("'{xtension:<8}'"))]
        }
    }

    /// A primary HDU without data, holding `cards`. Must come first.
    pub fn primary(&mut self, cards: &[Card]) -> io::Result<()> {
        let mut s = self.start("");
        s.push(("BITPIX", format!("{:>20}", 8)));
        s.push(("NAXIS", format!("{:>20}", 0)));
        s.push(("EXTEND", format!("{:>20}", "T")));
        self.header(s, cards)
    }

    fn image(
        &mut self,
        extname: &str,
        bitpix: i64,
        axes: &[usize],
        mut cards: Vec<Card>,
        bytes: &[u8],
    ) -> io::Result<()> {
        if self.first {
            self.primary(&[])?;
        }
        let mut s = self.start("IMAGE");
        s.push(("BITPIX", format!("{bitpix:>20}")));
        s.push(("NAXIS", format!("{:>20}", axes.len())));
        const NAXIS: [&str; 3] = ["NAXIS1", "NAXIS2", "NAXIS3"];
        for (k, a) in axes.iter().enumerate().take(3) {
            s.push((NAXIS[k], format!("{a:>20}")));
        }
        s.push(("PCOUNT", format!("{:>20}", 0)));
        s.push(("GCOUNT", format!("{:>20}", 1)));
        cards.push(Card::Text("EXTNAME", extname.to_string()));
        self.header(s, &cards)?;
        self.data(bytes)
    }

    /// A float32 image; `axes` NAXIS1 first (the fastest-varying).
    pub fn image_f32(
        &mut self,
        extname: &str,
        axes: &[usize],
        v: &[f32],
        cards: Vec<Card>,
    ) -> io::Result<()> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
        self.image(extname, -32, axes, cards, &bytes)
    }

    /// A float64 image.
    pub fn image_f64(
        &mut self,
        extname: &str,
        axes: &[usize],
        v: &[f64],
        cards: Vec<Card>,
    ) -> io::Result<()> {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
        self.image(extname, -64, axes, cards, &bytes)
    }

    /// An unsigned 32-bit image stored as FITS stores one: signed with `BZERO = 2³¹`.
    pub fn image_u32(
        &mut self,
        extname: &str,
        axes: &[usize],
        v: &[u32],
        mut cards: Vec<Card>,
    ) -> io::Result<()> {
        let bytes: Vec<u8> = v
            .iter()
            .flat_map(|&x| ((i64::from(x) - (1i64 << 31)) as i32).to_be_bytes())
            .collect();
        cards.insert(0, Card::Float("BSCALE", 1.0));
        cards.insert(1, Card::Int("BZERO", 1 << 31));
        self.image(extname, 32, axes, cards, &bytes)
    }

    /// A binary table of scalar columns, all of one length.
    pub fn bintable(
        &mut self,
        extname: &str,
        columns: &[Column],
        mut cards: Vec<Card>,
    ) -> io::Result<()> {
        if self.first {
            self.primary(&[])?;
        }
        let rows = columns.first().map_or(0, Column::len);
        if let Some(c) = columns.iter().find(|c| c.len() != rows) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("column {} has {} rows, not {rows}", c.name(), c.len()),
            ));
        }
        let row_bytes: usize = columns.iter().map(Column::width).sum();
        let mut s = self.start("BINTABLE");
        s.push(("BITPIX", format!("{:>20}", 8)));
        s.push(("NAXIS", format!("{:>20}", 2)));
        s.push(("NAXIS1", format!("{row_bytes:>20}")));
        s.push(("NAXIS2", format!("{rows:>20}")));
        s.push(("PCOUNT", format!("{:>20}", 0)));
        s.push(("GCOUNT", format!("{:>20}", 1)));
        s.push(("TFIELDS", format!("{:>20}", columns.len())));
        let mut named: Vec<(String, String)> = vec![];
        for (k, c) in columns.iter().enumerate() {
            named.push((format!("TTYPE{}", k + 1), format!("'{:<8}'", c.name())));
            named.push((format!("TFORM{}", k + 1), format!("'{:<8}'", c.form())));
        }
        let mut text = String::new();
        for (k, v) in &s {
            text.push_str(&card_text(k, v));
        }
        for (k, v) in &named {
            text.push_str(&card_text(k, v));
        }
        cards.push(Card::Text("EXTNAME", extname.to_string()));
        for c in &cards {
            let (k, v) = value_text(c);
            text.push_str(&card_text(k, &v));
        }
        text.push_str(&format!("{:<80}", "END"));
        let pad = text.len().next_multiple_of(BLOCK) - text.len();
        text.extend(std::iter::repeat_n(' ', pad));
        self.w.write_all(text.as_bytes())?;
        let mut bytes = Vec::with_capacity(rows * row_bytes);
        for r in 0..rows {
            for c in columns {
                c.put(r, &mut bytes);
            }
        }
        self.data(&bytes)
    }

    /// The writer back (after the last HDU).
    pub fn into_inner(self) -> W {
        self.w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fits_table::{each_hdu, open_bytes, read_columns, read_image};
    use fitsrs::HDU;
    use std::path::Path;

    #[test]
    fn written_images_and_tables_read_back_exactly() {
        let mut w = FitsWriter::new(Vec::new());
        w.primary(&[
            Card::Text("SURVEY", "main".into()),
            Card::Int("HPXPIXEL", 27247),
        ])
        .unwrap();
        let ids = [39_627_000_000_000_001i64, 39_627_000_000_000_003];
        let names = ["TGT".to_string(), "SKY".to_string()];
        w.bintable(
            "FIBERMAP",
            &[
                Column::I64("TARGETID", &ids),
                Column::Text("OBJTYPE", 3, &names),
            ],
            vec![],
        )
        .unwrap();
        w.image_f32("B_FLUX", &[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5], vec![])
            .unwrap();
        w.image_u32("B_MASK", &[3, 2], &[0, 1, 0, 4_000_000_000, 0, 0], vec![])
            .unwrap();
        let bytes = w.into_inner();
        assert_eq!(bytes.len() % 2880, 0);
        let len = bytes.len() as u64;
        let path = Path::new("t.fits");
        let mut fits = open_bytes(bytes, path).unwrap();
        let mut seen = vec![];
        each_hdu(&mut fits, path, |fits, name, hdu| {
            match hdu {
                HDU::XBinaryTable(t) => {
                    let t = read_columns(fits, &t, &["TARGETID", "OBJTYPE"], len, path)?;
                    assert_eq!(t.ints("TARGETID").unwrap(), ids.to_vec());
                    assert_eq!(t.texts("OBJTYPE").unwrap(), names.to_vec());
                }
                HDU::XImage(h) => {
                    let (v, axes) = read_image(fits, &h, len, path)?;
                    assert_eq!(axes, vec![3, 2]);
                    if name == "B_MASK" {
                        assert_eq!(v[3], 4_000_000_000.0);
                        assert_eq!(v[1], 1.0);
                    } else {
                        assert_eq!(v[5], 6.5);
                    }
                }
                _ => {}
            }
            seen.push(name.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["", "FIBERMAP", "B_FLUX", "B_MASK"]);
    }
}
