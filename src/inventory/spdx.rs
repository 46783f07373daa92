//! SPDX 2.x JSON, through a private mirror of only the fields the inventory
//! needs.
//!
//! The described packages (`documentDescribes`, `DESCRIBES` / `DESCRIBED_BY`
//! relationships, and the packages a described file was `GENERATED_FROM`) are
//! the product. Packages are keyed by purl, else name and version, never by
//! SPDX id, and the first of two packages with one key wins. `DEPENDS_ON` and
//! `DEPENDENCY_OF` relationships from the product give `direct` and the
//! dependency path.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::graph::{DepGraph, EdgeKind};
use super::purl::sbom_component;
use super::{InputFormat, Inventory, InventoryError, finish, json_error, pick_checksum, utf8_text};
use crate::model::Component;

/// The document, only what the inventory needs.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDocument {
    spdx_version: Option<String>,
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    packages: Vec<RawPackage>,
    #[serde(default)]
    relationships: Vec<RawRelationship>,
}

/// One package.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
    name: String,
    version_info: Option<String>,
    supplier: Option<String>,
    originator: Option<String>,
    license_concluded: Option<String>,
    license_declared: Option<String>,
    #[serde(default)]
    external_refs: Vec<RawExternalRef>,
    #[serde(default)]
    checksums: Vec<RawChecksum>,
}

/// A package's external reference (purl, CPE, ...).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExternalRef {
    reference_type: String,
    reference_locator: String,
}

/// A package checksum.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawChecksum {
    algorithm: String,
    checksum_value: String,
}

/// A relationship between two SPDX elements.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRelationship {
    spdx_element_id: String,
    related_spdx_element: String,
    relationship_type: String,
}

/// Parses SPDX 2.x JSON bytes into an inventory.
pub fn parse_spdx_json(
    path_for_messages: &Path,
    bytes: &[u8],
) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let text = utf8_text(path, bytes)?;
    let doc: RawDocument = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    check_version(path, doc.spdx_version.as_deref())?;
    let described = described_ids(&doc);
    let (product, soup): (Vec<&RawPackage>, Vec<&RawPackage>) =
        doc.packages.iter().partition(|p| {
            p.spdx_id
                .as_deref()
                .is_some_and(|id| described.contains(id))
        });
    let product_keys: HashSet<String> = product
        .iter()
        .filter_map(|p| to_component(path, p).ok())
        .map(|c| c.key().into_owned())
        .collect();
    let mut components = Vec::new();
    for package in &soup {
        let component = to_component(path, package)?;
        if !product_keys.contains(component.key().as_ref()) {
            components.push((package.spdx_id.as_deref(), component));
        }
    }
    add_dependency_paths(&doc.relationships, &product, &mut components);
    let components = components.into_iter().map(|(_, c)| c).collect();
    let product = product.iter().map(|p| p.name.clone()).collect();
    Ok(finish(
        path,
        bytes,
        InputFormat::SpdxJson,
        components,
        product,
    ))
}

/// Accepts any `SPDX-2.x`; a document without `spdxVersion` is not SPDX.
fn check_version(path: &Path, version: Option<&str>) -> Result<(), InventoryError> {
    match version {
        Some(v) if v.starts_with("SPDX-2.") => Ok(()),
        Some(v) => Err(InventoryError::UnsupportedSpdxVersion {
            path: path.to_path_buf(),
            version: v.to_string(),
        }),
        None => Err(InventoryError::UnknownFormat {
            path: path.to_path_buf(),
            reason: "JSON without `spdxVersion` is not an SPDX document".to_string(),
        }),
    }
}

/// The SPDX ids of what the document describes, and of the packages a
/// described element was generated from.
fn described_ids(doc: &RawDocument) -> HashSet<&str> {
    let document = doc.spdx_id.as_deref().unwrap_or("SPDXRef-DOCUMENT");
    let mut described: HashSet<&str> = doc.document_describes.iter().map(String::as_str).collect();
    for r in &doc.relationships {
        match r.relationship_type.as_str() {
            "DESCRIBES" if r.spdx_element_id == document => {
                described.insert(&r.related_spdx_element);
            }
            "DESCRIBED_BY" if r.related_spdx_element == document => {
                described.insert(&r.spdx_element_id);
            }
            _ => {}
        }
    }
    let generated_from: Vec<&str> = doc
        .relationships
        .iter()
        .filter_map(|r| match r.relationship_type.as_str() {
            "GENERATED_FROM" if described.contains(r.spdx_element_id.as_str()) => {
                Some(r.related_spdx_element.as_str())
            }
            "GENERATES" if described.contains(r.related_spdx_element.as_str()) => {
                Some(r.spdx_element_id.as_str())
            }
            _ => None,
        })
        .collect();
    described.extend(generated_from);
    described
}

