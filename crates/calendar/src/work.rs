//! Statutory holidays and the working-day calendar that petition deadlines are counted in.
//!
//! The law fixes which holidays there are (Labour Code 2019, Art. 112) but leaves the exact Tết days and the second
//! Quốc khánh day to the Prime Minister's yearly decision, and ministries and provinces then swap days off against
//! make-up Saturdays. So the calendar is a computed default plus what the province enters each year
//! ([`CalendarOverrides`]); what is entered wins.
//!
//! Weekly rest days are Saturday and Sunday, the 40-hour week of state agencies.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::lunar::{hung_kings, solar_to_lunar, tet};

/// What a day is in the working calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday to Friday.
    Workday,
    /// Saturday or Sunday, the weekly rest.
    Weekend,
    /// A statutory holiday of Art. 112(1), including the default Tết and Quốc khánh days.
    Holiday,
    /// A day off in compensation for a holiday on a weekend (Art. 111(3)).
    Compensatory,
    /// A day off entered by the province (a Tết swap, a local decision).
    OfficialDayOff,
    /// A day entered as worked, usually a Saturday given in exchange for a day off.
    MakeUpWorkday,
}

impl DayKind {
    /// Whether deadlines count this day.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday)
    }
}

/// A day off with its name in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    /// [`DayKind::Holiday`], [`DayKind::Compensatory`] or [`DayKind::OfficialDayOff`].
    pub kind: DayKind,
}

impl Holiday {
    fn new(
        date: NaiveDate,
        name_vi: impl Into<String>,
        name_en: impl Into<String>,
        kind: DayKind,
    ) -> Self {
        Self {
            date,
            name_vi: name_vi.into(),
            name_en: name_en.into(),
            kind,
        }
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory holidays of Labour Code 2019 Art. 112(1) in Gregorian `year`, with the compensatory days of
/// Art. 111(3), sorted by date. Every date lies in `year` (Tết's eve is 20 January at the earliest).
///
/// Defaults where the Prime Minister decides each year (enter the real decision in [`CalendarOverrides`]):
/// - Tết Âm lịch, 5 days: the last day of the old lunar year (29 or 30 tháng Chạp) and 1–4 tháng Giêng.
/// - Quốc khánh, 2 days: 2 September and the day before, 1 September.
///
/// Compensatory days, as read here: each holiday on a Saturday or Sunday gives one day off on the first following
/// Monday–Friday that is neither a holiday nor already a compensatory day, taken in date order (a Tết straddling a
/// weekend pushes its compensatory days past the end of Tết).
///
/// Not included: the foreign employees' days of Art. 112(2), which no state office observes, and the 2019 rules are
/// applied to every year, also those before the Code took effect in 2021.
pub fn statutory_holidays(year: i32) -> Vec<Holiday> {
    let mut days = Vec::new();
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    if let Some(d) = fixed(1, 1) {
        days.push(Holiday::new(
            d,
            "Tết Dương lịch",
            "New Year's Day",
            DayKind::Holiday,
        ));
    }
    let new_year = tet(year);
    if let Some(eve) = new_year.pred_opt() {
        let last = solar_to_lunar(eve);
        days.push(Holiday::new(
            eve,
            format!("Tết Âm lịch ({} tháng Chạp)", last.day),
            format!("Lunar New Year (eve, 12/{} lunar)", last.day),
            DayKind::Holiday,
        ));
    }
    for n in 0..4u64 {
        if let Some(d) = new_year.checked_add_days(Days::new(n)) {
            days.push(Holiday::new(
                d,
                format!("Tết Âm lịch (mùng {})", n + 1),
                format!("Lunar New Year (day {})", n + 1),
                DayKind::Holiday,
            ));
        }
    }
    days.push(Holiday::new(
        hung_kings(year),
        "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
        "Hùng Kings' Commemoration Day (10/3 lunar)",
        DayKind::Holiday,
    ));
    let fixed_days = [
        (
            4,
            30,
            "Ngày Chiến thắng (30/4)",
            "Reunification Day (30 April)",
        ),
        (
            5,
            1,
            "Ngày Quốc tế Lao động (1/5)",
            "International Labour Day (1 May)",
        ),
        (
            9,
            1,
            "Quốc khánh (ngày liền kề)",
            "National Day (adjacent day)",
        ),
        (9, 2, "Quốc khánh (2/9)", "National Day (2 September)"),
    ];
    for (month, day, vi, en) in fixed_days {
        if let Some(d) = fixed(month, day) {
            days.push(Holiday::new(d, vi, en, DayKind::Holiday));
        }
    }
    days.retain(|h| h.date.year() == year);
    days.sort_by_key(|h| h.date);

    let mut taken: BTreeSet<NaiveDate> = days.iter().map(|h| h.date).collect();
    let mut compensatory = Vec::new();
    for h in days.iter().filter(|h| is_weekend(h.date)) {
        let next_free = std::iter::successors(h.date.succ_opt(), |d| d.succ_opt())
            .find(|d| !is_weekend(*d) && !taken.contains(d));
        if let Some(d) = next_free {
            taken.insert(d);
            compensatory.push(Holiday::new(
                d,
                format!("Nghỉ bù {}", h.name_vi),
                format!("Compensatory day for {}", h.name_en),
                DayKind::Compensatory,
            ));
        }
    }
    days.extend(compensatory);
    days.sort_by_key(|h| h.date);
    days
}

/// What a province enters each year from the Prime Minister's decision and the ministry's notice: extra official
/// days off (e.g. a Tết day moved to a weekday) and make-up working days (usually a Saturday). Each comes with its
/// reason, shown to staff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarOverrides {
    pub days_off: Vec<(NaiveDate, String)>,
    pub workdays: Vec<(NaiveDate, String)>,
}

/// The working calendar: statutory holidays and compensatory days plus the entered days off, overruled by the
/// entered make-up working days. A date entered as a working day is worked even if it is a default holiday, which
/// is how a decision that moves a default day (a Tết day, 1/9, a compensatory day) is entered.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    days_off: BTreeMap<NaiveDate, String>,
    workdays: BTreeMap<NaiveDate, String>,
}

