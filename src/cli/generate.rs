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
