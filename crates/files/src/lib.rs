//! Evidence files — photos and PDFs that organisations upload as proof of their models'
//! results — stored content-addressed under the application's data directory.
//!
//! Nothing about a file is trusted: its type comes from its bytes, photos are decoded under
//! pixel limits and re-encoded so that EXIF (GPS positions above all) never reaches the
//! public, and ids are checked before they touch a path.
//!
//! Layout: `root/files/<first two hex>/<sha256>` and
//! `root/thumbs/<first two hex>/<sha256>.jpg`, where the sha256 is of the stored bytes.
//!
//! All calls block (decoding a large photo takes a noticeable fraction of a second): from
//! async code run them with `spawn_blocking`.

mod detect;
mod durable;
mod error;
mod photo;

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use detect::sniff_mime;
pub use error::FileError;

/// Writes `bytes` to `dir/name` crash-safely (temp file, fsync, rename, fsync of the
/// directory, which is created when missing): for files that are not content-addressed
/// uploads, such as spreadsheet exports built in the background.
pub fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    durable::write_file(dir, name, bytes)
}

use detect::Kind;

/// What the store accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Uploads larger than this are refused before any decoding.
    pub max_bytes: usize,
    /// Photos with more pixels are refused from their header, against decompression bombs.
    pub max_pixels: u64,
    /// Stored photos are downscaled so their long side is at most this.
    pub max_side: u32,
    /// Long side of thumbnails.
    pub thumb_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 2560,
            thumb_side: 480,
        }
    }
}

/// A stored file, as returned by [`FileStore::store`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Hex sha256 of the stored bytes: the file's id.
    pub sha256: String,
    /// Size of the stored bytes.
    pub size: u64,
    /// Type of the stored bytes: `image/jpeg`, `image/png` or `application/pdf` (a WebP
    /// upload is stored as JPEG or PNG; `image/webp` is never stored).
    pub mime: &'static str,
    /// Pixel width of a photo as stored (after orientation and downscaling).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Photos have a JPEG thumbnail; PDFs do not.
    pub has_thumbnail: bool,
}

/// Content-addressed store of evidence files on the local file system.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
    limits: Limits,
}