impl WorkCalendar {
    pub fn new(overrides: CalendarOverrides) -> Self {
        Self {
            days_off: overrides.days_off.into_iter().collect(),
            workdays: overrides.workdays.into_iter().collect(),
        }
    }

    /// What `date` is. Computes that year's statutory holidays; [`WorkCalendar::deadline`] reuses them instead.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        self.kind_among(date, &statutory_holidays(date.year()))
    }

    fn kind_among(&self, date: NaiveDate, statutory: &[Holiday]) -> DayKind {
        if self.workdays.contains_key(&date) {
            DayKind::MakeUpWorkday
        } else if let Some(h) = statutory.iter().find(|h| h.date == date) {
            h.kind
        } else if self.days_off.contains_key(&date) {
            DayKind::OfficialDayOff
        } else if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        }
    }

    /// Monday–Friday that is no holiday, compensatory or entered day off; or an entered make-up working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }

    /// The last day of a period of `days` counted from `from`, by the Civil Code 2015 (Arts. 147–148): the day of
    /// `from` itself is not counted.
    /// - Calendar days (`working == false`): `from + days`; if that is not a working day, the next working day,
    ///   since a period ending on a weekend or holiday ends at the close of the next working day.
    /// - Working days (`working == true`): the `days`-th working day after `from`.
    ///
    /// With `days == 0` both give the first working day on or after `from`. Near chrono's last date the result
    /// stops at [`NaiveDate::MAX`].
    pub fn deadline(&self, from: NaiveDate, days: u32, working: bool) -> NaiveDate {
        let mut year_cache = YearCache::default();
        let mut is_working =
            |d: NaiveDate| self.kind_among(d, year_cache.get(d.year())).is_working();
        let mut d = if working {
            from
        } else {
            from.checked_add_days(Days::new(days.into()))
                .unwrap_or(NaiveDate::MAX)
        };
        let mut left = if working { days } else { 0 };
        while left > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
            if is_working(d) {
                left -= 1;
            }
        }
        while !is_working(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
        }
        d
    }

    /// The days off in Gregorian `year`: statutory holidays, compensatory days and entered days off, sorted by date,
    /// one per date (a statutory name wins over an entered one), without the dates entered as working days.
    pub fn holidays(&self, year: i32) -> Vec<Holiday> {
        let mut all = statutory_holidays(year);
        all.extend(
            self.days_off
                .iter()
                .filter(|(d, _)| d.year() == year)
                .map(|(d, reason)| {
                    Holiday::new(
                        *d,
                        reason.clone(),
                        format!("Official day off: {reason}"),
                        DayKind::OfficialDayOff,
                    )
                }),
        );
        all.retain(|h| !self.workdays.contains_key(&h.date));
        // Stable sort keeps statutory entries ahead of entered ones on the same date.
        all.sort_by_key(|h| h.date);
        all.dedup_by_key(|h| h.date);
        all
    }
}

/// The statutory holidays of the year last asked for, so that a deadline computes each year's lunar dates once.
#[derive(Default)]
struct YearCache {
    year: Option<i32>,
    holidays: Vec<Holiday>,
}

impl YearCache {
    fn get(&mut self, year: i32) -> &[Holiday] {
        if self.year != Some(year) {
            self.year = Some(year);
            self.holidays = statutory_holidays(year);
        }
        &self.holidays
    }
}
