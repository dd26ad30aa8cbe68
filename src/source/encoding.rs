//! Decoding of source bytes. PLC projects come in UTF-8 (with or without BOM), UTF-16 with BOM,
//! and — very often in TwinCAT and CODESYS exports — Windows-1252. Decoding records what it did so
//! that a file can be written back byte-compatible; a decoding that would lose information is
//! reported instead of applied silently.

/// How a file's bytes were decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
    /// Not valid UTF-8: decoded as Windows-1252, which maps every byte and round-trips exactly.
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16LeBom => "UTF-16LE with BOM",
            Encoding::Utf16BeBom => "UTF-16BE with BOM",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// The result of decoding: the text, the encoding, and whether anything had to be replaced
/// (only possible for malformed UTF-16).
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    pub lossy: bool,
}

pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => Decoded {
                text: text.to_owned(),
                encoding: Encoding::Utf8Bom,
                lossy: false,
            },
            Err(_) => Decoded {
                text: String::from_utf8_lossy(rest).into_owned(),
                encoding: Encoding::Utf8Bom,
                lossy: true,
            },
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, Encoding::Utf16LeBom, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, Encoding::Utf16BeBom, u16::from_be_bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: text.to_owned(),
            encoding: Encoding::Utf8,
            lossy: false,
        },
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded {
                text: text.into_owned(),
                encoding: Encoding::Windows1252,
                lossy: false,
            }
        }
    }
}

fn decode_utf16(bytes: &[u8], encoding: Encoding, unit: fn([u8; 2]) -> u16) -> Decoded {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut lossy = !bytes.len().is_multiple_of(2);
    let text = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    Decoded {
        text,
        encoding,
        lossy,
    }
}

/// Encodes text back into `encoding`. Returns `None` when the text holds a character the
/// encoding cannot represent (a formatter must then refuse to write rather than mangle).
pub fn encode(text: &str, encoding: Encoding) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Utf8 => Some(text.as_bytes().to_vec()),
        Encoding::Utf8Bom => Some([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
        Encoding::Utf16LeBom => Some(
            [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
        ),
        Encoding::Utf16BeBom => Some(
            [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
        ),
        Encoding::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            (!unmappable).then(|| bytes.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_windows_1252_byte_round_trips() {
        let bytes: Vec<u8> = (0x80..=0xFF).collect();
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, Encoding::Windows1252);
        assert_eq!(encode(&decoded.text, decoded.encoding).unwrap(), bytes);
    }

    #[test]
    fn utf16_with_bom() {
        let bytes = [0xFF, 0xFE, b'A', 0, 0xC4, 0];
        let decoded = decode(&bytes);
        assert_eq!(decoded.text, "AÄ");
        assert_eq!(decoded.encoding, Encoding::Utf16LeBom);
        assert!(!decoded.lossy);
        assert_eq!(encode("AÄ", Encoding::Utf16LeBom).unwrap(), bytes);
    }

    #[test]
    fn unpaired_surrogate_is_reported_as_lossy() {
        let decoded = decode(&[0xFF, 0xFE, 0x00, 0xD8, b'A', 0]);
        assert!(decoded.lossy);
        assert_eq!(decoded.text, "\u{FFFD}A");
    }

    #[test]
    fn utf8_bom_is_kept_in_encoding_not_text() {
        let decoded = decode(b"\xEF\xBB\xBFx");
        assert_eq!(decoded.text, "x");
        assert_eq!(decoded.encoding, Encoding::Utf8Bom);
    }
}
