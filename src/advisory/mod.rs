//! Published anomaly lists: OSV records, their version order per ecosystem, and
//! matching them against pinned components.

pub mod archive;
pub mod matcher;
pub mod osv;
pub mod rustsec;
pub mod source;
pub mod version;
