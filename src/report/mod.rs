//! What an auditor and a dashboard read: the report model and one renderer per format.

pub mod csv;
pub mod cyclonedx;
pub mod document;
pub mod html;
pub mod markdown;
pub mod model;
pub mod openvex;
pub mod sarif;
