//! Photo normalisation: decode under limits, fix orientation, downscale, re-encode.
//!
//! Re-encoding from pixels is what strips EXIF (GPS positions, camera serials), XMP and
//! comments: only pixels and the colour profile survive.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader};

use crate::detect::Kind;
use crate::{FileError, Limits};

/// Quality for stored photos: visually lossless for evidence, a fraction of camera sizes.
const PHOTO_JPEG_QUALITY: u8 = 85;
/// Thumbnails are only looked at small.
const THUMB_JPEG_QUALITY: u8 = 80;
/// Colour profiles are kept so wide-gamut phone photos keep their colours; a larger
/// "profile" is not a real one and is dropped rather than carried along.
const MAX_ICC_BYTES: usize = 64 * 1024;
/// Worst case bytes per pixel of a decoded image (16-bit RGBA), for the allocation cap.
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// A photo ready to be written.
pub(crate) struct Normalised {
    pub bytes: Vec<u8>,
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

fn format_of(kind: Kind) -> Option<ImageFormat> {
    match kind {
        Kind::Jpeg => Some(ImageFormat::Jpeg),
        Kind::Png => Some(ImageFormat::Png),
        Kind::Webp => Some(ImageFormat::WebP),
        Kind::Pdf => None,
    }
}

/// Decoder limits as a second line of defence behind the explicit pixel check: they also
/// bound what a decoder may allocate for itself.
fn decoder_limits(limits: &Limits) -> image::Limits {
    let side = u32::try_from(limits.max_pixels).unwrap_or(u32::MAX);
    let mut l = image::Limits::default();
    l.max_image_width = Some(side);
    l.max_image_height = Some(side);
    l.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(MAX_BYTES_PER_PIXEL)
            .saturating_add(64 * 1024 * 1024),
    );
    l
}

fn decode_error(e: ImageError) -> FileError {
    match e {
        ImageError::Limits(_) => FileError::TooManyPixels,
        // Everything else (bad data, truncation read as EOF, unsupported variants such as
        // arithmetic-coded JPEG) means we cannot read it.
        _ => FileError::Corrupt,
    }
}

/// Opens a decoder and refuses oversized images from the header alone, before any pixel
/// buffer is allocated.
fn open(bytes: &[u8], kind: Kind, limits: &Limits) -> Result<impl ImageDecoder, FileError> {
    let format = format_of(kind).ok_or(FileError::UnsupportedType)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let decoder = reader.into_decoder().map_err(decode_error)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(FileError::Corrupt);
    }
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(FileError::TooManyPixels);
    }
    Ok(decoder)
}

/// Dimensions from the header of an already-stored photo.
pub(crate) fn dimensions(
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
) -> Result<(u32, u32), FileError> {
    Ok(open(bytes, kind, limits)?.dimensions())
}

struct Decoded {
    image: DynamicImage,
    icc: Option<Vec<u8>>,
}

fn decode(bytes: &[u8], kind: Kind, limits: &Limits) -> Result<Decoded, FileError> {
    let mut decoder = open(bytes, kind, limits)?;
    // Orientation lives in the EXIF we are about to drop, so apply it to the pixels now or
    // phone photos would be shown sideways. Unreadable metadata is not worth refusing for.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| p.len() <= MAX_ICC_BYTES && icc_fits(p, &decoder));
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(Decoded { image, icc })
}

/// Decodes, downscales to `max_side`, re-encodes and makes the thumbnail.
///
/// JPEG stays JPEG, PNG stays PNG (screenshots and scans must stay sharp). WebP becomes JPEG,
/// or PNG when it has real transparency: there is no lossy WebP encoder in pure Rust and
/// lossless WebP of a photo would be larger than the upload.
pub(crate) fn normalise(
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
) -> Result<Normalised, FileError> {
    let Decoded { mut image, icc } = decode(bytes, kind, limits)?;
    if image.width().max(image.height()) > limits.max_side {
        image = image.resize(limits.max_side, limits.max_side, FilterType::CatmullRom);
    }
    let out_kind = match kind {
        Kind::Webp if has_transparency(&image) => Kind::Png,
        Kind::Webp | Kind::Jpeg => Kind::Jpeg,
        _ => Kind::Png,
    };
    let bytes = match out_kind {
        Kind::Jpeg => encode_jpeg(&jpeg_compatible(&image), PHOTO_JPEG_QUALITY, icc.as_deref())?,
        _ => encode_png(&image, icc.as_deref())?,
    };
    let thumbnail = make_thumbnail(&image, limits.thumb_side, icc.as_deref())?;
    Ok(Normalised {
        bytes,
        kind: out_kind,
        width: image.width(),
        height: image.height(),
        thumbnail,
    })
}

/// Thumbnail of an already-stored photo, for repairing a missing one.
pub(crate) fn thumbnail_of_stored(
    bytes: &[u8],
    kind: Kind,
    limits: &Limits,
) -> Result<Vec<u8>, FileError> {
    let Decoded { image, icc } = decode(bytes, kind, limits)?;
    make_thumbnail(&image, limits.thumb_side, icc.as_deref())
}

fn make_thumbnail(
    image: &DynamicImage,
    side: u32,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, FileError> {
    // Thumbnails are always RGB: a grey profile would not fit them.
    let icc = if image.color().has_color() { icc } else { None };
    let small = if image.width().max(image.height()) > side {
        image.thumbnail(side, side)
    } else {
        image.clone()
    };
    let flat = DynamicImage::ImageRgb8(flatten_on_white(&small));
    encode_jpeg(&flat, THUMB_JPEG_QUALITY, icc)
}

/// Whether a profile describes the colour space the pixels are re-encoded in. A CMYK JPEG
/// is decoded to RGB, so its CMYK profile must not be attached to the RGB output.
fn icc_fits(icc: &[u8], decoder: &impl ImageDecoder) -> bool {
    let space = icc.get(16..20);
    if decoder.color_type().has_color() {
        space == Some(b"RGB ")
    } else {
        space == Some(b"GRAY")
    }
}

fn has_transparency(image: &DynamicImage) -> bool {
    image.color().has_alpha() && image.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX)
}

/// JPEG has no alpha; transparent areas become white, as they look on the site's pages.
fn flatten_on_white(image: &DynamicImage) -> image::RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * u16::from(255 - a);
            // Rounded division by 255 stays within u8.
            u8::try_from((c + 127) / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// 8-bit grey or RGB, the colour types baseline JPEG holds.
fn jpeg_compatible(image: &DynamicImage) -> DynamicImage {
    if image.color().has_color() {
        DynamicImage::ImageRgb8(flatten_on_white(image))
    } else {
        DynamicImage::ImageLuma8(image.to_luma8())
    }
}

fn encode_jpeg(
    image: &DynamicImage,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    if let Some(icc) = icc {
        // Setting a profile cannot fail for JPEG; losing it would only shift colours.
        let _ = encoder.set_icc_profile(icc.to_vec());
    }
    image.write_with_encoder(encoder).map_err(decode_error)?;
    Ok(out)
}

fn encode_png(image: &DynamicImage, icc: Option<&[u8]>) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    let mut encoder =
        PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc.to_vec());
    }
    image.write_with_encoder(encoder).map_err(decode_error)?;
    Ok(out)
}
