//! The recording fake of Barry: one implementation with the local IKE's stand-in, in
//! `src/local/barry` (it speaks the contract in `src/controller/notify/barry.rs`).

// Each test binary uses only some of these.
#[allow(unused_imports)]
pub use ike::local::barry::{BarryFake, FakeChannel, check_webhook_body};
