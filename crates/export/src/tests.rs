#![allow(clippy::unwrap_used)]

use super::*;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::TimeZone;
use std::io::Cursor;

fn sample() -> Table {
    Table {
        title: "Kiến nghị: hàng đợi [xử lý] của Ủy ban nhân dân xã".into(),
        columns: vec![
            Column::new("Mã theo dõi", Kind::Text),
            Column::new("Số", Kind::Integer),
            Column::new("Tỷ lệ", Kind::Number),
            Column::new("Ngày nhận", Kind::Date),
            Column::new("Thời điểm", Kind::DateTime),
            Column::new("Kinh phí (đồng)", Kind::Vnd),
            Column::new("Quá hạn", Kind::Bool),
        ],
        rows: vec![
            vec![
                Cell::text("Đường ngập nước ở ấp Mỹ Hòa, thủy lợi"),
                Cell::Integer(42),
                Cell::Number(0.75),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()),
                Cell::DateTime(Utc.with_ymd_and_hms(2026, 3, 1, 20, 30, 0).unwrap()),
                Cell::vnd(1_500_000_000),
                Cell::Bool(true),
            ],
            vec![
                Cell::text("=HYPERLINK(\"http://evil\",\"bấm\")"),
                Cell::Empty,
                Cell::Number(-3.5),
                Cell::Empty,
                Cell::Empty,
                Cell::Vnd(250_000.5),
                Cell::Bool(false),
            ],
            vec![Cell::text("+cmd|' /C calc'!A0"), Cell::text("@SUM(1)")],
        ],
    }
}

#[test]
fn xlsx_reads_back_typed() {
    let bytes = to_xlsx(&sample()).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 1);
    let name = names[0].clone();
    assert!(name.encode_utf16().count() <= 31, "{name}");
    assert!(name.starts_with("Kiến nghị  hàng đợi"), "{name}");
    let range = wb.worksheet_range(&name).unwrap();
    assert_eq!(range.get_size(), (4, 7));
    assert_eq!(range.get((0, 0)), Some(&Data::String("Mã theo dõi".into())));
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::String(
            "Đường ngập nước ở ấp Mỹ Hòa, thủy lợi".into()
        ))
    );
    assert_eq!(range.get((1, 1)), Some(&Data::Float(42.0)));
    assert_eq!(range.get((1, 2)), Some(&Data::Float(0.75)));
    match range.get((1, 3)) {
        Some(Data::DateTime(d)) => {
            assert!(d.is_datetime());
            assert_eq!(
                d.as_datetime().unwrap().date(),
                NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()
            );
        }
        other => panic!("date cell: {other:?}"),
    }
    // 20:30 UTC is 03:30 the next day in Vietnam.
    match range.get((1, 4)) {
        Some(Data::DateTime(d)) => assert_eq!(
            d.as_datetime().unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 2)
                .unwrap()
                .and_hms_opt(3, 30, 0)
                .unwrap()
        ),
        other => panic!("datetime cell: {other:?}"),
    }
    assert_eq!(range.get((1, 5)), Some(&Data::Float(1_500_000_000.0)));
    assert_eq!(range.get((2, 5)), Some(&Data::Float(250_000.5)));
    assert_eq!(range.get((1, 6)), Some(&Data::Bool(true)));
    assert_eq!(range.get((2, 6)), Some(&Data::Bool(false)));
    // Formula-like text stays text, unaltered, and no cell holds a formula.
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("=HYPERLINK(\"http://evil\",\"bấm\")".into()))
    );
    assert_eq!(
        range.get((3, 0)),
        Some(&Data::String("+cmd|' /C calc'!A0".into()))
    );
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn xlsx_has_formats_freeze_and_filter() {
    let bytes = to_xlsx(&sample()).unwrap();
    let mut zip = ZipText::new(&bytes);
    let sheet = zip.file("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<autoFilter ref=\"A1:G4\""), "{sheet}");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    // Widths are set after the rows were streamed out, and still land in the sheet.
    assert!(sheet.contains("<cols><col "), "{sheet}");
    let styles = zip.file("xl/styles.xml");
    assert!(styles.contains("dd/mm/yyyy"));
    assert!(styles.contains("#,##0 &quot;₫&quot;"), "{styles}");
    assert!(styles.contains("<b/>"));
}

/// Reads named parts of the XLSX package (a zip): calamine does not expose the freeze
/// panes, filters or number formats, so the test looks at the XML itself.
struct ZipText<'a>(&'a [u8]);

impl<'a> ZipText<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        ZipText(bytes)
    }
    fn file(&mut self, name: &str) -> String {
        let mut z = zip::ZipArchive::new(Cursor::new(self.0)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }
}

#[test]
fn csv_has_bom_and_round_trips() {
    let bytes = to_csv(&sample());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[3..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "Mã theo dõi");
    assert_eq!(header[5], "Kinh phí (đồng)");
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        vec![
            "Đường ngập nước ở ấp Mỹ Hòa, thủy lợi",
            "42",
            "0.75",
            "2026-02-17",
            "2026-03-02 03:30:00",
            "1500000000",
            "Có"
        ]
    );
    assert_eq!(rows[1][0], "'=HYPERLINK(\"http://evil\",\"bấm\")");
    assert_eq!(rows[1][2], "-3.5", "numbers are not neutralised");
    assert_eq!(rows[1][5], "250000.5");
    assert_eq!(rows[2][0], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[2][1], "'@SUM(1)");
    assert_eq!(rows[2].len(), 7, "short rows are padded");
}

#[test]
fn sheet_names_follow_excels_rules() {
    assert_eq!(sheet_name("a/b:c"), "a b c");
    assert_eq!(sheet_name("'quoted'"), "quoted");
    assert_eq!(sheet_name(""), "Sheet1");
    assert_eq!(sheet_name("History"), "Sheet1");
    let long = sheet_name(&"Mô hình dân vận khéo ".repeat(5));
    assert!(long.encode_utf16().count() <= 31);
    assert!(!long.ends_with(' '));
    // Decomposed (NFD) text counts its combining marks.
    let nfd = "Ho\u{0300}a ".repeat(12);
    assert!(sheet_name(&nfd).encode_utf16().count() <= 31);
}

#[test]
fn content_disposition_has_ascii_and_utf8_names() {
    let h = content_disposition("kiến-nghị-2026.xlsx");
    assert_eq!(
        h,
        "attachment; filename=\"kien-nghi-2026.xlsx\"; filename*=UTF-8''ki%E1%BA%BFn-ngh%E1%BB%8B-2026.xlsx"
    );
    assert!(content_disposition("a\"b.csv").starts_with("attachment; filename=\"a_b.csv\""));
}

#[test]
fn empty_table_is_valid() {
    let t = Table {
        title: "Trống".into(),
        columns: vec![Column::new("Tên", Kind::Text)],
        rows: vec![],
    };
    let bytes = to_xlsx(&t).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("Trống").unwrap();
    assert_eq!(range.get((0, 0)), Some(&Data::String("Tên".into())));
    assert_eq!(to_csv(&t), "\u{FEFF}Tên\r\n".as_bytes());
}
