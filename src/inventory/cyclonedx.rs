//! CycloneDX 1.4, 1.5 and 1.6, JSON and XML, through `cyclonedx-bom`.
//!
//! `cyclonedx-bom` knows specs up to 1.5; 1.6 is read through the 1.5 model
//! (JSON: `specVersion` set to "1.5"; XML: the 1.6 namespace renamed to 1.5).
//! Unknown 1.6 fields are ignored by its JSON model; its XML model is strict,
//! so 1.6-only XML elements are reported as errors rather than dropped.

use std::collections::HashSet;
use std::path::Path;

use cyclonedx_bom::models::component::{Component as CdxComponent, Scope as CdxScope};
use cyclonedx_bom::models::license::{LicenseChoice, LicenseIdentifier, Licenses};
use cyclonedx_bom::prelude::Bom;

use super::graph::{DepGraph, EdgeKind};
use super::purl::sbom_component;
use super::{
    InputFormat, Inventory, InventoryError, finish, json_error, line_at, pick_checksum, utf8_text,
};
use crate::model::{Component, Scope};

/// The CycloneDX XML namespace, followed by the spec version.
pub(super) const XML_NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Parses CycloneDX JSON bytes into an inventory.
pub fn parse_cyclonedx_json(
    path_for_messages: &Path,
    bytes: &[u8],
) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let text = utf8_text(path, bytes)?;
    let value = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    from_json_value(path, bytes, value)
}

/// Reads an already parsed CycloneDX JSON document (`bytes` are its file's, for the hash).
pub(super) fn from_json_value(
    path: &Path,
    bytes: &[u8],
    mut value: serde_json::Value,
) -> Result<Inventory, InventoryError> {
    let version = match value.get("specVersion") {
        Some(serde_json::Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None => {
            return Err(InventoryError::UnknownFormat {
                path: path.to_path_buf(),
                reason: "CycloneDX JSON without `specVersion`".to_string(),
            });
        }
    };
    check_spec_version(path, &version)?;
    if version == "1.6"
        && let Some(field) = value.get_mut("specVersion")
    {
        *field = serde_json::Value::String("1.5".to_string());
    }
    let bom = Bom::parse_json_value(value).map_err(|e| InventoryError::Syntax {
        path: path.to_path_buf(),
        line: None,
        message: format!("not a valid CycloneDX {version} document: {e}"),
    })?;
    from_bom(path, bytes, InputFormat::CycloneDxJson, &bom)
}

/// Parses CycloneDX XML bytes into an inventory; a document with a DTD is refused
/// before any parsing, so external entities are never resolved.
pub fn parse_cyclonedx_xml(
    path_for_messages: &Path,
    bytes: &[u8],
) -> Result<Inventory, InventoryError> {
    let path = path_for_messages;
    let text = utf8_text(path, bytes)?;
    refuse_doctype(path, text)?;
    // Fix (hostile input): the XML reader recurses per element, so a deeply
    // nested document overflowed the stack and aborted the process.
    refuse_deep_nesting(path, text)?;
    let version = xml_spec_version(text).ok_or_else(|| InventoryError::UnknownFormat {
        path: path.to_path_buf(),
        reason: format!("XML without the CycloneDX namespace `{XML_NAMESPACE}<version>`"),
    })?;
    check_spec_version(path, version)?;
    let syntax = |e: cyclonedx_bom::errors::XmlReadError| InventoryError::Syntax {
        path: path.to_path_buf(),
        line: None,
        message: format!("not a valid CycloneDX {version} document: {e}"),
    };
    let bom = match version {
        "1.4" => Bom::parse_from_xml_v1_4(text.as_bytes()).map_err(syntax)?,
        "1.5" => Bom::parse_from_xml_v1_5(text.as_bytes()).map_err(syntax)?,
        _ => {
            let renamed = text.replace(
                &format!("{XML_NAMESPACE}1.6"),
                &format!("{XML_NAMESPACE}1.5"),
            );
            Bom::parse_from_xml_v1_5(renamed.as_bytes()).map_err(syntax)?
        }
    };
    from_bom(path, bytes, InputFormat::CycloneDxXml, &bom)
}

/// Refuses any document type declaration (case-insensitively, wherever it is).
fn refuse_doctype(path: &Path, text: &str) -> Result<(), InventoryError> {
    let lower = text.to_ascii_lowercase();
    match lower.find("<!doctype").or_else(|| lower.find("<!entity")) {
        Some(offset) => Err(InventoryError::XmlDoctype {
            path: path.to_path_buf(),
            line: Some(line_at(text.as_bytes(), offset)),
        }),
        None => Ok(()),
    }
}

/// Deepest element nesting accepted in XML: real SBOMs nest a few levels;
/// the XML reader recurses per element and must stay within a thread's stack.
const MAX_XML_DEPTH: usize = 100;

/// Refuses XML whose elements nest deeper than [`MAX_XML_DEPTH`], counting
/// start tags against end tags (comments, CDATA and declarations do not nest).
fn refuse_deep_nesting(path: &Path, text: &str) -> Result<(), InventoryError> {
    let mut depth: usize = 0;
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let tag = &rest[start + 1..];
        let end = tag.find('>').unwrap_or(tag.len());
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !tag.starts_with(['!', '?']) && !tag[..end].ends_with('/') {
            depth += 1;
            if depth > MAX_XML_DEPTH {
                return Err(InventoryError::Syntax {
                    path: path.to_path_buf(),
                    line: Some(line_at(text.as_bytes(), text.len() - rest.len() + start)),
                    message: format!("elements nest deeper than {MAX_XML_DEPTH} levels"),
                });
            }
        }
        rest = &tag[end..];
    }
    Ok(())
}

