//! The append-only event log: what each command changed, for the history an
//! auditor may ask for. The schema's triggers refuse updates and deletes.

use rusqlite::params;
use serde::Serialize;

use super::{Changes, Register, RegisterError};

/// What a logged change was. The log stores the kebab-case word, which stays
/// stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    RecordCreated,
    RecordFormatted,
    EvaluationRecorded,
    ApprovalRecorded,
    ReviewRecorded,
    ReleaseRetired,
    ReleaseInField,
    BaselineSet,
    /// Items pinned from one input for the first time: the subject is the
    /// input, the detail its new keys, one per line.
    PinAdded,
    /// Items no longer in one input: the subject is the input, the detail the
    /// keys, one per line.
    PinRemoved,
    AnomalyDetected,
}

impl EventKind {
    /// The word the log stores.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::RecordCreated => "record-created",
            EventKind::RecordFormatted => "record-formatted",
            EventKind::EvaluationRecorded => "evaluation-recorded",
            EventKind::ApprovalRecorded => "approval-recorded",
            EventKind::ReviewRecorded => "review-recorded",
            EventKind::ReleaseRetired => "release-retired",
            EventKind::ReleaseInField => "release-in-field",
            EventKind::BaselineSet => "baseline-set",
            EventKind::PinAdded => "pin-added",
            EventKind::PinRemoved => "pin-removed",
            EventKind::AnomalyDetected => "anomaly-detected",
        }
    }
}

/// One logged change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at: String,
    pub command: String,
    pub kind: String,
    pub subject: String,
    pub detail: Option<String>,
}

impl Changes<'_> {
    /// Appends an event of `kind` about `subject` to the log.
    pub fn log(
        &self,
        kind: EventKind,
        subject: &str,
        detail: Option<&str>,
    ) -> Result<(), RegisterError> {
        self.tx
            .prepare_cached(
                "INSERT INTO event (at, command, kind, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| stmt.execute(params![self.now, self.command, kind.as_str(), subject, detail]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

impl Register {
    /// The whole log, oldest first.
    pub fn events(&self) -> Result<Vec<Event>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, command, kind, subject, detail FROM event ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Event {
                    at: row.get(0)?,
                    command: row.get(1)?,
                    kind: row.get(2)?,
                    subject: row.get(3)?,
                    detail: row.get(4)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn events_are_appended_and_never_rewritten() {
        let mut register = Register::in_memory().unwrap();
        let changes = register
            .begin("list", datetime!(2026-11-24 10:00 UTC))
            .unwrap();
        changes
            .log(EventKind::PinAdded, "pkg:cargo/a@1.0.0", None)
            .unwrap();
        changes.commit().unwrap();
        let events = register.events().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "pin-added");
        assert_eq!(events[0].at, "2026-11-24T10:00:00Z");
        let update = register.conn.execute("UPDATE event SET kind = 'x'", []);
        assert!(update.is_err());
        let delete = register.conn.execute("DELETE FROM event", []);
        assert!(delete.is_err());
        assert_eq!(register.events().unwrap().len(), 1);
    }

    #[test]
    fn uncommitted_changes_are_rolled_back() {
        let mut register = Register::in_memory().unwrap();
        let changes = register
            .begin("list", datetime!(2026-11-24 10:00 UTC))
            .unwrap();
        changes.log(EventKind::PinAdded, "x", None).unwrap();
        drop(changes);
        assert!(register.events().unwrap().is_empty());
    }
}
