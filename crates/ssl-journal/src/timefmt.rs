//! How times and dates are stored: instants as Unix milliseconds (UTC), dates as `YYYY-MM-DD`.

use time::{Date, OffsetDateTime};

/// Unix milliseconds.
pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// From Unix milliseconds (out-of-range values clamp to the epoch).
pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DD`.
pub fn date_to_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parse `YYYY-MM-DD`.
pub fn date_from_str(s: &str) -> Option<Date> {
    ssl_core::model::parse_date(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap() + time::Duration::milliseconds(123);
        assert_eq!(from_millis(to_millis(t)), t);
        let d = time::macros::date!(2027 - 03 - 01);
        assert_eq!(date_to_string(d), "2027-03-01");
        assert_eq!(date_from_str("2027-03-01"), Some(d));
    }
}
