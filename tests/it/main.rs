//! The integration tests: one binary, one module per capability.

mod advisory_match;
mod cli;
mod fetch;
mod inventory;
mod lifecycle;
mod prompts;
mod record;
mod releases;
mod report;
mod server;
