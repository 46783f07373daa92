//! What the tool writes for people and machines other than the terminal: the
//! documented JSON schemas of each read command.

pub mod audit;
pub mod diff;