/// The spec version named by the first CycloneDX namespace in the document.
fn xml_spec_version(text: &str) -> Option<&str> {
    let start = text.find(XML_NAMESPACE)? + XML_NAMESPACE.len();
    let rest = text.get(start..)?;
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    rest.get(..end)
}

/// Accepts exactly the spec versions this reader supports.
fn check_spec_version(path: &Path, version: &str) -> Result<(), InventoryError> {
    if matches!(version, "1.4" | "1.5" | "1.6") {
        Ok(())
    } else {
        Err(InventoryError::UnsupportedCycloneDxVersion {
            path: path.to_path_buf(),
            version: version.to_string(),
        })
    }
}

/// Maps a parsed BOM: `metadata.component` (and its nested components) is the
/// product; every other component, nested ones included, is SOUP.
fn from_bom(
    path: &Path,
    bytes: &[u8],
    format: InputFormat,
    bom: &Bom,
) -> Result<Inventory, InventoryError> {
    let product_entries: Vec<&CdxComponent> = bom
        .metadata
        .as_ref()
        .and_then(|m| m.component.as_ref())
        .map(|c| flatten(std::slice::from_ref(c)))
        .unwrap_or_default();
    let product_refs: HashSet<&str> = product_entries
        .iter()
        .filter_map(|c| c.bom_ref.as_deref())
        .collect();
    let product_keys: HashSet<String> = product_entries
        .iter()
        .filter_map(|c| to_component(path, c).ok())
        .map(|c| c.key().into_owned())
        .collect();
    let mut soup = Vec::new();
    let top = bom
        .components
        .as_ref()
        .map(|c| c.0.as_slice())
        .unwrap_or_default();
    for entry in flatten(top) {
        if entry
            .bom_ref
            .as_deref()
            .is_some_and(|r| product_refs.contains(r))
        {
            continue;
        }
        let component = to_component(path, entry)?;
        if !product_keys.contains(component.key().as_ref()) {
            soup.push((entry.bom_ref.as_deref(), component));
        }
    }
    add_dependency_paths(bom, &product_entries, &mut soup);
    let components = soup.into_iter().map(|(_, c)| c).collect();
    let product = product_entries.iter().map(|c| c.name.to_string()).collect();
    Ok(finish(path, bytes, format, components, product))
}