/// Fills `direct` and `dependency_path` from the `DEPENDS_ON` and
/// `DEPENDENCY_OF` relationships, starting at the product packages; both stay
/// unknown when no product package depends on anything.
fn add_dependency_paths(
    relationships: &[RawRelationship],
    product: &[&RawPackage],
    soup: &mut [(Option<&str>, Component)],
) {
    let product_nodes = product
        .iter()
        .map(|p| (p.spdx_id.as_deref(), p.name.clone()));
    let soup_nodes = soup.iter().map(|(id, c)| (*id, c.name.clone()));
    let (mut graph, index) = DepGraph::labelled(product_nodes.chain(soup_nodes));
    for r in relationships {
        let (from, to) = match r.relationship_type.as_str() {
            "DEPENDS_ON" => (&r.spdx_element_id, &r.related_spdx_element),
            "DEPENDENCY_OF" => (&r.related_spdx_element, &r.spdx_element_id),
            _ => continue,
        };
        if let (Some(&from), Some(&to)) = (index.get(from.as_str()), index.get(to.as_str())) {
            graph.add_edge(from, to, EdgeKind::Unknown);
        }
    }
    let first_soup = product.len();
    let roots: Vec<usize> = (0..first_soup).collect();
    let targets = soup.iter_mut().enumerate();
    graph.mark_reach(&roots, targets.map(|(i, (_, c))| (first_soup + i, c)));
}

/// One package as a SOUP component.
fn to_component(path: &Path, p: &RawPackage) -> Result<Component, InventoryError> {
    let reference = |types: &[&str]| {
        types.iter().find_map(|t| {
            p.external_refs
                .iter()
                .find(|r| r.reference_type == *t)
                .map(|r| r.reference_locator.as_str())
        })
    };
    let version = p.version_info.as_deref().and_then(known);
    let mut c = sbom_component(path, &p.name, version, reference(&["purl"]))?;
    c.cpe = reference(&["cpe23Type", "cpe22Type"]).map(str::to_string);
    c.supplier = [&p.supplier, &p.originator]
        .into_iter()
        .find_map(|s| s.as_deref().and_then(party));
    c.licenses = [&p.license_concluded, &p.license_declared]
        .into_iter()
        .find_map(|l| l.as_deref().and_then(known))
        .map(str::to_string);
    c.checksum = pick_checksum(
        p.checksums
            .iter()
            .map(|s| (&s.algorithm, &s.checksum_value)),
    );
    Ok(c)
}

/// The value unless SPDX says it is not known (`NOASSERTION`, `NONE`, empty).
fn known(value: &str) -> Option<&str> {
    let value = value.trim();
    (!matches!(value, "" | "NOASSERTION" | "NONE")).then_some(value)
}

/// The name in `Organization: X` / `Person: Y` / `Tool: Z`; `None` when not known.
fn party(value: &str) -> Option<String> {
    let value = known(value)?;
    let name = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|prefix| value.strip_prefix(prefix))
        .unwrap_or(value)
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT",
      "creationInfo":{"created":"2024-01-01T00:00:00.123Z"},
      "packages":[
        {"SPDXID":"SPDXRef-app","name":"app","versionInfo":"1.0"},
        {"SPDXID":"SPDXRef-a","name":"Django","versionInfo":"3.2.4","supplier":"Organization: DSF",
         "licenseConcluded":"NOASSERTION","licenseDeclared":"BSD-3-Clause",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/django@3.2.4"}],
         "checksums":[{"algorithm":"SHA256","checksumValue":"AB"}]},
        {"SPDXID":"SPDXRef-a","name":"django","versionInfo":"3.2.4",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/django@3.2.4"}]},
        {"SPDXID":"SPDXRef-b","name":"zlib","versionInfo":"1.3","supplier":"NOASSERTION",
         "externalRefs":[{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"}]}
      ],
      "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-app","relationshipType":"DESCRIBES"}]}"#;

    #[test]
    fn packages_map_to_components() {
        let inv = parse_spdx_json(Path::new("s.json"), DOC.as_bytes()).unwrap();
        assert_eq!(inv.product, vec!["app"]);
        assert_eq!(
            inv.components.len(),
            2,
            "duplicate SPDX ids and purls collapse"
        );
        let django = &inv.components[0];
        assert_eq!(
            django.name, "Django",
            "the published name, the first entry's"
        );
        assert_eq!(django.supplier.as_deref(), Some("DSF"));
        assert_eq!(django.licenses.as_deref(), Some("BSD-3-Clause"));
        assert_eq!(django.checksum.as_deref(), Some("sha256:ab"));
        let zlib = &inv.components[1];
        assert_eq!(zlib.key(), "generic:zlib@1.3");
        assert_eq!(zlib.supplier, None);
        assert!(zlib.cpe.is_some());
    }

    #[test]
    fn json_that_is_not_spdx_names_the_file() {
        let err = parse_spdx_json(Path::new("s.json"), br#"{"packages":[]}"#).unwrap_err();
        assert!(matches!(err, InventoryError::UnknownFormat { .. }), "{err}");
        let err =
            parse_spdx_json(Path::new("s.json"), br#"{"spdxVersion":"SPDX-3.0"}"#).unwrap_err();
        assert!(err.to_string().contains("SPDX-3.0"), "{err}");
    }

    #[test]
    fn parties_lose_their_prefix() {
        assert_eq!(
            party("Person: Jane Doe (jane@example.com)").as_deref(),
            Some("Jane Doe (jane@example.com)")
        );
        assert_eq!(party("NOASSERTION"), None);
    }
}
