//! File type detection from content only: client-supplied names and types are never trusted.

/// What the leading bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// How far from the end `%%EOF` may sit: writers append newlines or a little padding.
const PDF_EOF_WINDOW: usize = 1024;

/// Detects the kind from magic bytes. A PDF without `%%EOF` near its end is reported as
/// `Some(Kind::Pdf)` too; `pdf_is_complete` decides whether it is truncated.
pub(crate) fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Some(Kind::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Kind::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

/// A PDF whose trailer marker is missing was cut off in transit or is not a PDF at all.
pub(crate) fn pdf_is_complete(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(PDF_EOF_WINDOW)..];
    tail.windows(5).any(|w| w == b"%%EOF")
}

/// Whether a JPEG's segment structure runs from SOI to an EOI marker.
///
/// Decoders forgive truncation and paint the missing rows grey, so an upload cut off in
/// transit would otherwise be stored as if it were whole. Data after EOI (phone "motion
/// photo" videos, vendor trailers) is allowed.
pub(crate) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let byte = |i: usize| bytes.get(i).copied();
    let mut i = 2; // after SOI
    loop {
        if byte(i) != Some(0xFF) {
            return false;
        }
        // Markers may be preceded by any number of 0xFF fill bytes.
        while byte(i) == Some(0xFF) {
            i += 1;
        }
        let Some(marker) = byte(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => {}
            _ => {
                let (Some(hi), Some(lo)) = (byte(i), byte(i + 1)) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                if len < 2 {
                    return false;
                }
                i += len;
                if marker == 0xDA {
                    // Entropy-coded data follows SOS: 0xFF appears in it only stuffed
                    // (FF 00) or as a restart marker; anything else starts the next marker.
                    loop {
                        match (byte(i), byte(i + 1)) {
                            (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                            (Some(0xFF), Some(_)) => break,
                            (Some(_), _) => i += 1,
                            (None, _) => return false,
                        }
                    }
                }
            }
        }
    }
}

/// The MIME type of stored content, for serving `read()` results with the right
/// `Content-Type`. Stored files are only ever JPEG, PNG or PDF.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    detect(bytes).map(Kind::mime)
}

impl Kind {
    pub(crate) fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0rest"), Some(Kind::Jpeg));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest"), Some(Kind::Png));
        assert_eq!(detect(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(detect(b"%PDF-1.7\n"), Some(Kind::Pdf));
        assert_eq!(detect(b"GIF89a\x01\0\x01\0"), None);
        assert_eq!(detect(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(detect(b"<!DOCTYPE html><html>"), None);
        assert_eq!(detect(b"MZ\x90\0"), None);
        assert_eq!(detect(b"\x7FELF\x02\x01"), None);
        assert_eq!(detect(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(detect(b""), None);
        // A leading space is enough to make it not a PDF header.
        assert_eq!(detect(b" %PDF-1.7"), None);
    }

    #[test]
    fn jpeg_structure() {
        // SOI, APP0 (len 4), SOS (len 3) + entropy data with stuffing and a restart, EOI.
        let whole =
            b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xDA\x00\x03x\x12\xFF\x00\x34\xFF\xD0\x56\xFF\xD9";
        assert!(jpeg_is_complete(whole));
        let mut trailer = whole.to_vec();
        trailer.extend(b"ftypmp42 video after EOI");
        assert!(jpeg_is_complete(&trailer));
        for cut in 2..whole.len() - 1 {
            assert!(!jpeg_is_complete(&whole[..cut]), "cut at {cut}");
        }
        // An EOI inside a segment (an EXIF thumbnail's) does not count.
        assert!(!jpeg_is_complete(b"\xFF\xD8\xFF\xE1\x00\x04\xFF\xD9"));
        assert!(!jpeg_is_complete(b"\xFF\xD8\xFF\xE1\x00\x01"));
        assert!(!jpeg_is_complete(b"\xFF\xD8\x00"));
    }

    #[test]
    fn pdf_trailer() {
        assert!(pdf_is_complete(b"%PDF-1.4\n...\n%%EOF\n"));
        assert!(!pdf_is_complete(b"%PDF-1.4\n...\n"));
        let mut far = b"%PDF-1.4\n%%EOF".to_vec();
        far.extend(std::iter::repeat_n(b' ', 2000));
        assert!(!pdf_is_complete(&far));
    }
}
