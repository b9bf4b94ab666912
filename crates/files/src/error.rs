//! Errors of the file store, with stable codes for the API and messages for people.

/// Why a file was refused or could not be served.
///
/// `code()` is stable and meant for API clients; `message_vi()`/`message_en()` are for people.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("empty file")]
    Empty,
    #[error("file larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("unsupported file type")]
    UnsupportedType,
    #[error("corrupt or unreadable file")]
    Corrupt,
    #[error("image has too many pixels")]
    TooManyPixels,
    #[error("file not found")]
    NotFound,
    #[error("invalid file id")]
    InvalidId,
    #[error("file storage I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl FileError {
    /// Stable machine-readable code, e.g. for a JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty_file",
            Self::TooLarge { .. } => "file_too_large",
            Self::UnsupportedType => "unsupported_file_type",
            Self::Corrupt => "corrupt_file",
            Self::TooManyPixels => "image_too_large",
            Self::NotFound => "not_found",
            Self::InvalidId => "invalid_id",
            Self::Io(_) => "io",
        }
    }

    /// Message for the Vietnamese interface. I/O details stay in logs, never shown to users.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Empty => "Tệp rỗng.".to_owned(),
            Self::TooLarge { max_bytes } => {
                format!("Tệp quá lớn (tối đa {} MB).", format_mb(*max_bytes, ','))
            }
            Self::UnsupportedType => "Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF.".to_owned(),
            Self::Corrupt => "Tệp bị hỏng hoặc không đọc được.".to_owned(),
            Self::TooManyPixels => "Ảnh quá lớn (quá nhiều điểm ảnh).".to_owned(),
            Self::NotFound => "Không tìm thấy tệp.".to_owned(),
            Self::InvalidId => "Mã tệp không hợp lệ.".to_owned(),
            Self::Io(_) => "Không lưu hoặc đọc được tệp, vui lòng thử lại sau.".to_owned(),
        }
    }

    /// Message for the English interface.
    pub fn message_en(&self) -> String {
        match self {
            Self::Empty => "The file is empty.".to_owned(),
            Self::TooLarge { max_bytes } => {
                format!(
                    "The file is too large (maximum {} MB).",
                    format_mb(*max_bytes, '.')
                )
            }
            Self::UnsupportedType => {
                "Only JPEG, PNG or WebP photos and PDF files are accepted.".to_owned()
            }
            Self::Corrupt => "The file is damaged or cannot be read.".to_owned(),
            Self::TooManyPixels => "The image is too large (too many pixels).".to_owned(),
            Self::NotFound => "File not found.".to_owned(),
            Self::InvalidId => "Invalid file id.".to_owned(),
            Self::Io(_) => {
                "The file could not be saved or read, please try again later.".to_owned()
            }
        }
    }
}

/// Megabytes (MiB) for messages: whole numbers as is, otherwise one decimal with the
/// locale's separator (Vietnamese writes "0,5").
fn format_mb(bytes: usize, decimal_separator: char) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        return (bytes / MIB).to_string();
    }
    // Precision loss is irrelevant for a message.
    #[allow(clippy::cast_precision_loss)]
    let mb = bytes as f64 / MIB as f64;
    format!("{mb:.1}").replace('.', &decimal_separator.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(FileError::Empty.code(), "empty_file");
        assert_eq!(
            FileError::TooLarge { max_bytes: 1 }.code(),
            "file_too_large"
        );
        assert_eq!(FileError::UnsupportedType.code(), "unsupported_file_type");
        assert_eq!(FileError::Corrupt.code(), "corrupt_file");
        assert_eq!(FileError::TooManyPixels.code(), "image_too_large");
        assert_eq!(FileError::NotFound.code(), "not_found");
        assert_eq!(FileError::InvalidId.code(), "invalid_id");
        assert_eq!(FileError::Io(std::io::Error::other("x")).code(), "io");
    }

    #[test]
    fn vietnamese_messages() {
        let too_large = FileError::TooLarge {
            max_bytes: 10 * 1024 * 1024,
        };
        assert_eq!(too_large.message_vi(), "Tệp quá lớn (tối đa 10 MB).");
        assert_eq!(
            too_large.message_en(),
            "The file is too large (maximum 10 MB)."
        );
        assert_eq!(
            FileError::TooLarge {
                max_bytes: 512 * 1024
            }
            .message_vi(),
            "Tệp quá lớn (tối đa 0,5 MB)."
        );
        assert_eq!(
            FileError::UnsupportedType.message_vi(),
            "Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF."
        );
        assert_eq!(
            FileError::Corrupt.message_vi(),
            "Tệp bị hỏng hoặc không đọc được."
        );
        assert_eq!(
            FileError::TooManyPixels.message_vi(),
            "Ảnh quá lớn (quá nhiều điểm ảnh)."
        );
        assert_eq!(FileError::Empty.message_vi(), "Tệp rỗng.");
        // I/O details must not leak into user-facing text.
        let io = FileError::Io(std::io::Error::other("/secret/path"));
        assert!(!io.message_vi().contains("/secret"));
        assert!(!io.message_en().contains("/secret"));
    }
}
