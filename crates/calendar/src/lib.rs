//! danvan's calendars, pure and without I/O.
//!
//! - [`lunar`]: the Vietnamese lunar calendar (âm lịch). Tết and Giỗ Tổ Hùng Vương are lunar dates, and Vietnam
//!   computes its calendar for its own time zone (UTC+7), so a Chinese-calendar table (UTC+8) gives wrong dates
//!   in some years (Tết 1985 and 2007).
//! - [`work`]: the statutory holidays (Labour Code 2019) and the working-day calendar that petition deadlines are
//!   counted in, with the days off and make-up working days that each year's notices add.
//!
//! ```
//! use chrono::NaiveDate;
//! use danvan_calendar::{CalendarOverrides, WorkCalendar, tet};
//!
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! assert_eq!(tet(2026), day(2026, 2, 17));
//! let calendar = WorkCalendar::new(CalendarOverrides::default());
//! // 15 calendar days from 6 February 2026 end on Saturday 21 February, in Tết's week: the next working day.
//! assert_eq!(calendar.deadline(day(2026, 2, 6), 15, false), day(2026, 2, 23));
//! ```

pub mod lunar;
pub mod work;

pub use lunar::{LunarDate, hung_kings, lunar_to_solar, solar_to_lunar, tet};
pub use work::{CalendarOverrides, DayKind, Holiday, WorkCalendar, statutory_holidays};
