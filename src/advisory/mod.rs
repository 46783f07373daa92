//! Published anomaly lists (DESIGN.md §6). Every advisory is an OSV record
//! ([`osv::Advisory`]); RustSec's native markdown database is converted into one
//! ([`rustsec`]). [`version`] gives each ecosystem's version order and [`matcher`]
//! matches advisories against pinned components exactly as the OSV specification
//! says, grouping records that alias one another into one anomaly. [`records`]
//! is all the advisory store knows of OSV: keys in, raw JSON out. [`yanked`]
//! reads which crates.io versions their publishers withdrew, from cargo's own
//! index cache.

pub mod archive;
pub mod matcher;
pub mod osv;
pub mod records;
pub mod rustsec;
pub mod source;
pub mod version;
pub mod yanked;
