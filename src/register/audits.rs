//! Which advisory data each audit used, and when each anomaly was first detected.

use rusqlite::params;

use super::{Changes, EventKind, RegisterError};

impl Changes<'_> {
    /// Records one audit of `subject` that used `advisory_data` (JSON) and
    /// detected `anomalies` as (anomaly id, component key) pairs. Returns when
    /// each was first detected, in the same order.
    pub fn record_audit(
        &self,
        subject: &str,
        advisory_data: &str,
        anomalies: &[(String, String)],
    ) -> Result<Vec<String>, RegisterError> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit_run (at, subject, advisory_data) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![self.now, subject, advisory_data]))
            .map_err(|e| self.err(e))?;
        let mut upsert = self
            .tx
            .prepare_cached(
                "INSERT INTO anomaly_seen (anomaly, component_key, first_detected, last_detected)
                 VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT (anomaly, component_key) DO UPDATE SET last_detected = excluded.last_detected
                 RETURNING first_detected",
            )
            .map_err(|e| self.err(e))?;
        let mut first = Vec::with_capacity(anomalies.len());
        for (anomaly, key) in anomalies {
            let when: String = upsert
                .query_row(params![anomaly, key, self.now], |row| row.get(0))
                .map_err(|e| self.err(e))?;
            if when == self.now {
                self.log(
                    EventKind::AnomalyDetected,
                    &format!("{anomaly} {key}"),
                    None,
                )?;
            }
            first.push(when);
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use crate::register::Register;

    #[test]
    fn first_detection_is_kept() {
        let mut register = Register::in_memory().unwrap();
        let found = vec![("RUSTSEC-1".to_string(), "pkg:cargo/a@1".to_string())];
        let changes = register
            .begin("audit", datetime!(2026-11-01 0:00 UTC))
            .unwrap();
        assert_eq!(
            changes.record_audit("Cargo.lock", "[]", &found).unwrap(),
            ["2026-11-01T00:00:00Z"]
        );
        changes.commit().unwrap();
        let changes = register
            .begin("audit", datetime!(2026-11-24 0:00 UTC))
            .unwrap();
        assert_eq!(
            changes.record_audit("Cargo.lock", "[]", &found).unwrap(),
            ["2026-11-01T00:00:00Z"]
        );
        changes.commit().unwrap();
        let audits: i64 = register
            .conn
            .query_row("SELECT count(*) FROM audit_run", [], |row| row.get(0))
            .unwrap();
        assert_eq!(audits, 2);
        assert_eq!(register.events().unwrap().len(), 1);
    }
}
