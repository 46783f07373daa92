//! The integration tests: one binary, one module per capability.

mod advisory_match;
mod fetch;
mod inventory;
mod record;
mod report;
