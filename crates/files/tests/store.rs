//! End-to-end behaviour of `FileStore` on a temporary directory, with test files made in code.

use std::io::Cursor;
use std::path::Path;

use danvan_files::{FileError, FileStore, Limits, StoredFile, sniff_mime};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use sha2::{Digest, Sha256};

const SECRET: &[u8] = b"GPSLatitude DANVAN-SECRET 21.0285N 105.8542E";

fn store() -> (tempfile::TempDir, FileStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::new(dir.path()).expect("open store");
    (dir, store)
}

fn store_with(limits: Limits) -> (tempfile::TempDir, FileStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FileStore::with_limits(dir.path(), limits).expect("open store");
    (dir, store)
}

fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128])
    })
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(img)
        .expect("encode jpeg");
    out
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("decode stored image")
}

/// An APP1 EXIF segment: big-endian TIFF header, one IFD with the given entries, then
/// free text (where a real file has its GPS IFD).
fn exif_segment(entries: &[[u8; 12]], trailing: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0MM\0\x2A\0\0\0\x08".to_vec();
    payload.extend((entries.len() as u16).to_be_bytes());
    for e in entries {
        payload.extend(e);
    }
    payload.extend([0, 0, 0, 0]);
    payload.extend(trailing);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend(((payload.len() + 2) as u16).to_be_bytes());
    seg.extend(payload);
    seg
}

/// Inserts a segment right after SOI, where cameras put EXIF.
fn splice_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
    out
}

fn small_png() -> Vec<u8> {
    let img = RgbaImage::from_fn(64, 48, |x, y| Rgba([x as u8 * 4, y as u8 * 5, 200, 255]));
    encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png)
}

