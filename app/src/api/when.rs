//! Readers for the instants the server's answers carry, for `#[serde(deserialize_with)]`:
//! the text chrono's serde writes (RFC 3339), read by [`crate::cron::stamp::read_utc`] rather
//! than by chrono's general parser, which its `Deserialize` brings (7 KB brotli in each
//! section that read a date). Only the reading changes: chrono's serde still writes them.
use crate::cron::stamp::read_utc;
use chrono::{DateTime, Utc};
use serde::de::{Deserialize, Deserializer, Error, Unexpected};

/// One instant, read from its text.
struct When(DateTime<Utc>);

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        read_utc(&text)
            .map(When)
            .ok_or_else(|| D::Error::invalid_value(Unexpected::Str(&text), &"an RFC 3339 instant"))
    }
}

/// `DateTime<Utc>`.
pub fn utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    When::deserialize(deserializer).map(|when| when.0)
}

/// `Option<DateTime<Utc>>`.
pub fn utc_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<When>::deserialize(deserializer)?.map(|when| when.0))
}

/// `Vec<DateTime<Utc>>`.
pub fn utc_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<DateTime<Utc>>, D::Error> {
    let list = Vec::<When>::deserialize(deserializer)?;
    Ok(list.into_iter().map(|when| when.0).collect())
}

/// A metric's points, `Vec<(DateTime<Utc>, f64)>`.
pub fn points<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(DateTime<Utc>, f64)>, D::Error> {
    let list = Vec::<(When, f64)>::deserialize(deserializer)?;
    Ok(list
        .into_iter()
        .map(|(when, value)| (when.0, value))
        .collect())
}

#[cfg(test)]
mod tests {
    use crate::api::resources::{MetricSeries, ResourceView};
    use crate::api::teams::AuditEntry;

    /// Every instant the browser reads from the server comes back as the server wrote it.
    #[test]
    fn what_the_server_writes_reads_back() {
        let at = chrono::DateTime::from_timestamp(1_796_000_000, 123_456_789).unwrap();
        let series = MetricSeries {
            points: vec![(at, 1.5), (at + chrono::TimeDelta::minutes(5), 2e10)],
            threshold: 100_000.0,
            hours: 3,
        };
        let json = serde_json::to_string(&series).unwrap();
        assert_eq!(serde_json::from_str::<MetricSeries>(&json).unwrap(), series);
        let view = serde_json::json!({
            "id": uuid::Uuid::nil(), "kind": "rule", "name": "n", "summary": "s",
            "status": "applied", "last_error": null, "drift": [], "version": 1,
            "planned": false, "aws_id": null, "pending_since": at, "pending_hours": 2,
            "updated_at": at, "next_runs": [at, at],
        });
        let read: ResourceView = serde_json::from_value(view.clone()).unwrap();
        assert_eq!((read.pending_since, read.updated_at), (Some(at), at));
        assert_eq!(read.next_runs, vec![at, at]);
        assert_eq!(
            serde_json::to_value(&read).unwrap()["updated_at"],
            view["updated_at"]
        );
        let mut bad = view.clone();
        bad["updated_at"] = "yesterday".into();
        let error = serde_json::from_value::<ResourceView>(bad).unwrap_err();
        assert!(error.to_string().contains("an RFC 3339 instant"), "{error}");
        let entry = AuditEntry {
            at,
            who: None,
            action: "rule.create".into(),
            resource_id: None,
            before: None,
            after: None,
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert_eq!(serde_json::from_str::<AuditEntry>(&json).unwrap(), entry);
    }
}
