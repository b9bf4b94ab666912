//! Holidays and deadlines.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Days, NaiveDate, Weekday};
use danvan_calendar::{CalendarOverrides, DayKind, Holiday, WorkCalendar, statutory_holidays, tet};
use proptest::prelude::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dates_of(holidays: &[Holiday], kind: DayKind) -> Vec<NaiveDate> {
    holidays
        .iter()
        .filter(|h| h.kind == kind)
        .map(|h| h.date)
        .collect()
}

fn plain() -> WorkCalendar {
    WorkCalendar::new(CalendarOverrides::default())
}

#[test]
fn fixed_holidays_2025_2026() {
    for year in [2025, 2026] {
        let days = dates_of(&statutory_holidays(year), DayKind::Holiday);
        for (m, d) in [(1, 1), (4, 30), (5, 1), (9, 1), (9, 2)] {
            let day = NaiveDate::from_ymd_opt(year, m, d).unwrap();
            assert!(days.contains(&day), "{day} missing");
        }
        // 11 statutory days: 1 + 5 + 1 + 1 + 1 + 2.
        assert_eq!(days.len(), 11, "{year}: {days:?}");
    }
}

#[test]
fn tet_is_five_consecutive_days() {
    for year in [2025, 2026] {
        let t = tet(year);
        let tet_days: Vec<NaiveDate> = statutory_holidays(year)
            .into_iter()
            .filter(|h| h.kind == DayKind::Holiday && h.name_vi.starts_with("Tết Âm lịch"))
            .map(|h| h.date)
            .collect();
        let expected: Vec<NaiveDate> = (0..5)
            .map(|i| t.pred_opt().unwrap() + Days::new(i))
            .collect();
        assert_eq!(tet_days, expected, "{year}");
    }
}

#[test]
fn holidays_2025() {
    let h = statutory_holidays(2025);
    // Tết 28/1 (29 tháng Chạp) – 1/2; 1/2 is a Saturday, so Monday 3/2 is off in compensation.
    assert_eq!(
        dates_of(&h, DayKind::Holiday)[1..6],
        [
            date("2025-01-28"),
            date("2025-01-29"),
            date("2025-01-30"),
            date("2025-01-31"),
            date("2025-02-01")
        ]
    );
    assert!(h[1].name_vi.contains("29 tháng Chạp"), "{:?}", h[1]);
    assert_eq!(dates_of(&h, DayKind::Compensatory), [date("2025-02-03")]);
    assert!(dates_of(&h, DayKind::Holiday).contains(&date("2025-04-07")));
}

#[test]
fn holidays_2026_hung_kings_on_sunday() {
    let h = statutory_holidays(2026);
    let hung = h.iter().find(|h| h.date == date("2026-04-26")).unwrap();
    assert_eq!(hung.kind, DayKind::Holiday);
    assert!(hung.name_vi.starts_with("Giỗ Tổ Hùng Vương"));
    assert_eq!(date("2026-04-26").weekday(), Weekday::Sun);
    assert_eq!(dates_of(&h, DayKind::Compensatory), [date("2026-04-27")]);
    let cal = plain();
    assert_eq!(cal.day_kind(date("2026-04-27")), DayKind::Compensatory);
    assert!(!cal.is_working_day(date("2026-04-27")));
    assert!(cal.is_working_day(date("2026-04-28")));
}

#[test]
fn compensatory_days_skip_the_rest_of_tet() {
    // Tết 2024: 9/2 (Fri) to 13/2 (Tue) with 10/2 and 11/2 on the weekend: 14/2 and 15/2 are off in compensation.
    // 1/9/2024 (the default extra Quốc khánh day) is a Sunday and 2/9 a Monday holiday, so 3/9 is off.
    let h = statutory_holidays(2024);
    assert_eq!(
        dates_of(&h, DayKind::Compensatory),
        [date("2024-02-14"), date("2024-02-15"), date("2024-09-03")]
    );
}

#[test]
fn deadline_on_saturday_moves_to_monday() {
    let cal = plain();
    // Wednesday 5/3/2025 + 10 days = Saturday 15/3.
    assert_eq!(
        cal.deadline(date("2025-03-05"), 10, false),
        date("2025-03-17")
    );
    // The first day is not counted: Friday + 1 calendar day is Saturday, so Monday.
    assert_eq!(
        cal.deadline(date("2025-03-07"), 1, false),
        date("2025-03-10")
    );
    assert_eq!(
        cal.deadline(date("2025-03-07"), 1, true),
        date("2025-03-10")
    );
    // A weekday end stays.
    assert_eq!(
        cal.deadline(date("2025-03-05"), 7, false),
        date("2025-03-12")
    );
    assert_eq!(
        cal.deadline(date("2025-03-05"), 0, true),
        date("2025-03-05")
    );
}

#[test]
fn deadlines_across_tet_2025() {
    let cal = plain();
    // Off: 28/1–1/2 Tết, 1/2–2/2 weekend, 3/2 compensatory.
    assert_eq!(
        cal.deadline(date("2025-01-20"), 10, false),
        date("2025-02-04")
    );
    // Friday 24/1: working days 27/1, 4/2, 5/2, 6/2, 7/2.
    assert_eq!(
        cal.deadline(date("2025-01-24"), 5, true),
        date("2025-02-07")
    );
}

