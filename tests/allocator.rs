//! ike-controller runs on jemalloc with the options its binary declares. A misspelt options
//! symbol would be ignored in silence (jemalloc then keeps eight arenas, and freed pages for ten
//! seconds): this reads the options back from jemalloc's own statistics.

#![cfg(target_os = "linux")]

use std::process::Command;

#[test]
fn the_controller_allocates_with_jemalloc_in_two_arenas_returning_freed_pages_at_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_ike-controller"))
        .arg("crds")
        // jemalloc's run-time options (prefixed, as the crate builds it): print its statistics
        // at exit; they start with the options in force.
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("run ike-controller crds");
    assert!(out.status.success(), "ike-controller crds failed: {out:?}");
    let stats = String::from_utf8_lossy(&out.stderr);
    for option in [
        "opt.narenas: 2",
        "opt.dirty_decay_ms: 0",
        "opt.muzzy_decay_ms: 0",
    ] {
        assert!(
            stats.contains(option),
            "jemalloc's statistics lack {option:?}; stderr was:\n{stats}"
        );
    }
}
