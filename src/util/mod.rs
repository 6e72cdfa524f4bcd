//! Leaf utilities shared by the CLI, the client layer and the controller. Nothing here imports
//! another module of this crate.

pub mod fs;
#[cfg(test)]
pub(crate) mod fuzz;
pub mod logging;
pub mod time;
