//! `--generate`: a tool's manual page and its shell completions, made from
//! its clap definition when asked, so they cannot drift from `--help` and
//! nothing generated is kept in the repository.
//!
//! What `--help` shows after the options (examples, notes, exit statuses)
//! is a [`Guide`]: one text per tool, which is also the manual page's
//! EXAMPLES, NOTES and EXIT STATUS sections.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap_complete::Shell;
use clap_mangen::roff::{Roff, bold, roman};

/// What `--generate` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The manual page, in roff (`man -l -` shows it).
    Man,
    /// A completion script for bash.
    Bash,
    /// A completion script for zsh.
    Zsh,
    /// A completion script for fish.
    Fish,
    /// A completion script for PowerShell.
    PowerShell,
}

impl Kind {
    /// Every kind, in the order they are listed.
    pub const ALL: [Kind; 5] = [Kind::Man, Kind::Bash, Kind::Zsh, Kind::Fish, Kind::PowerShell];

    /// The word `--generate` takes for this kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Man => "man",
            Kind::Bash => "bash",
            Kind::Zsh => "zsh",
            Kind::Fish => "fish",
            Kind::PowerShell => "powershell",
        }
    }

    /// Reads `--generate`'s value; an unknown one is refused with the list
    /// of those accepted, so the usage error is one line.
    ///
    /// ```
    /// use shared::generate::Kind;
    /// assert_eq!(Kind::parse("zsh"), Ok(Kind::Zsh));
    /// assert_eq!(Kind::parse("tcsh").unwrap_err(), "expected man, bash, zsh, fish or powershell");
    /// ```
    pub fn parse(word: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == word)
            .ok_or_else(|| "expected man, bash, zsh, fish or powershell".to_string())
    }
}

/// `--generate`'s value parser: [`Kind::parse`], with the kinds offered to
/// `--help` and to the completions themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct KindParser;

impl TypedValueParser for KindParser {
    type Value = Kind;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<Kind, clap::Error> {
        // A plain function parser words the error as clap does for every
        // other bad value: "invalid value 'x' for '--generate <KIND>': ...".
        let read: fn(&str) -> Result<Kind, String> = Kind::parse;
        read.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(Kind::ALL.into_iter().map(|k| PossibleValue::new(k.name()))))
    }
}

/// The help text `--generate` itself gets: where each kind goes.
pub const HELP: &str = "Print the manual page (man; read it with man -l -) or the completion script for a shell (bash, \
                        zsh, fish, powershell) on stdout, and exit. The README says where to put them";

/// A tool's help beyond its options: shown after `--help`'s list of
/// options, and as the manual page's last sections.
#[derive(Debug)]
pub struct Guide {
    /// A command line and what it does, one per line of the examples.
    pub examples: &'static [(&'static str, &'static str)],
    /// Further notes: a heading and its text, already laid out (indented
    /// lines, kept as they are in both places).
    pub notes: &'static [(&'static str, &'static str)],
    /// Each exit status and what it means.
    pub exit_status: &'static [(&'static str, &'static str)],
}

/// Where an example's description starts in `--help`; a longer command
/// has its description on the next line.
const EXAMPLE_COLUMN: usize = 44;

/// How wide `--help`'s exit-status lines are wrapped.
const HELP_WIDTH: usize = 78;

impl Guide {
    /// The text `--help` shows after the options.
    pub fn after_help(&self) -> String {
        let mut out = String::from("Examples:\n");
        let indent = " ".repeat(2 + EXAMPLE_COLUMN + 2);
        for (command, what) in self.examples {
            out.push_str("  ");
            out.push_str(command);
            if command.chars().count() > EXAMPLE_COLUMN {
                out.push('\n');
                out.push_str(&indent);
            } else {
                out.push_str(&" ".repeat(EXAMPLE_COLUMN + 2 - command.chars().count()));
            }
            out.push_str(&what.replace('\n', &format!("\n{indent}")));
            out.push('\n');
        }
        for (heading, text) in self.notes {
            out.push_str(&format!("\n{heading}:\n{}\n", text.trim_end()));
        }
        out.push_str("\nExit status:\n");
        let width = self.exit_status.iter().map(|(code, _)| code.len()).max().unwrap_or(0);
        for (code, meaning) in self.exit_status {
            let lead = format!("  {code:>width$}  ");
            out.push_str(&wrap(meaning, &lead, HELP_WIDTH));
        }
        out.trim_end().to_string()
    }

    /// The manual page's EXAMPLES, NOTES and EXIT STATUS sections.
    fn man_sections(&self, roff: &mut Roff) {
        roff.control("SH", ["EXAMPLES"]);
        for (command, what) in self.examples {
            roff.control("TP", []).text([bold(*command)]).text([roman(what.replace('\n', " "))]);
        }
        if !self.notes.is_empty() {
            roff.control("SH", ["NOTES"]);
            for (heading, text) in self.notes {
                roff.control("SS", [*heading]).control("nf", []).text([roman(text.trim_end())]).control("fi", []);
            }
        }
        roff.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in self.exit_status {
            roff.control("TP", []).text([bold(*code)]).text([roman(*meaning)]);
        }
    }
}