fn minimal_pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for obj in [
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n",
    ] {
        offsets.push(pdf.len());
        pdf.extend(obj.as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(b"xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    pdf
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn new_creates_layout() {
    let (dir, _store) = store();
    assert!(dir.path().join("files").is_dir());
    assert!(dir.path().join("thumbs").is_dir());
}

#[test]
fn large_camera_jpeg_is_downscaled_stripped_and_thumbnailed() {
    let (dir, store) = store();
    let original = jpeg(&gradient(3000, 2000));
    let upload = splice_after_soi(&original, &exif_segment(&[], SECRET));
    assert!(contains(&upload, SECRET));
    assert!(contains(&upload, b"GPS"));
    // The EXIF-bearing upload is a valid JPEG that the decoder accepts as is.
    assert_eq!(decode(&upload).dimensions(), (3000, 2000));

    let stored = store.store(&upload).expect("store jpeg");
    assert_eq!(stored.mime, "image/jpeg");
    assert_eq!(stored.width, Some(2560));
    let h = stored.height.expect("height");
    assert!((1706..=1707).contains(&h), "height {h}");
    assert!(stored.has_thumbnail);

    let bytes = store.read(&stored.sha256).expect("read");
    assert_eq!(stored.size, bytes.len() as u64);
    assert_eq!(
        stored.sha256,
        sha_hex(&bytes),
        "id is the hash of stored bytes"
    );
    assert!(!contains(&bytes, SECRET), "EXIF text must be gone");
    assert!(!contains(&bytes, b"Exif\0\0"), "no EXIF segment at all");
    assert!(!contains(&bytes, b"GPS"));
    assert_eq!(sniff_mime(&bytes), Some("image/jpeg"));

    // Pixels survive: the gradient's corners keep their colours.
    let img = decode(&bytes).to_rgb8();
    assert_eq!(img.dimensions(), (2560, h));
    let tl = img.get_pixel(5, 5).0;
    let br = img.get_pixel(2554, h - 6).0;
    assert!(tl[0] < 20 && tl[1] < 20, "{tl:?}");
    assert!(br[0] > 235 && br[1] > 235, "{br:?}");

    let thumb = store.read_thumbnail(&stored.sha256).expect("thumbnail");
    assert_eq!(sniff_mime(&thumb), Some("image/jpeg"));
    assert!(!contains(&thumb, SECRET));
    let t = decode(&thumb);
    assert_eq!(t.width().max(t.height()), 480);
    assert!((319..=321).contains(&t.height()), "{}", t.height());
    assert!(thumb.len() < bytes.len());

    // Layout: files/<2 hex>/<sha>, thumbs/<2 hex>/<sha>.jpg, no temp files left behind.
    let prefix = &stored.sha256[..2];
    let file_path = dir.path().join("files").join(prefix).join(&stored.sha256);
    let thumb_path = dir
        .path()
        .join("thumbs")
        .join(prefix)
        .join(format!("{}.jpg", stored.sha256));
    assert_eq!(std::fs::read(&file_path).expect("file on disk"), bytes);
    assert_eq!(std::fs::read(&thumb_path).expect("thumb on disk"), thumb);
    assert_eq!(files_under(&dir.path().join("files")), vec![file_path]);
    assert_eq!(files_under(&dir.path().join("thumbs")), vec![thumb_path]);
    assert!(store.exists(&stored.sha256));
}

#[test]
fn exif_orientation_is_applied_before_it_is_dropped() {
    let (_dir, store) = store();
    // Orientation 6: the camera was turned, viewers rotate 90° clockwise.
    let orientation: [u8; 12] = [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0];
    let upload = splice_after_soi(
        &jpeg(&gradient(300, 200)),
        &exif_segment(&[orientation], b""),
    );
    let stored = store.store(&upload).expect("store");
    assert_eq!((stored.width, stored.height), (Some(200), Some(300)));
    let img = decode(&store.read(&stored.sha256).expect("read"));
    assert_eq!(img.dimensions(), (200, 300));
}

#[test]
fn png_stays_png_and_loses_text_chunks() {
    let (_dir, store) = store();
    let png = small_png();
    // A tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR chunk).
    let mut upload = png[..33].to_vec();
    upload.extend(png_chunk(
        b"tEXt",
        &[b"Comment\0".as_slice(), SECRET].concat(),
    ));
    upload.extend(&png[33..]);
    assert_eq!(decode(&upload).dimensions(), (64, 48));

    let stored = store.store(&upload).expect("store png");
    assert_eq!(stored.mime, "image/png");
    assert_eq!((stored.width, stored.height), (Some(64), Some(48)));
    assert!(stored.has_thumbnail);
    let bytes = store.read(&stored.sha256).expect("read");
    assert!(!contains(&bytes, SECRET));
    // PNG is lossless: pixels are identical.
    assert_eq!(decode(&bytes).to_rgba8(), decode(&png).to_rgba8());
    // Small photos are not upscaled for their thumbnail.
    let t = decode(&store.read_thumbnail(&stored.sha256).expect("thumb"));
    assert_eq!(t.dimensions(), (64, 48));
}

#[test]
fn transparent_png_keeps_alpha_and_thumbnail_is_flattened_on_white() {
    let (_dir, store) = store();
    let img = RgbaImage::from_fn(40, 40, |x, _| Rgba([0, 0, 0, if x < 20 { 0 } else { 255 }]));
    let stored = store
        .store(&encode(
            &DynamicImage::ImageRgba8(img.clone()),
            ImageFormat::Png,
        ))
        .expect("store");
    assert_eq!(stored.mime, "image/png");
    let back = decode(&store.read(&stored.sha256).expect("read")).to_rgba8();
    assert_eq!(back, img);
    let thumb = decode(&store.read_thumbnail(&stored.sha256).expect("thumb")).to_rgb8();
    assert!(
        thumb.get_pixel(5, 20).0.iter().all(|&c| c > 240),
        "transparent → white"
    );
    assert!(
        thumb.get_pixel(35, 20).0.iter().all(|&c| c < 15),
        "opaque black stays"
    );
}

#[test]
fn type_comes_from_magic_bytes_only() {
    let (_dir, store) = store();
    // Whatever a client called it (there is no name in the API), a PNG is a PNG...
    assert_eq!(store.store(&small_png()).expect("png").mime, "image/png");
    // ...and a PDF is a PDF.
    assert_eq!(
        store.store(&minimal_pdf()).expect("pdf").mime,
        "application/pdf"
    );
    assert_eq!(
        store.store(&jpeg(&gradient(20, 10))).expect("jpeg").mime,
        "image/jpeg"
    );
}

#[test]
fn webp_becomes_jpeg_or_png_with_transparency() {
    let (_dir, store) = store();
    let opaque = encode(
        &DynamicImage::ImageRgb8(gradient(120, 80)),
        ImageFormat::WebP,
    );
    assert_eq!(&opaque[8..12], b"WEBP");
    let stored = store.store(&opaque).expect("opaque webp");
    assert_eq!(stored.mime, "image/jpeg");
    assert_eq!((stored.width, stored.height), (Some(120), Some(80)));
    assert_eq!(
        sniff_mime(&store.read(&stored.sha256).expect("read")),
        Some("image/jpeg")
    );

    let clear = RgbaImage::from_fn(30, 30, |x, _| Rgba([10, 20, 30, (x * 8) as u8]));
    let transparent = encode(&DynamicImage::ImageRgba8(clear.clone()), ImageFormat::WebP);
    let stored = store.store(&transparent).expect("transparent webp");
    assert_eq!(stored.mime, "image/png");
    assert_eq!(
        decode(&store.read(&stored.sha256).expect("read")).to_rgba8(),
        clear
    );
}

#[test]
fn pdf_is_stored_as_given() {
    let (dir, store) = store();
    let pdf = minimal_pdf();
    let stored = store.store(&pdf).expect("store pdf");
    assert_eq!(
        stored,
        StoredFile {
            sha256: sha_hex(&pdf),
            size: pdf.len() as u64,
            mime: "application/pdf",
            width: None,
            height: None,
            has_thumbnail: false,
        }
    );
    assert_eq!(store.read(&stored.sha256).expect("read"), pdf);
    assert!(matches!(
        store.read_thumbnail(&stored.sha256),
        Err(FileError::NotFound)
    ));
    assert!(
        dir.path()
            .join("files")
            .join(&stored.sha256[..2])
            .join(&stored.sha256)
            .is_file()
    );
    assert!(files_under(&dir.path().join("thumbs")).is_empty());
}

#[test]
fn truncated_pdf_is_corrupt() {
    let (_dir, store) = store();
    let pdf = minimal_pdf();
    let cut = &pdf[..pdf.len() - 10];
    assert!(matches!(store.store(cut), Err(FileError::Corrupt)));
}

#[test]
fn other_types_are_refused() {
    let (dir, store) = store();
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
    let text = "Báo cáo kết quả mô hình dân vận khéo".as_bytes().to_vec();
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
    let elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    assert!(sniff_mime(&random).is_none());
    for (name, bytes) in [
        ("gif", gif),
        ("svg", svg),
        ("html", html),
        ("text", text),
        ("exe", exe),
        ("elf", elf),
        ("random", random),
    ] {
        let err = store.store(&bytes).expect_err(name);
        assert!(matches!(err, FileError::UnsupportedType), "{name}: {err:?}");
        assert_eq!(err.code(), "unsupported_file_type");
    }
    assert!(files_under(&dir.path().join("files")).is_empty());
}

#[test]
fn empty_is_refused() {
    let (_dir, store) = store();
    let err = store.store(&[]).expect_err("empty");
    assert!(matches!(err, FileError::Empty));
    assert_eq!(err.message_vi(), "Tệp rỗng.");
}

#[test]
fn too_large_is_refused_before_decoding() {
    let (_dir, store) = store();
    let err = store
        .store(&vec![0u8; 10 * 1024 * 1024 + 1])
        .expect_err("too large");
    assert!(matches!(err, FileError::TooLarge { max_bytes } if max_bytes == 10 * 1024 * 1024));
    assert_eq!(err.message_vi(), "Tệp quá lớn (tối đa 10 MB).");

    // A garbage "JPEG" over the limit is TooLarge, not Corrupt: size is checked first.
    let (_dir, small) = store_with(Limits {
        max_bytes: 1000,
        ..Limits::default()
    });
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.resize(1001, 0);
    assert!(matches!(
        small.store(&fake),
        Err(FileError::TooLarge { max_bytes: 1000 })
    ));
    // Exactly at the limit is allowed through to decoding.
    fake.truncate(1000);
    assert!(matches!(small.store(&fake), Err(FileError::Corrupt)));
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let (dir, store) = store();
    let full = jpeg(&gradient(600, 400));
    for cut in [full.len() / 2, 300, 20] {
        let err = store.store(&full[..cut]).expect_err("truncated");
        assert!(matches!(err, FileError::Corrupt), "cut at {cut}: {err:?}");
    }
    assert!(files_under(&dir.path().join("files")).is_empty());
}

#[test]
fn truncated_png_and_webp_are_corrupt() {
    let (_dir, store) = store();
    let png = encode(
        &DynamicImage::ImageRgb8(gradient(300, 200)),
        ImageFormat::Png,
    );
    let webp = encode(
        &DynamicImage::ImageRgb8(gradient(300, 200)),
        ImageFormat::WebP,
    );
    for (name, full) in [("png", png), ("webp", webp)] {
        for cut in [full.len() - 13, full.len() / 2, 40] {
            let err = store.store(&full[..cut]).expect_err(name);
            assert!(
                matches!(err, FileError::Corrupt),
                "{name} cut at {cut}: {err:?}"
            );
        }
    }
}

#[test]
fn corrupt_png_is_corrupt() {
    let (_dir, store) = store();
    let mut png = small_png();
    let n = png.len();
    // Clobber the compressed image data (between IHDR and IEND).
    for b in &mut png[45..n - 20] {
        *b = 0x5A;
    }
    assert!(matches!(store.store(&png), Err(FileError::Corrupt)));
}

/// A PNG whose header claims 100000×100000 RGBA (40 GB decoded) with almost no data.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn pixel_bomb_png_is_refused_from_its_header() {
    let (_dir, store) = store();
    let bomb = png_bomb();
    assert!(bomb.len() < 100);
    let started = std::time::Instant::now();
    let err = store.store(&bomb).expect_err("bomb");
    assert!(matches!(err, FileError::TooManyPixels), "{err:?}");
    assert_eq!(err.code(), "image_too_large");
    assert_eq!(err.message_vi(), "Ảnh quá lớn (quá nhiều điểm ảnh).");
    // Allocating (let alone filling) 40 GB would not return this fast, if at all.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn pixel_bomb_jpeg_is_refused_from_its_header() {
    let (_dir, store) = store();
    let mut bomb = jpeg(&gradient(16, 16));
    let sof = bomb
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline SOF0");
    bomb[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    bomb[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    let err = store.store(&bomb).expect_err("bomb");
    assert!(matches!(err, FileError::TooManyPixels), "{err:?}");
}

#[test]
fn pixel_limit_is_configurable() {
    let (_dir, store) = store_with(Limits {
        max_pixels: 64 * 48 - 1,
        ..Limits::default()
    });
    assert!(matches!(
        store.store(&small_png()),
        Err(FileError::TooManyPixels)
    ));
    let (_dir, store) = store_with(Limits {
        max_pixels: 64 * 48,
        ..Limits::default()
    });
    assert!(store.store(&small_png()).is_ok());
}

#[test]
fn custom_sides() {
    let (_dir, store) = store_with(Limits {
        max_side: 100,
        thumb_side: 32,
        ..Limits::default()
    });
    let stored = store.store(&jpeg(&gradient(150, 300))).expect("store");
    assert_eq!((stored.width, stored.height), (Some(50), Some(100)));
    let t = decode(&store.read_thumbnail(&stored.sha256).expect("thumb"));
    assert_eq!(t.dimensions(), (16, 32));
}

#[test]
fn storing_twice_is_idempotent() {
    let (dir, store) = store();
    let upload = splice_after_soi(&jpeg(&gradient(800, 600)), &exif_segment(&[], SECRET));
    let first = store.store(&upload).expect("first");
    let files_before = files_under(dir.path());
    let modified = std::fs::metadata(&files_before[0])
        .expect("meta")
        .modified()
        .expect("mtime");
    let second = store.store(&upload).expect("second");
    assert_eq!(first, second);
    assert_eq!(files_under(dir.path()), files_before);
    assert_eq!(
        std::fs::metadata(&files_before[0])
            .expect("meta")
            .modified()
            .expect("mtime"),
        modified,
        "nothing rewritten"
    );

    // Uploading the stored bytes again (e.g. a downloaded copy) is the same file too,
    // not a re-encoded generation.
    let stored_bytes = store.read(&first.sha256).expect("read");
    assert_eq!(store.store(&stored_bytes).expect("re-upload"), first);
    assert_eq!(files_under(dir.path()), files_before);

    let pdf = minimal_pdf();
    assert_eq!(
        store.store(&pdf).expect("pdf"),
        store.store(&pdf).expect("pdf again")
    );
}

#[test]
fn missing_thumbnail_is_rebuilt_on_next_store() {
    let (dir, store) = store();
    let stored = store.store(&small_png()).expect("store");
    let thumb_path = dir
        .path()
        .join("thumbs")
        .join(&stored.sha256[..2])
        .join(format!("{}.jpg", stored.sha256));
    std::fs::remove_file(&thumb_path).expect("remove thumb");
    let bytes = store.read(&stored.sha256).expect("read");
    assert_eq!(store.store(&bytes).expect("again"), stored);
    assert!(thumb_path.is_file());
}

#[test]
fn ids_are_validated_before_touching_paths() {
    let (dir, store) = store();
    std::fs::write(dir.path().join("secret"), b"x").expect("write");
    let stored = store.store(&small_png()).expect("store");
    let upper = stored.sha256.to_uppercase();
    for id in [
        "../etc/passwd",
        "../secret",
        "/etc/passwd",
        upper.as_str(),
        &stored.sha256[..63],
        &format!("{}0", stored.sha256),
        "",
        &format!("{}/..", &stored.sha256[..61]),
    ] {
        assert!(matches!(store.read(id), Err(FileError::InvalidId)), "{id}");
        assert!(
            matches!(store.read_thumbnail(id), Err(FileError::InvalidId)),
            "{id}"
        );
        assert!(!store.exists(id), "{id}");
    }
    assert_eq!(FileError::InvalidId.code(), "invalid_id");
}

#[test]
fn unknown_id_is_not_found() {
    let (_dir, store) = store();
    let id = "0".repeat(64);
    assert!(!store.exists(&id));
    assert!(matches!(store.read(&id), Err(FileError::NotFound)));
    assert!(matches!(
        store.read_thumbnail(&id),
        Err(FileError::NotFound)
    ));
}

#[test]
fn store_reopens_existing_root() {
    let dir = tempfile::tempdir().expect("temp dir");
    let id = FileStore::new(dir.path())
        .expect("open")
        .store(&minimal_pdf())
        .expect("store")
        .sha256;
    let reopened = FileStore::new(dir.path()).expect("reopen");
    assert!(reopened.exists(&id));
}
