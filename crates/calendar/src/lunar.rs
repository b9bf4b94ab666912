//! The Vietnamese lunar calendar, computed astronomically after Hồ Ngọc Đức's published method.
//!
//! The rules: a lunar month starts on the local day of a new moon; month 11 is the month that contains the
//! winter solstice; when 13 months lie between two months 11, the first of them (after month 11) in which the sun
//! enters no new 30° sector of longitude (no "major solar term") is a leap month and repeats the previous month's
//! number. All days are civil days at UTC+7, which is why Vietnam's Tết is sometimes a day (2007) or a month (1985)
//! away from China's.
//!
//! Every year is computed at UTC+7, as the official calendar has been since 1968 (North) and 1975 (whole country);
//! earlier Vietnamese almanacs followed China's UTC+8 reckoning, so historical dates before then can differ by a day.
//!
//! Accuracy: the new-moon series (Meeus) and the ΔT approximation are truncated. The results are tested against
//! published Vietnamese dates for 1900–2100; far outside that range they are astronomical estimates.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A date of the Vietnamese lunar calendar. `year` is the lunar year, which begins at Tết: 30 tháng Chạp of the
/// year of the Rat is still in that year even though it falls in the next Gregorian January or February.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// Day of the month, 1..=29 or 1..=30 (months are 29 or 30 days long).
    pub day: u32,
    /// Month number, 1..=12. A leap month has the number of the month before it.
    pub month: u32,
    /// Lunar year, named by the Gregorian year in which its Tết falls.
    pub year: i32,
    /// True for the leap month (tháng nhuận), the second month with this number.
    pub leap: bool,
}

/// Vietnam's civil time, in hours east of UTC, as a fraction of a day.
const TIME_ZONE_DAYS: f64 = 7.0 / 24.0;

/// Julian Day Number minus chrono's day count from the Common Era (0001-01-01 is JDN 1 721 426 and CE day 1).
const JDN_MINUS_CE_DAYS: i64 = 1_721_425;

/// The mean length of a lunation, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Julian Date of the mean new moon numbered 0 (6 January 1900); lunation k is near this plus k synodic months.
const LUNATION_ZERO: f64 = 2_415_021.076_998_695;

fn sin_deg(degrees: f64) -> f64 {
    degrees.to_radians().sin()
}

/// Periodic terms of the new-moon correction after the first: coefficient in days, then the multiples of the
/// sun's mean anomaly M, the moon's mean anomaly M′ and the moon's argument of latitude F in the sine's argument.
const NEW_MOON_TERMS: [(f64, f64, f64, f64); 12] = [
    (0.0021, 2.0, 0.0, 0.0),
    (-0.4068, 0.0, 1.0, 0.0),
    (0.0161, 0.0, 2.0, 0.0),
    (-0.0004, 0.0, 3.0, 0.0),
    (0.0104, 0.0, 0.0, 2.0),
    (-0.0051, 1.0, 1.0, 0.0),
    (-0.0074, 1.0, -1.0, 0.0),
    (0.0004, 1.0, 0.0, 2.0),
    (-0.0004, -1.0, 0.0, 2.0),
    (-0.0006, 0.0, 1.0, 2.0),
    (0.0010, 0.0, -1.0, 2.0),
    (0.0005, 1.0, 2.0, 0.0),
];

/// Julian Date (UT) of the true new moon of lunation `k`, by Meeus's series: the mean phase plus the main periodic
/// terms, less ΔT so that the instant is civil (UT) rather than dynamical time.
fn new_moon_jd(k: i64) -> f64 {
    let k = k as f64;
    // Time in Julian centuries from 1900, as the series is written.
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let mean = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3
        + 0.000_33 * sin_deg(166.56 + 132.87 * t - 0.009_173 * t2);
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let m_moon = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let periodic = NEW_MOON_TERMS
        .iter()
        .map(|&(c, a, b, g)| c * sin_deg(a * m + b * m_moon + g * f))
        .sum::<f64>()
        + (0.1734 - 0.000_393 * t) * sin_deg(m);
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    mean + periodic - delta_t
}

/// The apparent longitude of the sun in degrees, 0..360, at Julian Date `jd` (low-precision solar theory: mean
/// longitude plus the equation of centre), enough to tell which 30° sector the sun is in on a given day.
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let centre = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * sin_deg(m)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * m)
        + 0.000_290 * sin_deg(3.0 * m);
    (l0 + centre).rem_euclid(360.0)
}