impl FileStore {
    /// Opens (creating if needed) a store at `root` with default limits.
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        Self::with_limits(root, Limits::default())
    }

    /// Opens (creating if needed) a store at `root` with the given limits.
    pub fn with_limits(root: impl Into<PathBuf>, limits: Limits) -> io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        let store = Self { root, limits };
        durable::ensure_dir(&store.files_dir())?;
        durable::ensure_dir(&store.thumbs_dir())?;
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Validates, normalises and durably writes an upload. When it returns `Ok`, the file
    /// and (for photos) its thumbnail are on disk and survive a crash.
    ///
    /// Storing the same content again writes nothing and returns the same `StoredFile`;
    /// so does storing bytes previously returned by [`read`](Self::read).
    pub fn store(&self, bytes: &[u8]) -> Result<StoredFile, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if bytes.len() > self.limits.max_bytes {
            return Err(FileError::TooLarge {
                max_bytes: self.limits.max_bytes,
            });
        }
        let kind = detect::detect(bytes).ok_or(FileError::UnsupportedType)?;
        match kind {
            Kind::Pdf => self.store_pdf(bytes),
            Kind::Jpeg | Kind::Png | Kind::Webp => self.store_photo(bytes, kind),
        }
    }

    fn store_pdf(&self, bytes: &[u8]) -> Result<StoredFile, FileError> {
        if !detect::pdf_is_complete(bytes) {
            return Err(FileError::Corrupt);
        }
        let sha256 = sha256_hex(bytes);
        self.write_if_missing(&self.file_path(&sha256), bytes)?;
        Ok(StoredFile {
            size: bytes.len() as u64,
            sha256,
            mime: Kind::Pdf.mime(),
            width: None,
            height: None,
            has_thumbnail: false,
        })
    }

    fn store_photo(&self, bytes: &[u8], kind: Kind) -> Result<StoredFile, FileError> {
        if kind == Kind::Jpeg && !detect::jpeg_is_complete(bytes) {
            return Err(FileError::Corrupt);
        }
        // Re-uploading a stored file must not re-encode it (each JPEG pass loses a little
        // and would give a new id), so bytes we already hold are taken as they are.
        let input_sha = sha256_hex(bytes);
        if kind != Kind::Webp && self.file_path(&input_sha).is_file() {
            let (width, height) = photo::dimensions(bytes, kind, &self.limits)?;
            let thumb = self.thumb_path(&input_sha);
            if !thumb.is_file() {
                let thumbnail = photo::thumbnail_of_stored(bytes, kind, &self.limits)?;
                self.write_if_missing(&thumb, &thumbnail)?;
            }
            return Ok(photo_file(input_sha, bytes.len(), kind, width, height));
        }

        let normalised = photo::normalise(bytes, kind, &self.limits)?;
        let sha256 = sha256_hex(&normalised.bytes);
        // Thumbnail first: a visible file always has its thumbnail.
        self.write_if_missing(&self.thumb_path(&sha256), &normalised.thumbnail)?;
        self.write_if_missing(&self.file_path(&sha256), &normalised.bytes)?;
        Ok(photo_file(
            sha256,
            normalised.bytes.len(),
            normalised.kind,
            normalised.width,
            normalised.height,
        ))
    }

    /// The stored bytes of a file.
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        validate_id(sha256)?;
        read_existing(&self.file_path(sha256))
    }

    /// The JPEG thumbnail of a photo; `NotFound` for PDFs.
    pub fn read_thumbnail(&self, sha256: &str) -> Result<Vec<u8>, FileError> {
        validate_id(sha256)?;
        read_existing(&self.thumb_path(sha256))
    }

    /// Whether a file with this id is stored; `false` for malformed ids.
    pub fn exists(&self, sha256: &str) -> bool {
        validate_id(sha256).is_ok() && self.file_path(sha256).is_file()
    }

    fn files_dir(&self) -> PathBuf {
        self.root.join("files")
    }

    fn thumbs_dir(&self) -> PathBuf {
        self.root.join("thumbs")
    }

    /// Callers pass validated or self-computed ids only.
    fn file_path(&self, sha256: &str) -> PathBuf {
        self.files_dir().join(&sha256[..2]).join(sha256)
    }

    fn thumb_path(&self, sha256: &str) -> PathBuf {
        self.thumbs_dir()
            .join(&sha256[..2])
            .join(format!("{sha256}.jpg"))
    }

    /// Content addressing makes an existing file identical to what we would write.
    fn write_if_missing(&self, path: &Path, bytes: &[u8]) -> Result<(), FileError> {
        if path.is_file() {
            return Ok(());
        }
        let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        else {
            return Err(FileError::Io(io::Error::other("malformed store path")));
        };
        durable::ensure_dir(dir.parent().unwrap_or(&self.root))?;
        durable::write_file(dir, name, bytes)?;
        Ok(())
    }
}

fn photo_file(sha256: String, size: usize, kind: Kind, width: u32, height: u32) -> StoredFile {
    StoredFile {
        sha256,
        size: size as u64,
        mime: kind.mime(),
        width: Some(width),
        height: Some(height),
        has_thumbnail: true,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Ids become paths, so only the exact form we generate is accepted: 64 lowercase hex.
fn validate_id(id: &str) -> Result<(), FileError> {
    if id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(FileError::InvalidId)
    }
}

fn read_existing(path: &Path) -> Result<Vec<u8>, FileError> {
    std::fs::read(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => FileError::NotFound,
        _ => FileError::Io(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_validation() {
        let good = "a".repeat(64);
        assert!(validate_id(&good).is_ok());
        assert!(validate_id(&"A".repeat(64)).is_err());
        assert!(validate_id(&"a".repeat(63)).is_err());
        assert!(validate_id(&"a".repeat(65)).is_err());
        assert!(validate_id("../etc/passwd").is_err());
        assert!(validate_id(&format!("{}/", "a".repeat(63))).is_err());
        assert!(validate_id(&format!("{}g", "a".repeat(63))).is_err());
        assert!(validate_id("").is_err());
    }
}
