//! `.netrc`: the file where a user keeps logins per machine, read for
//! `--netrc` and `--netrc-file` as curl and ftp read it: `machine NAME`
//! (or `default`, for any other), then `login` and `password`; tokens
//! separated by any white space, double-quoted with `\` escapes where they
//! hold spaces; `account` skipped, `macdef` skipped to its blank line,
//! `#` starting a comment line.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// One machine's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The machine, lower case; `None` for `default`.
    machine: Option<String>,
    /// `login`.
    login: Option<String>,
    /// `password`.
    password: Option<String>,
}

/// A parsed `.netrc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Netrc {
    /// The entries in file order.
    entries: Vec<Entry>,
}

impl Netrc {
    /// Reads and parses `path`; a file that cannot be read is a usage
    /// error, named as `option` says.
    pub fn read(path: &Path, option: &str) -> Result<Netrc, Error> {
        let text = std::fs::read(path).map_err(|e| Error::usage_io(&format!("{option} {}", path.display()), e))?;
        Ok(Netrc::parse(&String::from_utf8_lossy(&text)))
    }

    /// The file `--netrc` reads: `$NETRC`, else `.netrc` in the home
    /// folder (on Windows `_netrc` when there is no `.netrc`, as curl).
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("NETRC").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        let home = std::env::home_dir()?;
        let dot = home.join(".netrc");
        if cfg!(windows) && !dot.exists() {
            return Some(home.join("_netrc"));
        }
        Some(dot)
    }

    /// Parses the text of a `.netrc`.
    pub fn parse(text: &str) -> Netrc {
        let mut entries: Vec<Entry> = Vec::new();
        let mut tokens = Tokens::new(text);
        while let Some(token) = tokens.next() {
            match token.as_str() {
                "machine" => {
                    let name = tokens.next().unwrap_or_default().to_ascii_lowercase();
                    entries.push(Entry { machine: Some(name), login: None, password: None });
                }
                "default" => entries.push(Entry { machine: None, login: None, password: None }),
                "login" => {
                    let value = tokens.next();
                    if let Some(entry) = entries.last_mut() {
                        entry.login = value;
                    }
                }
                "password" => {
                    let value = tokens.next();
                    if let Some(entry) = entries.last_mut() {
                        entry.password = value;
                    }
                }
                "account" => {
                    tokens.next();
                }
                "macdef" => tokens.skip_macro(),
                _ => {}
            }
        }
        Netrc { entries }
    }

    /// The login and password for `host`: its own entry (with the login
    /// `user` when one is given), else `default`'s.
    pub fn lookup(&self, host: &str, user: Option<&str>) -> Option<(String, String)> {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let fits = |e: &&Entry| user.is_none_or(|u| e.login.as_deref() == Some(u));
        let found = self
            .entries
            .iter()
            .filter(|e| e.machine.as_deref() == Some(host.as_str()))
            .find(fits)
            .or_else(|| self.entries.iter().filter(|e| e.machine.is_none()).find(fits))?;
        let login = found.login.clone().or_else(|| user.map(str::to_string))?;
        Some((login, found.password.clone().unwrap_or_default()))
    }
}

/// The tokens of a `.netrc`: words separated by white space, or quoted.
struct Tokens<'a> {
    /// What is left to read.
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        Tokens { rest: text }
    }

    /// Skips a `macdef`'s name and body: everything to the next blank line.
    fn skip_macro(&mut self) {
        match self.rest.find("\n\n") {
            Some(end) => self.rest = &self.rest[end + 2..],
            None => self.rest = "",
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.starts_with('#') {
                // A comment runs to the end of its line.
                self.rest = self.rest.find('\n').map_or("", |i| &self.rest[i..]);
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return None;
        }
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(out);
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => out.push('\n'),
                        Some((_, 'r')) => out.push('\r'),
                        Some((_, 't')) => out.push('\t'),
                        Some((_, other)) => out.push(other),
                        None => break,
                    },
                    other => out.push(other),
                }
            }
            self.rest = "";
            return Some(out);
        }
        let end = self.rest.find(char::is_whitespace).unwrap_or(self.rest.len());
        let word = &self.rest[..end];
        self.rest = &self.rest[end..];
        Some(word.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_table() {
        let netrc = Netrc::parse(
            "# logins\n\
             machine example.org login alice password s3cret\n\
             machine Other.ORG\n  login bob\n  password \"with space \\\"q\\\"\"\n  account x\n\
             macdef init\ncd /pub\nls\n\n\
             machine example.org login carol password c4\n\
             machine nopass login dave\n\
             default login anon password guest@\n",
        );
        let cases: &[(&str, Option<&str>, Option<(&str, &str)>)] = &[
            ("example.org", None, Some(("alice", "s3cret"))),
            ("EXAMPLE.org", None, Some(("alice", "s3cret"))),
            ("example.org", Some("carol"), Some(("carol", "c4"))),
            ("other.org", None, Some(("bob", "with space \"q\""))),
            ("nopass", None, Some(("dave", ""))),
            ("elsewhere", None, Some(("anon", "guest@"))),
            ("example.org", Some("zed"), None),
        ];
        for (host, user, want) in cases {
            let got = netrc.lookup(host, *user);
            assert_eq!(got, want.map(|(l, p)| (l.to_string(), p.to_string())), "{host} {user:?}");
        }
        // Without default, an unknown host has nothing; macdef bodies are
        // not read as entries.
        let netrc =
            Netrc::parse("machine a login u password p\nmacdef m\nmachine b login x\n\nmachine c login v password w");
        assert_eq!(netrc.lookup("b", None), None);
        assert_eq!(netrc.lookup("c", None), Some(("v".into(), "w".into())));
        assert_eq!(Netrc::parse("").lookup("a", None), None);
        assert_eq!(Netrc::parse("machine").lookup("a", None), None);
        assert_eq!(Netrc::parse("machine \"unterminated").lookup("a", None), None);
    }
}
