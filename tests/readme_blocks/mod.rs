//! README's console blocks, and matching what a command printed against what README shows.
//! Shared by `tests/readme.rs` (commands that need no cluster) and the e2e newcomer test.

#![allow(dead_code)]

/// One `$ command` and the lines README shows under it.
#[derive(Debug, Clone)]
pub struct Step {
    /// The command after `$ `.
    pub command: String,
    /// The output lines README shows.
    pub output: Vec<String>,
    /// README's line number of the command.
    pub line: usize,
}

/// A console block.
#[derive(Debug, Clone)]
pub struct Block {
    /// Its commands in order.
    pub steps: Vec<Step>,
}

/// The console blocks README marks `<!-- checked by <checker> ... -->`.
pub fn blocks(checker: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let marked = lines[i].starts_with("<!-- checked by ") && lines[i].contains(checker);
        if marked && lines.get(i + 1) == Some(&"```console") {
            let mut steps: Vec<Step> = Vec::new();
            let mut j = i + 2;
            while lines[j] != "```" {
                match lines[j].strip_prefix("$ ") {
                    Some(command) => steps.push(Step {
                        command: command.to_string(),
                        output: Vec::new(),
                        line: j + 1,
                    }),
                    None => steps
                        .last_mut()
                        .expect("a console block starts with a command")
                        .output
                        .push(lines[j].to_string()),
                }
                j += 1;
            }
            out.push(Block { steps });
            i = j;
        }
        i += 1;
    }
    out
}

/// Whether `printed` is `expected` line by line, `…` in an expected line standing for any text
/// and a line of `…` alone for any lines (none included): README leaves out what varies from
/// run to run, or is too long to show.
pub fn matches(expected: &[String], printed: &str) -> Result<(), String> {
    let printed: Vec<&str> = printed.lines().collect();
    if lines_match(expected, &printed) {
        return Ok(());
    }
    // Name the first line that differs, reading both from the top.
    for (n, (want, got)) in expected.iter().zip(&printed).enumerate() {
        if want == "…" {
            break;
        }
        if !line_matches(want, got) {
            return Err(format!("line {}: README {want:?}, printed {got:?}", n + 1));
        }
    }
    Err(format!(
        "{} lines printed, README shows {} ({} of them '…')",
        printed.len(),
        expected.len(),
        expected.iter().filter(|l| *l == "…").count()
    ))
}

fn lines_match(expected: &[String], printed: &[&str]) -> bool {
    match expected.split_first() {
        None => printed.is_empty(),
        Some((any, rest)) if any == "…" => {
            (0..=printed.len()).any(|skip| lines_match(rest, &printed[skip..]))
        }
        Some((want, rest)) => printed
            .split_first()
            .is_some_and(|(got, more)| line_matches(want, got) && lines_match(rest, more)),
    }
}

/// `…` in `pattern` matches one character or more.
fn line_matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('…') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            rest.char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .any(|end| line_matches(tail, &rest[end..]))
        }
    }
}

#[test]
fn an_ellipsis_stands_for_any_text() {
    assert!(line_matches("a …b", "a xyzb"));
    assert!(line_matches(
        "sha256:… --token ike1_…",
        "sha256:0000 --token ike1_Zz"
    ));
    assert!(!line_matches("exact", "exactly"));
    assert!(!line_matches("a…b", "ac"));
}

#[test]
fn a_line_of_an_ellipsis_alone_stands_for_any_lines() {
    let expected = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let shown = expected(&["Name: x", "…", "Done."]);
    assert!(matches(&shown, "Name: x\nDone.\n").is_ok());
    assert!(matches(&shown, "Name: x\na\nb\nDone.\n").is_ok());
    assert!(matches(&shown, "Name: y\nDone.\n").is_err());
    assert!(matches(&shown, "Name: x\na\n").is_err());
    assert!(matches(&expected(&["a", "b"]), "a\n").is_err());
}
