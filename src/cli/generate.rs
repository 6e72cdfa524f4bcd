//! The generated files committed in `completions/` and `man/`, produced from the clap
//! definitions. A test compares them with the committed copies so they cannot go stale.

use clap::CommandFactory;
use clap_complete::Shell;

/// One generated file: its path relative to the repository root, and its contents.
pub struct GeneratedFile {
    /// Path relative to the repository root.
    pub path: String,
    /// The file's contents.
    pub contents: Vec<u8>,
}

/// The completion registration scripts, one per shell clap_complete supports (what
/// `ike completion SHELL` prints).
pub fn completions() -> Vec<GeneratedFile> {
    let shells = [
        (Shell::Bash, "ike.bash"),
        (Shell::Zsh, "_ike"),
        (Shell::Fish, "ike.fish"),
        (Shell::PowerShell, "_ike.ps1"),
        (Shell::Elvish, "ike.elv"),
    ];
    shells
        .into_iter()
        .map(|(shell, file)| GeneratedFile {
            path: format!("completions/{file}"),
            contents: super::completion::script(shell),
        })
        .collect()
}

/// A man page for `ike` and one for every subcommand, nested ones included
/// (`ike-site-list.1`).
pub fn man_pages() -> Vec<GeneratedFile> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    collect_man_pages(cmd, &mut pages);
    pages
}

fn collect_man_pages(cmd: clap::Command, pages: &mut Vec<GeneratedFile>) {
    if cmd.is_hide_set() {
        return;
    }
    let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    let mut contents = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .render(&mut contents)
        .expect("rendering a man page into memory cannot fail");
    let contents = with_exit_status(contents);
    pages.push(GeneratedFile {
        path: format!("man/{name}.1"),
        contents,
    });
    for sub in cmd.get_subcommands() {
        if sub.get_name() != "help" {
            collect_man_pages(sub.clone(), pages);
        }
    }
}

/// The page with an EXIT STATUS section (every command keeps the same contract), placed before
/// VERSION as man-pages(7) orders sections.
fn with_exit_status(page: Vec<u8>) -> Vec<u8> {
    let page = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    let mut section = String::from(".SH \"EXIT STATUS\"\n");
    for status in super::exit::ExitStatus::ALL {
        section.push_str(&format!(
            ".TP\n{}\n{}\n",
            status.code(),
            roff_text(status.meaning())
        ));
    }
    let page = match page.find(".SH VERSION\n") {
        Some(at) => format!("{}{section}{}", &page[..at], &page[at..]),
        None => format!("{page}{section}"),
    };
    page.into_bytes()
}

/// `text` as roff body text: dashes and apostrophes as clap_mangen writes them.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('-', "\\-")
        .replace('\'', "\\*(Aq")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_man_page_lists_every_exit_status() {
        for page in super::man_pages() {
            let text = String::from_utf8(page.contents).unwrap();
            let section = text
                .split(".SH \"EXIT STATUS\"\n")
                .nth(1)
                .unwrap_or_else(|| panic!("no EXIT STATUS in {}", page.path));
            for status in crate::cli::exit::ExitStatus::ALL {
                assert!(
                    section.contains(&format!(".TP\n{}\n", status.code())),
                    "{} lacks exit status {}",
                    page.path,
                    status.code()
                );
            }
        }
    }
}