#[test]
fn make_up_saturday_counts() {
    // An entered swap: Monday 27/1/2025 off, worked back on Saturday 8/2/2025.
    let cal = WorkCalendar::new(CalendarOverrides {
        days_off: vec![(date("2025-01-27"), "Hoán đổi ngày làm việc".into())],
        workdays: vec![(date("2025-02-08"), "Làm bù cho ngày 27/1".into())],
    });
    assert_eq!(cal.day_kind(date("2025-01-27")), DayKind::OfficialDayOff);
    assert_eq!(cal.day_kind(date("2025-02-08")), DayKind::MakeUpWorkday);
    assert!(cal.is_working_day(date("2025-02-08")));
    // Thursday 6/2 + 2 working days: 7/2 (Fri), 8/2 (the make-up Saturday).
    assert_eq!(
        cal.deadline(date("2025-02-06"), 2, true),
        date("2025-02-08")
    );
    assert_eq!(
        plain().deadline(date("2025-02-06"), 2, true),
        date("2025-02-10")
    );
    // A calendar-day deadline may end on it too.
    assert_eq!(
        cal.deadline(date("2025-02-01"), 7, false),
        date("2025-02-08")
    );
    // Friday 24/1 + 5 working days now skips 27/1 as well.
    assert_eq!(
        cal.deadline(date("2025-01-24"), 5, true),
        date("2025-02-08")
    );
}

#[test]
fn moving_the_quoc_khanh_day_and_listing_holidays() {
    // A decision giving 3/9 instead of 1/9 (2026: Tue 1/9, Wed 2/9, Thu 3/9).
    let cal = WorkCalendar::new(CalendarOverrides {
        days_off: vec![(
            date("2026-09-03"),
            "Quốc khánh (ngày liền kề theo quyết định)".into(),
        )],
        workdays: vec![(date("2026-09-01"), "1/9 làm việc".into())],
    });
    assert!(cal.is_working_day(date("2026-09-01")));
    assert!(!cal.is_working_day(date("2026-09-03")));
    let listed = cal.holidays(2026);
    let dates: Vec<NaiveDate> = listed.iter().map(|h| h.date).collect();
    assert!(!dates.contains(&date("2026-09-01")));
    assert!(dates.contains(&date("2026-09-03")));
    assert!(
        dates.windows(2).all(|w| w[0] < w[1]),
        "sorted, one per date"
    );
    assert_eq!(listed.len(), statutory_holidays(2026).len());
}

#[test]
fn entered_day_off_on_a_holiday_keeps_the_statutory_name() {
    let cal = WorkCalendar::new(CalendarOverrides {
        days_off: vec![
            (date("2026-01-01"), "Nghỉ".into()),
            (date("2025-12-31"), "Other year".into()),
        ],
        workdays: vec![],
    });
    let listed = cal.holidays(2026);
    assert_eq!(listed[0].name_vi, "Tết Dương lịch");
    assert_eq!(listed[0].kind, DayKind::Holiday);
    assert!(listed.iter().all(|h| h.date.year() == 2026));
}

fn day_2020s() -> impl Strategy<Value = NaiveDate> {
    (0u64..=3_650).prop_map(|n| date("2020-01-01") + Days::new(n))
}

/// A calendar with a few entered days off and make-up days near 2020–2030.
fn calendar() -> impl Strategy<Value = WorkCalendar> {
    (
        proptest::collection::vec(day_2020s(), 0..6),
        proptest::collection::vec(day_2020s(), 0..6),
    )
        .prop_map(|(off, work)| {
            WorkCalendar::new(CalendarOverrides {
                days_off: off.into_iter().map(|d| (d, "off".into())).collect(),
                workdays: work.into_iter().map(|d| (d, "work".into())).collect(),
            })
        })
}

proptest! {
    #[test]
    fn calendar_deadline_not_before_from_plus_n(cal in calendar(), from in day_2020s(), n in 0u32..120) {
        let d = cal.deadline(from, n, false);
        prop_assert!(d >= from + Days::new(n.into()));
        prop_assert!(cal.is_working_day(d));
        // Nothing skipped but days off.
        let mut x = from + Days::new(n.into());
        while x < d {
            prop_assert!(!cal.is_working_day(x));
            x = x.succ_opt().unwrap();
        }
    }

    #[test]
    fn working_deadline_counts_n_working_days(cal in calendar(), from in day_2020s(), n in 1u32..80) {
        let d = cal.deadline(from, n, true);
        prop_assert!(cal.is_working_day(d));
        let mut count = 0;
        let mut x = from;
        while x < d {
            x = x.succ_opt().unwrap();
            if cal.is_working_day(x) {
                count += 1;
            }
        }
        prop_assert_eq!(count, n);
    }

    #[test]
    fn holidays_are_sorted_in_year_and_not_worked(cal in calendar(), year in 2020i32..=2030) {
        let list = cal.holidays(year);
        prop_assert!(list.windows(2).all(|w| w[0].date < w[1].date));
        for h in &list {
            prop_assert_eq!(h.date.year(), year);
            prop_assert!(!cal.is_working_day(h.date));
        }
        for h in statutory_holidays(year).iter().filter(|h| h.kind == DayKind::Compensatory) {
            prop_assert!(!matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun));
        }
    }
}
