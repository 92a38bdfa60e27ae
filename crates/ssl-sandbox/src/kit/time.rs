//! Dates and times as the providers write them.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// RFC 3339 with `+00:00` (`2026-11-29T20:15:00+00:00`).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.to_offset(UtcOffset::UTC).format(&f).unwrap_or_default()
}

/// Read an RFC 3339 time.
pub(crate) fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// `yyyy-MM-dd`.
pub(crate) fn ymd(d: Date) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&f).unwrap_or_default()
}

/// Read a `yyyy-MM-dd` date.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &f).ok()
}

/// The end of a day (23:59:59 UTC).
pub(crate) fn end_of(d: Date) -> OffsetDateTime {
    d.with_hms(23, 59, 59).unwrap_or(d.midnight()).assume_utc()
}

/// `d` plus `months` calendar months, the day clamped to the month's length.
pub(crate) fn add_months(d: Date, months: i64) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(d.year());
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1)).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

/// `d` plus `years` years (29 February becomes 28 February).
pub(crate) fn add_years(d: Date, years: i64) -> Date {
    add_months(d, years.saturating_mul(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_years_add_up() {
        let d = Date::from_calendar_date(2026, Month::January, 31).unwrap();
        assert_eq!(ymd(add_months(d, 1)), "2026-02-28");
        assert_eq!(ymd(add_months(d, 12)), "2027-01-31");
        assert_eq!(ymd(add_months(d, 36)), "2029-01-31");
        let leap = Date::from_calendar_date(2028, Month::February, 29).unwrap();
        assert_eq!(ymd(add_years(leap, 1)), "2029-02-28");
        assert_eq!(parse_date("2026-03-04").map(ymd).as_deref(), Some("2026-03-04"));
        let t = parse_rfc3339("2026-11-29T20:15:00Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-29T20:15:00+00:00");
        assert_eq!(rfc3339(end_of(t.date())), "2026-11-29T23:59:59+00:00");
    }
}
