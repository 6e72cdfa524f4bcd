//! Leaf utilities shared by the CLI, the client layer and the controller. Nothing here imports
//! another module of this crate.

pub mod fs;
pub mod logging;
pub mod time;