/// The local civil day (JDN) on which lunation `k` begins at UTC+7.
fn new_moon_day(k: i64) -> i64 {
    (new_moon_jd(k) + 0.5 + TIME_ZONE_DAYS).floor() as i64
}

/// Which 30° sector (0..=11, 9 = from the winter solstice) the sun is in at local midnight starting `day`. A month
/// whose first day and the next month's first day share a sector contains no major solar term.
fn sun_sector(day: i64) -> i64 {
    let jd = day as f64 - 0.5 - TIME_ZONE_DAYS;
    (sun_longitude(jd) / 30.0).floor() as i64
}

/// The lunation that contains local day `day`. Starts from the mean estimate and steps to the true one, since a
/// true new moon can be up to about half a day away from the mean.
fn lunation_containing(day: i64) -> i64 {
    let mut k = ((day as f64 - LUNATION_ZERO) / SYNODIC_MONTH).floor() as i64;
    while new_moon_day(k) > day {
        k -= 1;
    }
    while new_moon_day(k + 1) <= day {
        k += 1;
    }
    k
}

/// JDN of 1 January of a proleptic Gregorian year; own arithmetic so that years outside chrono's range still work.
fn jdn_new_year(year: i64) -> i64 {
    let y = year - 1;
    1_721_426 + 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
}

/// The lunation that is month 11 of the Gregorian `year`: the month containing its December solstice. The month
/// containing 31 December is month 11 unless the sun had already passed 270° when it began.
fn month11(year: i64) -> i64 {
    let k = lunation_containing(jdn_new_year(year + 1) - 1);
    if sun_sector(new_moon_day(k)) >= 9 {
        k - 1
    } else {
        k
    }
}

/// The months from month 11 of one Gregorian year up to (not including) month 11 of the next.
struct SolsticeYear {
    /// Gregorian year of the first solstice; months 11 and 12 belong to this lunar year, the rest to the next.
    year: i64,
    /// Lunation of the first month 11.
    first: i64,
    /// Offset from `first` of the leap month, if these are 13 months.
    leap: Option<i64>,
}

impl SolsticeYear {
    fn new(year: i64) -> Self {
        let first = month11(year);
        Self::starting(year, first)
    }

    fn starting(year: i64, first: i64) -> Self {
        let leap = (month11(year + 1) - first == 13).then(|| {
            // Month 11 contains the solstice, so the search starts after it. Among 13 months one must lack a major
            // term; the fallback only guards against float corner cases.
            (1..=12)
                .find(|&off| {
                    sun_sector(new_moon_day(first + off))
                        == sun_sector(new_moon_day(first + off + 1))
                })
                .unwrap_or(12)
        });
        Self { year, first, leap }
    }

    /// Month number, leap flag and lunar year of the month at `offset` from `first`.
    fn month_at(&self, offset: i64) -> (u32, bool, i64) {
        let (number, leap) = match self.leap {
            Some(l) if offset >= l => (offset + 10, offset == l),
            _ => (offset + 11, false),
        };
        let number = if number > 12 { number - 12 } else { number };
        let year = if number >= 11 {
            self.year
        } else {
            self.year + 1
        };
        (number as u32, leap, year)
    }

    /// Offset from `first` of the ordinary (not leap) month `month` (1..=12).
    fn offset_of(&self, month: u32) -> i64 {
        let base = i64::from(if month >= 11 { month - 11 } else { month + 1 });
        match self.leap {
            Some(l) if base >= l => base + 1,
            _ => base,
        }
    }
}

/// The solstice year that holds month `month` of lunar year `year`.
fn solstice_year_of(month: u32, year: i64) -> SolsticeYear {
    SolsticeYear::new(if month >= 11 { year } else { year - 1 })
}

fn jdn_of(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_MINUS_CE_DAYS
}

