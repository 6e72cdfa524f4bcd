//! The `ike` command line as a user sees it: help, usage errors and exit codes, pinned by
//! snapshots in tests/cmd (regenerate with `TRYCMD=overwrite cargo test --test cli`).

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
