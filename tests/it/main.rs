//! The integration tests: one binary, one module per capability.

mod advisory_match;
mod approvals;
mod approve;
mod bad_input;
mod binary;
mod cli;
mod concurrency;
mod crash;
mod device_report;
mod document_control;
mod ecosystems;
mod engine;
mod fetch;
mod inventory;
mod lifecycle;
mod print;
mod prompts;
mod record;
mod releases;
mod report;
mod reuse;
mod support;
mod yanked;