/// Fills `direct` and `dependency_path` from the BOM's `dependencies`: from
/// the product entries when there are any, otherwise from the components that
/// nothing depends on (see [`mark_from_top_level`]); else both stay unknown.
fn add_dependency_paths(
    bom: &Bom,
    product: &[&CdxComponent],
    soup: &mut [(Option<&str>, Component)],
) {
    let dependencies = bom
        .dependencies
        .as_ref()
        .map(|d| d.0.as_slice())
        .unwrap_or_default();
    let product_nodes = product
        .iter()
        .map(|c| (c.bom_ref.as_deref(), c.name.to_string()));
    let soup_nodes = soup.iter().map(|(r, c)| (*r, c.name.clone()));
    let (mut graph, index) = DepGraph::labelled(product_nodes.chain(soup_nodes));
    let mut in_graph = HashSet::new();
    let mut depended_on = HashSet::new();
    for d in dependencies {
        let Some(&from) = index.get(d.dependency_ref.as_str()) else {
            continue;
        };
        in_graph.insert(from);
        for &to in d.dependencies.iter().filter_map(|r| index.get(r.as_str())) {
            graph.add_edge(from, to, EdgeKind::Unknown);
            in_graph.insert(to);
            depended_on.insert(to);
        }
    }
    let first_soup = product.len();
    if product.is_empty() {
        let top_level = in_graph.difference(&depended_on).copied().collect();
        mark_from_top_level(&mut graph, top_level, &in_graph, soup);
    } else {
        let roots: Vec<usize> = (0..first_soup).collect();
        let targets = soup.iter_mut().enumerate();
        graph.mark_reach(&roots, targets.map(|(i, (_, c))| (first_soup + i, c)));
    }
}

/// A BOM without a product (an environment, such as cyclonedx-py's) still
/// has a graph: the components nothing depends on are the direct ones, and
/// each path starts at one of them. Components the graph does not mention
/// stay unknown.
fn mark_from_top_level(
    graph: &mut DepGraph,
    top_level: Vec<usize>,
    in_graph: &HashSet<usize>,
    soup: &mut [(Option<&str>, Component)],
) {
    // An unnamed root above the top-level components, left out of the paths.
    let root = graph.add_node("");
    for node in top_level {
        graph.add_edge(root, node, EdgeKind::Unknown);
    }
    let targets = soup
        .iter_mut()
        .enumerate()
        .filter(|(node, _)| in_graph.contains(node))
        .map(|(node, (_, c))| (node, c));
    graph.mark_reach(&[root], targets);
    // Every path found starts at the unnamed root; the others are still empty.
    for (_, c) in soup.iter_mut() {
        if !c.dependency_path.is_empty() {
            c.dependency_path.remove(0);
        }
    }
}

/// The components and all their nested components, depth first.
fn flatten(components: &[CdxComponent]) -> Vec<&CdxComponent> {
    let mut out = Vec::new();
    for c in components {
        out.push(c);
        if let Some(nested) = &c.components {
            out.extend(flatten(&nested.0));
        }
    }
    out
}

/// One CycloneDX component as a SOUP component.
fn to_component(path: &Path, c: &CdxComponent) -> Result<Component, InventoryError> {
    let name = match &c.group {
        Some(group) if c.purl.is_none() => format!("{group}/{}", c.name),
        _ => c.name.to_string(),
    };
    let version = c.version.as_ref().map(|v| v.to_string());
    let purl = c.purl.as_ref().map(|p| p.to_string());
    let mut out = sbom_component(path, &name, version.as_deref(), purl.as_deref())?;
    out.checksum = c.hashes.as_ref().and_then(|h| {
        pick_checksum(
            h.0.iter()
                .map(|h| (h.alg.to_string(), h.content.0.as_str())),
        )
    });
    out.licenses = c.licenses.as_ref().and_then(spdx_expression);
    out.supplier = supplier(c);
    out.cpe = c.cpe.as_ref().map(|cpe| cpe.to_string());
    out.scope = match c.scope {
        Some(CdxScope::Required) => Scope::Runtime,
        Some(CdxScope::Excluded) => Scope::Dev,
        _ => Scope::Unknown,
    };
    Ok(out)
}

