//! What an approval's digest covers: the canonical text of one evaluation, and
//! the parts of one release's SOUP list. Both are defined here, byte for byte,
//! so that anyone can recompute them.

use sha2::{Digest as _, Sha256};

use super::types::Evaluation;

/// The first line of an evaluation's canonical text; the version changes if the format does.
const EVALUATION_HEADER: &str = "cargo-soup evaluation v1";

impl Evaluation {
    /// The evaluation's canonical text, which its digest is taken over.
    ///
    /// The line `cargo-soup evaluation v1`, then one line `key = value` per field
    /// in the record's key order (advisory, aliases, purl, by, date, review_by,
    /// advisory_modified, advisory_hash, hazardous, hazards, risk_controls,
    /// vex_status, vex_justification, action, rationale, carried_from), each line
    /// ending in `\n`. Values are JSON: strings (dates as `"YYYY-MM-DD"`, words as
    /// the record spells them) with JSON escapes, lists as compact arrays of
    /// strings, `true`/`false`. The optional `vex_justification` and `carried_from`
    /// lines are left out when absent. The text does not depend on how the record
    /// is laid out (comments, quoting, key order), but any change of any value
    /// changes it.
    pub fn canonical_text(&self) -> String {
        let mut lines = vec![
            EVALUATION_HEADER.to_string(),
            line("advisory", &self.advisory),
            line("aliases", &self.aliases),
            line("purl", &self.purl),
            line("by", &self.by),
            line("date", &self.date.to_string()),
            line("review_by", &self.review_by.to_string()),
            line("advisory_modified", &self.advisory_modified),
            line("advisory_hash", &self.advisory_hash),
            line("hazardous", &self.hazardous),
            line("hazards", &self.hazards),
            line("risk_controls", &self.risk_controls),
            line("vex_status", self.vex_status.as_str()),
        ];
        if let Some(justification) = self.vex_justification {
            lines.push(line("vex_justification", justification.as_str()));
        }
        lines.push(line("action", self.action.as_str()));
        lines.push(line("rationale", &self.rationale));
        if let Some(version) = &self.carried_from {
            lines.push(line("carried_from", version));
        }
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// `sha256:<hex>` of [`Evaluation::canonical_text`]: what an approval of it names.
    pub fn digest(&self) -> String {
        sha256_text(self.canonical_text().as_bytes())
    }

    /// The release part this evaluation is: `evaluation <advisory> <purl> <digest>`.
    pub fn release_part(&self) -> String {
        format!(
            "evaluation {} {} {}",
            self.advisory,
            self.purl,
            self.digest()
        )
    }
}

/// One `key = <JSON value>` line.
fn line(key: &str, value: &(impl serde::Serialize + ?Sized)) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    format!("{key} = {json}")
}

/// `sha256:<hex>` of some bytes.
fn sha256_text(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The parts a release approval covers, in their canonical order: first
/// `sbom sha256:<hex of the release SBOM file>`, then one
/// [`Evaluation::release_part`] for each evaluation in force for the baseline,
/// sorted as text (duplicates once).
pub fn release_parts(sbom_sha256: &str, evaluations: &[&Evaluation]) -> Vec<String> {
    let mut evaluation_parts: Vec<String> = evaluations.iter().map(|e| e.release_part()).collect();
    evaluation_parts.sort();
    evaluation_parts.dedup();
    std::iter::once(format!("sbom sha256:{sbom_sha256}"))
        .chain(evaluation_parts)
        .collect()
}

/// `sha256:<hex>` over the parts, each followed by `\n`, in the order given:
/// a release approval's digest.
pub fn parts_digest(parts: &[String]) -> String {
    let text: String = parts.iter().map(|part| format!("{part}\n")).collect();
    sha256_text(text.as_bytes())
}

/// What a part is about, without its digest: `sbom`, or `evaluation <advisory> <purl>`.
pub fn part_subject(part: &str) -> &str {
    part.rsplit_once(' ').map_or(part, |(subject, _)| subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, VexStatus};
    use time::macros::date;

    fn evaluation() -> Evaluation {
        Evaluation {
            advisory: "RUSTSEC-2024-0421".into(),
            aliases: vec!["GHSA-h97m-ww89-6jmq".into(), "CVE-2024-12224".into()],
            purl: "pkg:cargo/idna@0.5.0".into(),
            by: "Jane Doe <jane@example.com>".into(),
            date: date!(2026 - 11 - 24),
            review_by: date!(2027 - 11 - 24),
            advisory_modified: "2025-01-05T12:00:00Z".into(),
            advisory_hash:
                "sha256:32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162".into(),
            hazardous: false,
            hazards: vec![],
            risk_controls: vec![],
            vex_status: VexStatus::Affected,
            vex_justification: None,
            action: Action::Update,
            rationale: "Punycode \"labels\"\nare not parsed here.".into(),
            carried_from: None,
        }
    }

    #[test]
    fn canonical_text_is_one_json_value_per_line() {
        let expected = concat!(
            "cargo-soup evaluation v1\n",
            "advisory = \"RUSTSEC-2024-0421\"\n",
            "aliases = [\"GHSA-h97m-ww89-6jmq\",\"CVE-2024-12224\"]\n",
            "purl = \"pkg:cargo/idna@0.5.0\"\n",
            "by = \"Jane Doe <jane@example.com>\"\n",
            "date = \"2026-11-24\"\n",
            "review_by = \"2027-11-24\"\n",
            "advisory_modified = \"2025-01-05T12:00:00Z\"\n",
            "advisory_hash = \"sha256:32c93f3b958dd17e286bc54ffe8b2260f3dced9c2b25b7fdd4058b6c82974162\"\n",
            "hazardous = false\n",
            "hazards = []\n",
            "risk_controls = []\n",
            "vex_status = \"affected\"\n",
            "action = \"update\"\n",
            "rationale = \"Punycode \\\"labels\\\"\\nare not parsed here.\"\n",
        );
        assert_eq!(evaluation().canonical_text(), expected);
        assert_eq!(
            evaluation().digest(),
            format!("sha256:{}", hex::encode(Sha256::digest(expected)))
        );
    }

    #[test]
    fn any_edit_changes_the_digest() {
        let original = evaluation().digest();
        let mut edited = evaluation();
        edited.rationale = edited.rationale.replacen('P', "p", 1);
        assert_ne!(edited.digest(), original);
        let mut carried = evaluation();
        carried.carried_from = Some(String::new());
        assert_ne!(carried.digest(), original);
        let mut moved = evaluation();
        moved.aliases.reverse();
        assert_ne!(moved.digest(), original);
    }

    #[test]
    fn release_parts_put_the_sbom_first_and_sort_the_rest() {
        let a = evaluation();
        let mut b = evaluation();
        b.advisory = "RUSTSEC-2020-0001".into();
        let parts = release_parts("ab", &[&a, &b, &a]);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "sbom sha256:ab");
        assert_eq!(part_subject(&parts[0]), "sbom");
        assert_eq!(
            parts[1],
            format!(
                "evaluation RUSTSEC-2020-0001 pkg:cargo/idna@0.5.0 {}",
                b.digest()
            )
        );
        assert_eq!(
            part_subject(&parts[2]),
            "evaluation RUSTSEC-2024-0421 pkg:cargo/idna@0.5.0"
        );
        assert_eq!(
            parts_digest(&parts),
            sha256_text(format!("{}\n{}\n{}\n", parts[0], parts[1], parts[2]).as_bytes())
        );
    }
}
