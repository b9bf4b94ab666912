//! The lunar calendar against known dates and its own invariants.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Days, NaiveDate};
use danvan_calendar::{LunarDate, hung_kings, lunar_to_solar, solar_to_lunar, tet};
use proptest::prelude::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn lunar(day: u32, month: u32, year: i32, leap: bool) -> LunarDate {
    LunarDate {
        day,
        month,
        year,
        leap,
    }
}

#[test]
fn reference_csv_tet_and_hung_kings() {
    let csv = include_str!("data/lunar_reference.csv");
    let mut rows = 0;
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let year: i32 = f[0].parse().unwrap();
        let (tet_date, hung_date) = (date(f[1]), date(f[3]));
        assert_eq!(tet(year), tet_date, "Tết {year}");
        assert_eq!(
            tet_date.weekday().to_string(),
            f[2][..3],
            "weekday in CSV, Tết {year}"
        );
        assert_eq!(hung_kings(year), hung_date, "Giỗ Tổ {year}");
        assert_eq!(
            hung_date.weekday().to_string(),
            f[4][..3],
            "weekday in CSV, Giỗ Tổ {year}"
        );
        assert_eq!(solar_to_lunar(tet_date), lunar(1, 1, year, false));
        assert_eq!(solar_to_lunar(hung_date), lunar(10, 3, year, false));
        rows += 1;
    }
    assert_eq!(rows, 7);
}

#[test]
fn tet_known_dates() {
    for (year, expected) in [
        (2024, "2024-02-10"),
        (2025, "2025-01-29"),
        (2026, "2026-02-17"),
        (2000, "2000-02-05"),
        (2010, "2010-02-14"),
        (2015, "2015-02-19"),
        (2019, "2019-02-05"),
        (2020, "2020-01-25"),
        (2023, "2023-01-22"),
    ] {
        assert_eq!(tet(year), date(expected), "Tết {year}");
    }
}

#[test]
fn tet_differs_from_china_where_utc7_matters() {
    // China (UTC+8): 2007-02-18, 1985-02-20, 1968-01-30.
    assert_eq!(tet(2007), date("2007-02-17"));
    assert_eq!(tet(1985), date("1985-01-21"));
    // Tết Mậu Thân in North Vietnam, which had just moved to its own UTC+7 calendar.
    assert_eq!(tet(1968), date("1968-01-29"));
}

#[test]
fn known_leap_months() {
    // 2020 had a leap 4th month, 2023 a leap 2nd, 2025 a leap 6th.
    for (l, start) in [
        (lunar(1, 4, 2020, true), "2020-05-23"),
        (lunar(1, 2, 2023, true), "2023-03-22"),
        (lunar(1, 6, 2025, true), "2025-07-25"),
    ] {
        assert_eq!(lunar_to_solar(l), Some(date(start)), "{l:?}");
        assert_eq!(solar_to_lunar(date(start)), l);
    }
    // A year without a leap month, and a year with one but not of that number.
    assert_eq!(lunar_to_solar(lunar(1, 4, 2024, true)), None);
    assert_eq!(lunar_to_solar(lunar(1, 5, 2025, true)), None);
}

#[test]
fn invalid_lunar_dates_are_none() {
    assert_eq!(lunar_to_solar(lunar(0, 1, 2025, false)), None);
    assert_eq!(lunar_to_solar(lunar(31, 1, 2025, false)), None);
    assert_eq!(lunar_to_solar(lunar(1, 13, 2025, false)), None);
    assert_eq!(lunar_to_solar(lunar(1, 0, 2025, false)), None);
    // Tháng Chạp of Giáp Thìn (2024) has 29 days: Tết 2025 is the day after the 29th.
    assert_eq!(
        lunar_to_solar(lunar(29, 12, 2024, false)),
        Some(date("2025-01-28"))
    );
    assert_eq!(lunar_to_solar(lunar(30, 12, 2024, false)), None);
    assert_eq!(lunar_to_solar(lunar(1, 1, i32::MAX, false)), None);
}