/// Who publishes the component: supplier, else publisher, else author.
fn supplier(c: &CdxComponent) -> Option<String> {
    let from_supplier = c
        .supplier
        .as_ref()
        .and_then(|s| s.name.as_ref())
        .map(|n| n.to_string());
    from_supplier
        .or_else(|| c.publisher.as_ref().map(|p| p.to_string()))
        .or_else(|| c.author.as_ref().map(|a| a.to_string()))
        .filter(|s| !s.trim().is_empty())
}

/// The SPDX ids and expressions of a licence list, joined with `AND`;
/// free-text names are not SPDX and are left out.
fn spdx_expression(licenses: &Licenses) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for choice in &licenses.0 {
        let part = match choice {
            LicenseChoice::Expression(e) => e.to_string(),
            LicenseChoice::License(l) => match &l.license_identifier {
                LicenseIdentifier::SpdxId(id) => id.to_string(),
                LicenseIdentifier::Name(_) => continue,
            },
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if p.contains(' ') {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL_JSON: &str = r#"{"bomFormat":"CycloneDX","specVersion":"VERSION","version":1,
      "metadata":{"component":{"type":"application","name":"app","version":"1.0.0","bom-ref":"app"}},
      "components":[
        {"type":"library","name":"a","version":"1.0.0","purl":"pkg:npm/a@1.0.0","scope":"required",
         "licenses":[{"license":{"id":"MIT"}},{"expression":"Apache-2.0 OR MIT"},{"license":{"name":"Custom"}}],
         "hashes":[{"alg":"SHA-1","content":"aa"},{"alg":"SHA-256","content":"bb"}],
         "supplier":{"name":"Acme"},
         "components":[{"type":"library","name":"b","version":"2.0.0","purl":"pkg:npm/b@2.0.0","scope":"excluded"}]},
        {"type":"library","name":"app","version":"1.0.0","bom-ref":"app"},
        {"type":"library","name":"openssl","version":"3.0.2","cpe":"cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*"}
      ]}"#;

    /// A CycloneDX 1.6 XML document with `levels` components nested in one another.
    fn nested_xml(levels: usize) -> String {
        let open = "<component type=\"library\"><name>a</name><version>1</version><components>";
        format!(
            "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"1\">\
             <components>{}{}</components></bom>",
            open.repeat(levels),
            "</components></component>".repeat(levels)
        )
    }

    #[test]
    fn xml_nested_to_the_limit_is_read_in_a_test_threads_stack() {
        // bom + components, then two elements per level: 98 of 100 used.
        let inv = parse_cyclonedx_xml(Path::new("bom.xml"), nested_xml(48).as_bytes()).unwrap();
        assert_eq!(inv.components.len(), 1);
    }

    #[test]
    fn xml_nested_past_the_limit_is_refused_not_a_stack_overflow() {
        for levels in [50, 5000] {
            let err = parse_cyclonedx_xml(Path::new("bom.xml"), nested_xml(levels).as_bytes())
                .unwrap_err();
            assert!(err.to_string().contains("bom.xml line 2"), "{err}");
            assert!(err.to_string().contains("deeper than 100"), "{err}");
        }
    }

    #[test]
    fn xml_depth_ignores_self_closing_tags_comments_and_declarations() {
        let text = format!(
            "<?xml version=\"1.0\"?><!-- c --><a>{}</a>",
            "<b/><![CDATA[x]]>".repeat(500)
        );
        assert!(refuse_deep_nesting(Path::new("x.xml"), &text).is_ok());
    }

    fn parse(version: &str) -> Result<Inventory, InventoryError> {
        let text = MINIMAL_JSON.replace("VERSION", version);
        parse_cyclonedx_json(Path::new("bom.json"), text.as_bytes())
    }

    #[test]
    fn json_components_are_flattened_and_mapped() {
        for version in ["1.4", "1.5", "1.6"] {
            let inv = parse(version).unwrap();
            assert_eq!(inv.product, vec!["app"]);
            let keys: Vec<String> = inv
                .components
                .iter()
                .map(|c| c.key().into_owned())
                .collect();
            assert_eq!(
                keys,
                [
                    "pkg:npm/a@1.0.0",
                    "pkg:npm/b@2.0.0",
                    "generic:openssl@3.0.2"
                ]
            );
            let a = &inv.components[0];
            assert_eq!(a.licenses.as_deref(), Some("MIT AND (Apache-2.0 OR MIT)"));
            assert_eq!(a.checksum.as_deref(), Some("sha256:bb"));
            assert_eq!(a.supplier.as_deref(), Some("Acme"));
            assert_eq!(a.scope, Scope::Runtime);
            assert_eq!(inv.components[1].scope, Scope::Dev);
            assert_eq!(inv.components[2].scope, Scope::Unknown);
            assert!(
                inv.components[2]
                    .cpe
                    .as_deref()
                    .is_some_and(|c| c.starts_with("cpe:2.3:a:openssl"))
            );
        }
    }

    #[test]
    fn other_spec_versions_are_refused_by_name() {
        for version in ["1.2", "1.3", "2.0"] {
            let err = parse(version).unwrap_err();
            assert!(
                matches!(&err, InventoryError::UnsupportedCycloneDxVersion { version: v, .. } if v == version)
            );
            assert!(err.to_string().contains("bom.json"));
        }
    }

    #[test]
    fn xml_version_comes_from_the_namespace() {
        assert_eq!(
            xml_spec_version(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6">"#),
            Some("1.6")
        );
        assert_eq!(xml_spec_version("<bom>"), None);
    }

    #[test]
    fn xml_is_read_for_every_supported_version() {
        for version in ["1.4", "1.5", "1.6"] {
            let xml = format!(
                r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/{version}" version="1">
  <metadata><component type="application"><name>app</name><version>1</version></component></metadata>
  <components>
    <component type="library"><name>a</name><version>1.0.0</version><scope>required</scope>
      <purl>pkg:npm/a@1.0.0</purl>
      <components><component type="library"><name>b</name><version>2.0.0</version></component></components>
    </component>
  </components>
</bom>"#
            );
            let inv = parse_cyclonedx_xml(Path::new("b.xml"), xml.as_bytes()).unwrap();
            let keys: Vec<String> = inv
                .components
                .iter()
                .map(|c| c.key().into_owned())
                .collect();
            assert_eq!(keys, ["pkg:npm/a@1.0.0", "generic:b@2.0.0"], "{version}");
            assert_eq!(inv.product, vec!["app"]);
        }
        let old = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.3\"/>";
        let err = parse_cyclonedx_xml(Path::new("b.xml"), old.as_bytes()).unwrap_err();
        assert!(
            matches!(err, InventoryError::UnsupportedCycloneDxVersion { .. }),
            "{err}"
        );
    }

    #[test]
    fn any_dtd_is_refused() {
        let xml = "<?xml version=\"1.0\"?>\n<!doctype bom>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>";
        let err = parse_cyclonedx_xml(Path::new("b.xml"), xml.as_bytes()).unwrap_err();
        assert!(
            matches!(err, InventoryError::XmlDoctype { line: Some(2), .. }),
            "{err}"
        );
    }
}
