//! JSON Schema validation: the official schemas of the formats the tool
//! exports, and the schemas of its own JSON outputs in `schemas/`.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::fixture;

/// The official schemas in `tests/fixtures/schemas`, served by file name so no network is used.
pub struct LocalSchemas(HashMap<String, Value>);

impl LocalSchemas {
    pub fn load() -> Self {
        let folder = fixture("schemas");
        let mut schemas = HashMap::new();
        for entry in std::fs::read_dir(&folder).expect("schema folder reads") {
            let path = entry.expect("schema entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("schema reads");
            schemas.insert(name, serde_json::from_str(&text).expect("schema is JSON"));
        }
        LocalSchemas(schemas)
    }

    pub fn get(&self, name: &str) -> Value {
        self.0
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("schema {name} missing"))
    }
}

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        let snapshot = name.replace(".schema.json", ".SNAPSHOT.schema.json");
        self.0
            .get(name)
            .or_else(|| self.0.get(&snapshot))
            .cloned()
            .ok_or_else(|| format!("no local copy of {uri}").into())
    }
}

pub fn assert_valid(schema_file: &str, instance: &Value) {
    let schemas = LocalSchemas::load();
    let schema = schemas.get(schema_file);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(schemas)
        .build(&schema)
        .expect("schema compiles offline");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:#?}");
}

/// The validator of the documented schema `schemas/<name>`.
pub fn documented(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the documented schema compiles")
}

/// Asserts `instance` is valid against the documented schema `schemas/<name>`.
pub fn assert_documented(name: &str, instance: &serde_json::Value) {
    let errors: Vec<String> = documented(name)
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
}
