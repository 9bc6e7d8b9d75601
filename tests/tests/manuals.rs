//! `--generate`: every tool prints its manual page and its completion
//! scripts without any other argument; `man` renders each page without a
//! warning; bash, zsh and fish (and PowerShell, when it is there) load each
//! script without a complaint, and the script then completes an option.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use harness::TempDir;

/// Each tool, and an option of its own its manual page must show.
const TOOLS: [(&str, &str); 4] =
    [("tcp-echo", "--listen"), ("udp-echo", "--chunk"), ("http-serve", "--directory"), ("http-get", "--output")];

const KINDS: [&str; 5] = ["man", "bash", "zsh", "fish", "powershell"];

/// How long a shell or man gets to load one script or page.
const LIMIT: Duration = Duration::from_secs(60);

/// What `TOOL --generate KIND` printed, checked to be a clean success.
fn generate(tool: &str, kind: &str) -> String {
    let mut cmd = Command::new(harness::bin(tool));
    cmd.args(["--generate", kind]);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{tool} --generate {kind}: {}", out.stderr);
    assert_eq!(out.stderr, "", "{tool} --generate {kind}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.len() > 500, "{tool} --generate {kind}: only {text:?}");
    text
}

/// `TOOL --generate KIND` written to the file `TOOL.EXTENSION` in `dir`.
fn generated_file(dir: &TempDir, tool: &str, kind: &str, extension: &str) -> PathBuf {
    let path = dir.join(format!("{tool}.{extension}"));
    std::fs::write(&path, generate(tool, kind)).unwrap();
    path
}

/// Runs a shell (or man) to the end and checks it said nothing on stderr
/// and succeeded; its stdout.
fn quiet_success(mut cmd: Command, home: &Path, what: &str) -> String {
    // The shells write their caches under HOME; keep them in the test's folder.
    cmd.env("HOME", home).env("XDG_CONFIG_HOME", home).env("XDG_DATA_HOME", home).env("XDG_CACHE_HOME", home);
    let out = harness::run(cmd, None, LIMIT);
    assert_eq!(out.code, Some(0), "{what}: {}", out.stderr);
    assert_eq!(out.stderr, "", "{what}: nothing on stderr");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn generate_needs_no_other_argument_and_names_the_kinds_it_takes() {
    for (tool, _) in TOOLS {
        for kind in KINDS {
            generate(tool, kind);
        }
        let mut cmd = Command::new(harness::bin(tool));
        cmd.args(["--generate", "tcsh"]);
        let out = harness::run(cmd, None, LIMIT);
        assert_eq!(out.code, Some(2), "{tool}");
        assert!(out.stdout.is_empty(), "{tool}");
        assert_eq!(
            out.stderr,
            format!(
                "{tool}: invalid value 'tcsh' for '--generate <KIND>': expected man, bash, zsh, fish or powershell\n"
            )
        );
        let help = |flag: &str| {
            let mut cmd = Command::new(harness::bin(tool));
            cmd.arg(flag);
            String::from_utf8(harness::run(cmd, None, LIMIT).stdout).unwrap()
        };
        assert!(!help("-h").contains("--generate"), "{tool} -h leaves --generate out");
        assert!(help("--help").contains("--generate <KIND>"), "{tool} --help shows --generate");
    }
}

#[test]
fn manual_pages_render() {
    if !harness::peer("man") {
        return;
    }
    let dir = TempDir::new("man");
    for (tool, option) in TOOLS {
        let page = generated_file(&dir, tool, "man", "1");
        let mut cmd = Command::new("man");
        // --warnings: groff's complaints about the roff go to stderr, which must stay empty.
        cmd.args(["--warnings", "--nh", "--nj", "-l"]).arg(&page);
        cmd.env("MANWIDTH", "100").env("MANPAGER", "cat").env("PAGER", "cat").env("LC_ALL", "C.UTF-8");
        let text = quiet_success(cmd, dir.path(), &format!("man -l {tool}.1"));
        for want in [tool, option, "--generate", "EXAMPLES", "EXIT STATUS"] {
            assert!(text.contains(want), "{tool}'s manual lacks {want}:\n{text}");
        }
    }
}

#[test]
fn bash_completions_load() {
    if !harness::peer("bash") {
        return;
    }
    let dir = TempDir::new("bash");
    // Load the script, then ask the function it registered to complete `--vers`.
    let script = r#"
        source "$1" || exit 1
        spec=$(complete -p "$2") || exit 1
        fn=${spec##*-F }; fn=${fn%% *}
        COMP_WORDS=("$2" --vers); COMP_CWORD=1; COMP_LINE="$2 --vers"; COMP_POINT=${#COMP_LINE}
        "$fn" "$2" --vers "$2"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    for (tool, _) in TOOLS {
        let file = generated_file(&dir, tool, "bash", "bash");
        let mut cmd = Command::new("bash");
        cmd.args(["--norc", "--noprofile", "-c", script, "bash"]).arg(&file).arg(tool);
        let out = quiet_success(cmd, dir.path(), &format!("bash: source {tool}.bash"));
        assert!(out.lines().any(|l| l == "--version"), "{tool}: bash completed --vers to {out:?}");
    }
}

#[test]
fn zsh_completions_load() {
    if !harness::peer("zsh") {
        return;
    }
    let dir = TempDir::new("zsh");
    // compinit first (as a user's .zshrc does), then the script registers its function.
    let script =
        r#"autoload -U compinit && compinit -u -d "$HOME/.zcompdump" && source "$1" && print -r -- "${_comps[$2]}""#;
    for (tool, _) in TOOLS {
        let file = generated_file(&dir, tool, "zsh", "zsh");
        let mut cmd = Command::new("zsh");
        cmd.args(["-f", "-c", script, "zsh"]).arg(&file).arg(tool);
        let out = quiet_success(cmd, dir.path(), &format!("zsh: source {tool}.zsh"));
        assert_eq!(out.trim(), format!("_{tool}"), "{tool}: zsh registered its completion function");
    }
}

#[test]
fn fish_completions_load() {
    if !harness::peer("fish") {
        return;
    }
    let dir = TempDir::new("fish");
    let script = r#"source $argv[1]; and complete --do-complete "$argv[2] --vers""#;
    for (tool, _) in TOOLS {
        let file = generated_file(&dir, tool, "fish", "fish");
        let mut cmd = Command::new("fish");
        cmd.args(["--no-config", "-c", script]).arg(&file).arg(tool);
        let out = quiet_success(cmd, dir.path(), &format!("fish: source {tool}.fish"));
        assert!(out.lines().any(|l| l.starts_with("--version")), "{tool}: fish completed --vers to {out:?}");
    }
}

/// PowerShell is not a Debian package: checked where `pwsh` is installed,
/// skipped (even in CI) where it is not.
#[test]
fn powershell_completions_load() {
    if cfg!(windows) || !harness::on_path("pwsh") {
        eprintln!("skipped: pwsh not installed (PowerShell is optional)");
        return;
    }
    let dir = TempDir::new("pwsh");
    for (tool, _) in TOOLS {
        let file = generated_file(&dir, tool, "powershell", "ps1");
        let mut cmd = Command::new("pwsh");
        cmd.args(["-NoProfile", "-NonInteractive", "-Command"]).arg(format!(". '{}'; exit 0", file.display()));
        quiet_success(cmd, dir.path(), &format!("pwsh: . {tool}.ps1"));
    }
}