fn date_of(jdn: i64) -> Option<NaiveDate> {
    i32::try_from(jdn - JDN_MINUS_CE_DAYS)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// For the functions that return a date for any year: past chrono's range the nearest representable date.
fn date_saturating(jdn: i64) -> NaiveDate {
    date_of(jdn).unwrap_or(if jdn < jdn_of(NaiveDate::MIN) {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// For a year outside chrono's range, the date to answer instead. Far beyond it the polynomial terms of the series
/// overflow and new moons stop being ordered, so the computation must not start.
fn outside_range(year: i32) -> Option<NaiveDate> {
    if year < NaiveDate::MIN.year() {
        Some(NaiveDate::MIN)
    } else if year > NaiveDate::MAX.year() {
        Some(NaiveDate::MAX)
    } else {
        None
    }
}

/// The lunar date of a Gregorian date.
pub fn solar_to_lunar(date: NaiveDate) -> LunarDate {
    let day = jdn_of(date);
    let k = lunation_containing(day);
    let year = i64::from(date.year());
    let m11 = month11(year);
    let span = if k >= m11 {
        SolsticeYear::starting(year, m11)
    } else {
        SolsticeYear::new(year - 1)
    };
    let (month, leap, lunar_year) = span.month_at(k - span.first);
    LunarDate {
        day: (day - new_moon_day(k) + 1) as u32,
        month,
        // The lunar year is within one of the Gregorian year, which is an i32.
        year: lunar_year as i32,
        leap,
    }
}

/// The Gregorian date of a lunar date; `None` if there is no such day: a leap month that the year does not have,
/// day 30 of a 29-day month, numbers out of range, or a date outside chrono's range.
pub fn lunar_to_solar(lunar: LunarDate) -> Option<NaiveDate> {
    if !(1..=12).contains(&lunar.month)
        || !(1..=30).contains(&lunar.day)
        || outside_range(lunar.year).is_some()
    {
        return None;
    }
    let span = solstice_year_of(lunar.month, i64::from(lunar.year));
    let offset = if lunar.leap {
        let leap = span.leap?;
        if span.month_at(leap).0 != lunar.month {
            return None;
        }
        leap
    } else {
        span.offset_of(lunar.month)
    };
    let start = new_moon_day(span.first + offset);
    let length = new_moon_day(span.first + offset + 1) - start;
    let day = i64::from(lunar.day);
    if day > length {
        return None;
    }
    date_of(start + day - 1)
}

/// First day of the ordinary month `month` of lunar year `year`, as a JDN.
fn month_start(year: i32, month: u32) -> i64 {
    let span = solstice_year_of(month, i64::from(year));
    new_moon_day(span.first + span.offset_of(month))
}

/// Tết Nguyên đán: 1/1 of lunar year `year`, which always falls in January or February of Gregorian `year`.
pub fn tet(year: i32) -> NaiveDate {
    if let Some(clamped) = outside_range(year) {
        return clamped;
    }
    date_saturating(month_start(year, 1))
}

/// Giỗ Tổ Hùng Vương: 10/3 of lunar year `year` (a statutory holiday).
pub fn hung_kings(year: i32) -> NaiveDate {
    if let Some(clamped) = outside_range(year) {
        return clamped;
    }
    date_saturating(month_start(year, 3) + 9)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn jdn_matches_chrono() {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        assert_eq!(jdn_of(d), 2_451_545);
        assert_eq!(jdn_new_year(2000), 2_451_545);
        for y in [-4000, 1, 1582, 1900, 2100, 9999] {
            let d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            assert_eq!(jdn_of(d), jdn_new_year(i64::from(y)), "{y}");
            assert_eq!(date_of(jdn_of(d)), Some(d));
        }
    }

    #[test]
    fn month11_contains_the_solstice() {
        for year in 1900..=2100 {
            // The local day during which the sun passes 270°.
            let solstice = (jdn_new_year(year) + 340..jdn_new_year(year) + 365)
                .find(|&d| sun_sector(d) == 8 && sun_sector(d + 1) == 9)
                .unwrap();
            let k = month11(year);
            assert!(
                new_moon_day(k) <= solstice && solstice < new_moon_day(k + 1),
                "{year}"
            );
        }
    }

    #[test]
    fn extreme_years_do_not_panic() {
        for y in [i32::MIN, -300_000, 300_000, i32::MAX] {
            let _ = tet(y);
            let _ = hung_kings(y);
        }
        let _ = solar_to_lunar(NaiveDate::MIN);
        let _ = solar_to_lunar(NaiveDate::MAX);
    }
}
