//! README's console blocks marked `<!-- checked by tests/readme.rs -->` are run as written with
//! this build's `ike`, and must print what README shows (`…` stands for any text).

mod readme_blocks;

use readme_blocks::{Block, blocks, matches};

#[test]
fn readme_exit_status_table_is_the_contract() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for status in ike::cli::exit::ExitStatus::ALL {
        let row = format!("| `{}` | {} |", status.code(), status.meaning());
        assert!(readme.contains(&row), "README has no row {row:?}");
    }
}

#[test]
fn readme_console_blocks_print_what_they_show() {
    let checked: Vec<Block> = blocks("tests/readme.rs");
    assert!(
        !checked.is_empty(),
        "README has no block checked by tests/readme.rs"
    );
    for block in checked {
        for step in &block.steps {
            let words = shell_words(&step.command);
            assert_eq!(
                words[0], "ike",
                "only ike commands run here: {}",
                step.command
            );
            let home = tempfile::tempdir().unwrap();
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_ike"))
                .args(&words[1..])
                .env_clear()
                .env("HOME", home.path())
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
            printed.push_str(&String::from_utf8_lossy(&output.stderr));
            if let Err(why) = matches(&step.output, &printed) {
                panic!(
                    "README line {}: `{}` prints something else: {why}\n--- README ---\n{}\n--- printed ---\n{printed}",
                    step.line,
                    step.command,
                    step.output.join("\n")
                );
            }
        }
    }
}

/// Splits a command line like a POSIX shell would for the simple cases README uses: words
/// separated by spaces, double quotes grouping.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            _ => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words(r#"ike account create a --display-name "A B"  -o json"#),
        [
            "ike",
            "account",
            "create",
            "a",
            "--display-name",
            "A B",
            "-o",
            "json"
        ]
    );
}