/// `text` as lines no wider than `width` (where its words allow), the
/// first starting with `lead` and the rest indented as far.
fn wrap(text: &str, lead: &str, width: usize) -> String {
    let indent = " ".repeat(lead.chars().count());
    let mut out = String::new();
    let mut line = lead.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// What `--generate KIND` prints for the tool `cmd` describes: the manual
/// page (its options from `cmd`, then `guide`'s sections) or a completion
/// script.
pub fn generate(kind: Kind, mut cmd: clap::Command, guide: &Guide) -> String {
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    let shell = match kind {
        Kind::Man => return man_page(cmd, guide),
        Kind::Bash => Shell::Bash,
        Kind::Zsh => Shell::Zsh,
        Kind::Fish => Shell::Fish,
        Kind::PowerShell => Shell::PowerShell,
    };
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    if kind == Kind::Fish { quote_fish_shorts(&script) } else { script }
}

/// Characters fish reads as syntax, not as a word.
const FISH_SYNTAX: &str = "#;|&$()<>*?~{}[]";

/// clap_complete writes a short option to fish as it is (`-s #`, for
/// http-get's curl-style `-#`), and fish reads `#` as the start of a
/// comment; such a short is quoted here.
fn quote_fish_shorts(script: &str) -> String {
    let mut script = script.to_string();
    for c in FISH_SYNTAX.chars() {
        for end in [' ', '\n'] {
            script = script.replace(&format!(" -s {c}{end}"), &format!(" -s '{c}'{end}"));
        }
    }
    script
}

/// The manual page: clap_mangen's sections for the name, synopsis,
/// description and options (not its EXTRA section, which would repeat the
/// guide as one block), then the guide's, then the version.
fn man_page(cmd: clap::Command, guide: &Guide) -> String {
    let man = clap_mangen::Man::new(cmd);
    let mut out = Vec::new();
    let parts: [fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>; 5] = [
        clap_mangen::Man::render_title,
        clap_mangen::Man::render_name_section,
        clap_mangen::Man::render_synopsis_section,
        clap_mangen::Man::render_description_section,
        clap_mangen::Man::render_options_section,
    ];
    // Writing to a Vec cannot fail.
    for part in parts {
        let _ = part(&man, &mut out);
    }
    let mut roff = Roff::new();
    guide.man_sections(&mut roff);
    let _ = roff.to_writer(&mut out);
    let _ = man.render_version_section(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUIDE: Guide = Guide {
        examples: &[("tool -l 9000", "listen"), ("tool --a-very-long-option-name value another-long-word x", "long")],
        notes: &[("Habits", "  -x  means this\n")],
        exit_status: &[
            ("0", "success"),
            ("1", "network trouble: refused, unreachable, resolve failure, timeout, reset, and more words to wrap"),
        ],
    };

    #[test]
    fn after_help_lays_out_each_part() {
        let text = GUIDE.after_help();
        let want = "\
Examples:
  tool -l 9000                                  listen
  tool --a-very-long-option-name value another-long-word x
                                                long

Habits:
  -x  means this

Exit status:
  0  success
  1  network trouble: refused, unreachable, resolve failure, timeout, reset,
     and more words to wrap";
        assert_eq!(text, want);
    }

    #[test]
    fn fish_shorts_that_are_syntax_are_quoted() {
        let cases: &[(&str, &str)] = &[
            ("complete -c t -s # -l progress-bar\n", "complete -c t -s '#' -l progress-bar\n"),
            ("complete -c t -s #\n", "complete -c t -s '#'\n"),
            ("complete -c t -s v -l verbose\n", "complete -c t -s v -l verbose\n"),
            ("complete -c t -l x -d 'a # b'\n", "complete -c t -l x -d 'a # b'\n"),
        ];
        for (script, want) in cases {
            assert_eq!(quote_fish_shorts(script), *want, "{script}");
        }
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Ok(kind));
        }
        assert!(Kind::parse("Bash").is_err());
    }

    #[test]
    fn man_page_has_the_guide_after_the_options() {
        let cmd = clap::Command::new("tool")
            .version("1.0")
            .about("Does a thing")
            .arg(clap::Arg::new("listen").short('l').long("listen").action(clap::ArgAction::SetTrue).help("Listen"));
        let page = generate(Kind::Man, cmd, &GUIDE);
        let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing from\n{page}"));
        assert!(at(".SH OPTIONS") < at(".SH EXAMPLES"));
        assert!(at(".SH EXAMPLES") < at(".SH NOTES"));
        assert!(at(".SH NOTES") < at(".SH \"EXIT STATUS\""));
        assert!(at("\\-\\-listen") > 0 && at("tool \\-l 9000") > 0);
        assert!(!page.contains("EXTRA"));
    }
}
