//! What the tool writes for people and machines other than the terminal: the
//! report model with one renderer per format (the SOUP list an auditor reads,
//! the VEX SBOM, SARIF), the release diff, and the JSON view of each read
//! command (`list`, `audit`, `check`, `diff`, `report`), each beside its schema
//! in `schemas/`.

pub mod audit;
pub mod changes;
pub mod check;
pub mod control;
pub mod csv;
pub mod cyclonedx;
pub mod diff;
pub mod diff_text;
pub mod document;
pub mod fda;
pub mod html;
pub mod list;
pub mod markdown;
pub mod model;
pub mod openvex;
pub mod sarif;
pub mod sections;
pub mod soup_list;
pub mod verify;
