//! Release baselines: the components of each released version, from its SBOM.

use rusqlite::{OptionalExtension, params};

use super::{Changes, EventKind, Register, RegisterError};
use crate::model::Component;

/// One release's baseline as the register holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub release: String,
    pub sbom_path: String,
    pub sha256: String,
    pub imported_at: String,
    pub components: Vec<Component>,
}

impl Changes<'_> {
    /// Makes `components` the baseline of `release`, replacing any earlier one.
    pub fn set_baseline(
        &self,
        release: &str,
        sbom_path: &str,
        sha256: &str,
        components: &[Component],
    ) -> Result<(), RegisterError> {
        self.tx
            .execute("DELETE FROM baseline WHERE release = ?1", [release])
            .map_err(|e| self.err(e))?;
        self.tx
            .execute(
                "INSERT INTO baseline (release, sbom_path, sha256, imported_at) VALUES (?1, ?2, ?3, ?4)",
                params![release, sbom_path, sha256, self.now],
            )
            .map_err(|e| self.err(e))?;
        let mut insert = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO baseline_component (release, key, component) VALUES (?1, ?2, ?3)",
            )
            .map_err(|e| self.err(e))?;
        for c in components {
            let json = serde_json::to_string(c).unwrap_or_default();
            insert
                .execute(params![release, c.key(), json])
                .map_err(|e| self.err(e))?;
        }
        self.log(
            EventKind::BaselineSet,
            release,
            Some(&format!("{} components from {sbom_path}", components.len())),
        )
    }
}

impl Register {
    /// The baseline of `release`, if it was imported.
    pub fn baseline(&self, release: &str) -> Result<Option<Baseline>, RegisterError> {
        let head = self
            .conn
            .query_row(
                "SELECT release, sbom_path, sha256, imported_at FROM baseline WHERE release = ?1",
                [release],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((release, sbom_path, sha256, imported_at)) = head else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare("SELECT component FROM baseline_component WHERE release = ?1 ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([&release], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        let components = rows
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect();
        Ok(Some(Baseline {
            release,
            sbom_path,
            sha256,
            imported_at,
            components,
        }))
    }

    /// The sha256 of the SBOM `release`'s baseline was imported from, and
    /// those of its components whose key is one of `keys`; `None` when the
    /// release was not imported. Reads only the rows asked for, so knowing
    /// whether a release pins a few packages costs no more than they do.
    pub fn baseline_components(
        &self,
        release: &str,
        keys: &[String],
    ) -> Result<Option<(String, Vec<Component>)>, RegisterError> {
        let sha256: Option<String> = self
            .conn
            .query_row(
                "SELECT sha256 FROM baseline WHERE release = ?1",
                [release],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(sha256) = sha256 else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT component FROM baseline_component WHERE release = ?1 AND key = ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut components = Vec::new();
        for key in keys {
            let json: Option<String> = stmt
                .query_row(params![release, key], |row| row.get(0))
                .optional()
                .map_err(|e| self.err(e))?;
            components.extend(json.and_then(|json| serde_json::from_str(&json).ok()));
        }
        Ok(Some((sha256, components)))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::model::{Ecosystem, Purl};

    #[test]
    fn a_baseline_is_replaced_whole() {
        let mut register = Register::in_memory().unwrap();
        let a = Component::new(Ecosystem::Npm, "left-pad", "1.0.0");
        let b = Component::new(Ecosystem::PyPI, "Django", "3.2.4");
        let changes = register
            .begin("import", datetime!(2026-11-24 0:00 UTC))
            .unwrap();
        changes
            .set_baseline(
                "1.0.0",
                "releases/1.0.0.cdx.json",
                "aa",
                &[a.clone(), b.clone()],
            )
            .unwrap();
        changes
            .set_baseline(
                "1.0.0",
                "releases/1.0.0.cdx.json",
                "bb",
                std::slice::from_ref(&b),
            )
            .unwrap();
        changes.commit().unwrap();
        let baseline = register.baseline("1.0.0").unwrap().unwrap();
        assert_eq!(baseline.sha256, "bb");
        assert_eq!(baseline.components, vec![b.clone()]);
        assert!(register.baseline("2.0.0").unwrap().is_none());
        let (sha256, found) = register
            .baseline_components("1.0.0", &[b.key().into_owned(), a.key().into_owned()])
            .unwrap()
            .unwrap();
        assert_eq!((sha256.as_str(), found), ("bb", vec![b]));
        assert!(
            register
                .baseline_components("2.0.0", &[])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_component_whose_purl_no_longer_parses_is_a_damaged_row() {
        let mut register = Register::in_memory().unwrap();
        let mut a = Component::new(Ecosystem::Npm, "left-pad", "1.0.0");
        a.purl = Purl::parse("pkg:npm/left-pad@1.0.0").ok();
        let mut b = Component::new(Ecosystem::PyPI, "Django", "3.2.4");
        b.purl = Purl::parse("pkg:pypi/django@3.2.4").ok();
        let changes = register
            .begin("import", datetime!(2026-11-24 0:00 UTC))
            .unwrap();
        changes
            .set_baseline("1.0.0", "r.cdx.json", "aa", &[a, b.clone()])
            .unwrap();
        changes.commit().unwrap();
        register
            .conn
            .execute(
                "UPDATE baseline_component SET component = replace(component, 'pkg:npm/left-pad', 'pkg:/left-pad')",
                [],
            )
            .unwrap();
        let baseline = register.baseline("1.0.0").unwrap().unwrap();
        assert_eq!(baseline.components, vec![b]);
    }
}
