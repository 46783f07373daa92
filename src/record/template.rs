//! The text of a new record (`cargo soup init`): every section explained for a
//! first-time user, with the default policy and sources.

use toml_edit::Value;

use super::SafetyClass;

const TEMPLATE: &str = include_str!("../../data/soup-register.template.toml");

/// A fully commented new record for a system; it loads and is canonical.
pub fn init_text(name: &str, class: SafetyClass, manufacturer: Option<&str>) -> String {
    let manufacturer_line = match manufacturer {
        Some(manufacturer) => format!("manufacturer = {}", Value::from(manufacturer)),
        None => "# manufacturer = \"...\"          # optional: who makes the system".to_string(),
    };
    fill(&[
        ("{system}", one_line(name)),
        ("{name}", Value::from(name).to_string()),
        ("{class}", Value::from(class.as_str()).to_string()),
        ("{manufacturer}", manufacturer_line),
    ])
}

/// The template with each placeholder replaced in one pass, so a value that
/// looks like a placeholder stays as it is.
fn fill(values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(TEMPLATE.len());
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find('{') {
        let (before, tail) = rest.split_at(start);
        out.push_str(before);
        match values
            .iter()
            .find(|(placeholder, _)| tail.starts_with(placeholder))
        {
            Some((placeholder, value)) => {
                out.push_str(value);
                rest = &tail[placeholder.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` made safe for a one-line comment.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordFile;
    use std::path::Path;

    #[test]
    fn names_are_quoted_as_toml() {
        let text = init_text("pump \"fw\"\nx {class}", SafetyClass::C, Some("ACME"));
        let file = RecordFile::parse(Path::new("soup-register.toml"), &text).unwrap();
        assert_eq!(file.record().system.name, "pump \"fw\"\nx {class}");
        assert_eq!(file.record().system.manufacturer.as_deref(), Some("ACME"));
        assert!(text.starts_with(
            "# soup-register.toml — the SOUP record of pump \"fw\" x {class} (IEC 62304"
        ));
    }
}