/// Every day 1900–2100: the round trip, the day range, and that consecutive days continue the month or start one.
#[test]
fn every_day_1900_to_2100() {
    let mut d = date("1900-01-01");
    let end = date("2100-12-31");
    let mut prev = solar_to_lunar(d);
    let mut tets = 0;
    while d < end {
        d = d.succ_opt().unwrap();
        let l = solar_to_lunar(d);
        assert!((1..=30).contains(&l.day), "{d}: {l:?}");
        assert_eq!(lunar_to_solar(l), Some(d), "{d}: {l:?}");
        if l.day == 1 {
            assert!(
                prev.day == 29 || prev.day == 30,
                "{d}: month after {prev:?}"
            );
            let expected_next = if l.leap {
                l.month == prev.month && !prev.leap
            } else {
                l.month == prev.month % 12 + 1
            };
            assert!(expected_next, "{d}: {prev:?} then {l:?}");
            if l.month == 1 && !l.leap {
                assert_eq!(l.year, prev.year + 1, "{d}");
                assert_eq!(tet(l.year), d);
                tets += 1;
            } else {
                assert_eq!(l.year, prev.year, "{d}");
            }
        } else {
            assert_eq!(
                l,
                lunar(prev.day + 1, prev.month, prev.year, prev.leap),
                "{d}"
            );
        }
        prev = l;
    }
    assert_eq!(tets, 201);
}

#[test]
fn tet_window_every_year() {
    for year in 1900..=2100 {
        let t = tet(year);
        assert!(
            t >= date(&format!("{year}-01-21")) && t <= date(&format!("{year}-02-20")),
            "{year}: {t}"
        );
        assert_eq!(solar_to_lunar(t), lunar(1, 1, year, false));
        let eve = solar_to_lunar(t.pred_opt().unwrap());
        assert_eq!((eve.month, eve.year), (12, year - 1), "{year}");
        assert_eq!(
            lunar_to_solar(lunar(10, 3, year, false)),
            Some(hung_kings(year))
        );
    }
}

fn day_1900_2100() -> impl Strategy<Value = NaiveDate> {
    // 1900-01-01 plus up to 73 413 days is 2100-12-31.
    (0u64..=73_413).prop_map(|n| date("1900-01-01").checked_add_days(Days::new(n)).unwrap())
}

proptest! {
    #[test]
    fn solar_lunar_round_trip(d in day_1900_2100()) {
        let l = solar_to_lunar(d);
        prop_assert!((1..=30).contains(&l.day));
        prop_assert!((1..=12).contains(&l.month));
        prop_assert_eq!(lunar_to_solar(l), Some(d));
    }

    #[test]
    fn consecutive_days(d in day_1900_2100()) {
        let (a, b) = (solar_to_lunar(d), solar_to_lunar(d.succ_opt().unwrap()));
        prop_assert!(b.day == a.day + 1 && (b.month, b.leap, b.year) == (a.month, a.leap, a.year) || b.day == 1);
    }

    #[test]
    fn lunar_solar_round_trip(year in 1900i32..=2100, month in 1u32..=12, day in 1u32..=30, leap: bool) {
        let l = lunar(day, month, year, leap);
        match lunar_to_solar(l) {
            Some(d) => prop_assert_eq!(solar_to_lunar(d), l),
            // Only day 30 of a short month or a leap month the year lacks can be missing.
            None => prop_assert!(day == 30 || leap),
        }
    }

    #[test]
    fn tet_in_window_and_its_year(year in 1900i32..=2100) {
        let t = tet(year);
        prop_assert_eq!(t.year(), year);
        prop_assert!((t.month(), t.day()) >= (1, 21) && (t.month(), t.day()) <= (2, 20));
        prop_assert_eq!(solar_to_lunar(t).year, year);
    }
}
