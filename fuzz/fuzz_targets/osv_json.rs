//! `Advisory::from_json` on arbitrary bytes and, when it parses, the matcher
//! against components built from the record's own packages and versions, so
//! the range evaluation sees every version string the input contains.
#![no_main]

use cargo_soup::advisory::matcher::{find_anomalies, unordered_ecosystems};
use cargo_soup::advisory::osv::Advisory;
use cargo_soup::model::{Component, Ecosystem};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(advisory) = Advisory::from_json(data) else {
        return;
    };
    let components = components_of(&advisory);
    let _ = find_anomalies(&components, std::slice::from_ref(&advisory));
    let _ = unordered_ecosystems(&components);
    let _ = advisory.kind();
    let _ = advisory.cvss();
    for component in &components {
        let _ = advisory.fixed_versions(component);
    }
});

/// One component per (package, version mentioned anywhere for it), plus a
/// few fixed versions, capped so one input cannot take long.
fn components_of(advisory: &Advisory) -> Vec<Component> {
    let mut components = Vec::new();
    for affected in &advisory.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        let ecosystem = Ecosystem::from_osv_name(&package.ecosystem);
        let mut versions: Vec<&str> = vec!["0", "0.0.1", "1.0.0", "1.0.0-alpha.1", "999.0.0"];
        versions.extend(affected.versions.iter().map(String::as_str));
        for range in &affected.ranges {
            versions.extend(range.events.iter().map(|e| e.version()));
        }
        for version in versions.into_iter().take(64) {
            components.push(Component::new(ecosystem.clone(), &package.name, version));
        }
    }
    components.truncate(256);
    components
}
