//! cargo-soup keeps the SOUP records IEC 62304 asks for.
//!
//! Data flows one way (DESIGN.md §4): the [`inventory`] reads lockfiles and
//! SBOMs into [`model::Component`]s; the [`register`] pins them in SQLite; the
//! [`advisory`] stage matches published anomaly lists (OSV) against the pins;
//! [`evaluate`] tracks each anomaly's hazard evaluation, kept in the [`record`]
//! (`soup-register.toml`), where a second person's SSH-signed [`approval`]s of
//! evaluations and releases are kept too; [`report`] writes what an auditor
//! reads. A [`project::Project`] owns one command run and offers every
//! operation; the [`cli`] only builds it, renders what it returns and picks the
//! exit code.

pub mod advisory;
pub mod approval;
pub mod cli;
pub mod digest;
pub mod evaluate;
pub mod inventory;
pub mod model;
pub mod net;
pub mod out;
pub mod project;
pub mod record;
pub mod register;
pub mod report;
