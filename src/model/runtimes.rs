//! Lambda runtime lifecycle dates (data/lambda_runtimes.tsv) and the date they are compared with.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let year: i32 = it.next()?.parse().ok()?;
        let month: u32 = it.next()?.parse().ok()?;
        let day: u32 = it.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (proleptic Gregorian calendar).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01.
    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }

    /// Today (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One managed runtime's lifecycle.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub runtime: String,
    pub deprecated: Date,
    pub create_blocked: Option<Date>,
    pub update_blocked: Option<Date>,
    pub successor: Option<String>,
}

/// The runtime table, by identifier.
pub fn table() -> &'static HashMap<String, Lifecycle> {
    static TABLE: OnceLock<HashMap<String, Lifecycle>> = OnceLock::new();
    TABLE.get_or_init(|| parse(include_str!("../../data/lambda_runtimes.tsv")))
}

fn parse(text: &str) -> HashMap<String, Lifecycle> {
    let mut out = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let col = |i: usize| cols.get(i).copied().filter(|s| *s != "-");
        let (Some(rt), Some(dep)) = (col(0), col(1).and_then(Date::parse)) else {
            continue;
        };
        out.insert(
            rt.to_string(),
            Lifecycle {
                runtime: rt.to_string(),
                deprecated: dep,
                create_blocked: col(2).and_then(Date::parse),
                update_blocked: col(3).and_then(Date::parse),
                successor: col(4).map(str::to_string),
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-12-03",
            "2029-06-30",
            "1999-12-31",
        ] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_days(d.days()), d);
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        assert_eq!(
            Date::parse("2024-03-01").unwrap().days() - Date::parse("2024-02-28").unwrap().days(),
            2
        );
        assert!(Date::parse("2024-13-01").is_none());
    }

    #[test]
    fn table_loads() {
        let t = table();
        assert!(t.len() > 40);
        let p = &t["python3.9"];
        assert_eq!(p.deprecated.to_string(), "2025-12-15");
        assert_eq!(p.successor.as_deref(), Some("python3.14"));
    }
}
