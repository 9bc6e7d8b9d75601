//! Reading the command line: clap's parse, then what clap cannot say:
//! outputs and URLs paired in command-line order (curl's rule), the body
//! options in their order, and every refusal in one line, an option curl
//! has and http-get lacks named, never clap's `-- -L` tip.

use super::{Cli, Output};

/// Why the command line was not taken: `--help` or `--version` (clap
/// prints them), `--generate`, or a usage error in one line: an option
/// curl has and http-get lacks is named, never answered with clap's
/// `-- -L` tip.
#[derive(Debug)]
pub enum Refused {
    /// `--help` or `--version`: printed by clap, exit 0.
    Show(clap::Error),
    /// A usage error, in one line.
    Usage(String),
    /// `--generate`: the manual page or a completion script, printed, exit 0.
    Generated(String),
}

impl Refused {
    /// Prints the message and gives the exit code: 0 for `--help`,
    /// `--version` and `--generate`, 2 otherwise.
    pub fn report(&self) -> u8 {
        match self {
            Refused::Show(e) => {
                let _ = e.print();
                u8::try_from(e.exit_code()).unwrap_or(crate::error::code::USAGE)
            }
            Refused::Generated(text) => match shared::io_text::stdout_text(text) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("http-get: writing to stdout: {}", shared::io_text::describe(&e));
                    crate::error::code::WRITE
                }
            },
            Refused::Usage(line) => {
                eprintln!("http-get: {line}");
                crate::error::code::USAGE
            }
        }
    }
}

/// Parses the command line; an unknown option is answered in one line
/// naming curl's option when it is one ([`crate::curl::unknown_option`]).
pub fn parse<I, T>(args: I) -> Result<Cli, Refused>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let refused = |e: clap::Error| {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        match (e.kind(), e.get(ContextKind::InvalidArg)) {
            (ErrorKind::DisplayHelp | ErrorKind::DisplayVersion, _) => Refused::Show(e),
            (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) => {
                Refused::Usage(crate::curl::unknown_option(arg))
            }
            _ => Refused::Usage(one_line(&e.render().to_string())),
        }
    };
    let matches = Cli::command().try_get_matches_from(args).map_err(refused)?;
    let mut cli = Cli::from_arg_matches(&matches).map_err(refused)?;
    if let Some(kind) = cli.generate {
        return Err(Refused::Generated(shared::generate::generate(kind, Cli::command(), &super::GUIDE)));
    }
    // curl's rule: outputs and URLs pair up in the order they were given.
    let at = |id: &str| matches.indices_of(id).map(Iterator::collect::<Vec<_>>).unwrap_or_default();
    let mut outputs: Vec<(usize, Output)> =
        at("output").into_iter().zip(cli.output.iter().cloned().map(Output::File)).collect();
    outputs.extend(at("remote_name").into_iter().map(|i| (i, Output::Remote)));
    outputs.sort_by_key(|(i, _)| *i);
    cli.outputs = outputs.into_iter().map(|(_, o)| o).collect();
    let mut urls: Vec<(usize, String)> = at("urls").into_iter().zip(cli.urls.iter().cloned()).collect();
    urls.extend(at("url_options").into_iter().zip(cli.url_options.iter().cloned()));
    urls.sort_by_key(|(i, _)| *i);
    cli.url_order = urls.into_iter().map(|(_, u)| u).collect();
    if cli.url_order.is_empty() {
        return Err(Refused::Usage("no URL given; see http-get --help".to_string()));
    }
    use crate::data::Piece;
    let mut pieces: Vec<(usize, Piece)> =
        at("data").into_iter().zip(cli.data.iter().cloned().map(Piece::Data)).collect();
    pieces.extend(at("data_binary").into_iter().zip(cli.data_binary.iter().cloned().map(Piece::Data)));
    pieces.extend(at("data_raw").into_iter().zip(cli.data_raw.iter().cloned().map(Piece::Raw)));
    pieces.extend(at("data_urlencode").into_iter().zip(cli.data_urlencode.iter().cloned().map(Piece::UrlEncode)));
    pieces.sort_by_key(|(i, _)| *i);
    let mut fields: Vec<(usize, &str, bool)> =
        at("form").into_iter().zip(cli.form.iter().map(|f| (f.as_str(), false))).map(|(i, (f, l))| (i, f, l)).collect();
    fields.extend(at("form_string").into_iter().zip(cli.form_string.iter()).map(|(i, f)| (i, f.as_str(), true)));
    fields.sort_by_key(|(i, _, _)| *i);
    let form = fields
        .into_iter()
        .map(|(_, spec, literal)| crate::form::Field::parse(spec, literal))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Refused::Usage)?;
    cli.body = crate::data::Given {
        pieces: pieces.into_iter().map(|(_, p)| p).collect(),
        json: cli.json.clone(),
        form,
        upload: cli.upload_file.clone(),
        get: cli.get,
    };
    if cli.outputs.len() > cli.url_order.len() {
        return Err(Refused::Usage(format!(
            "{} outputs (-o, -O) for {} URLs: each output goes with one URL, in order",
            cli.outputs.len(),
            cli.url_order.len()
        )));
    }
    Ok(cli)
}

/// clap's message in one line: its first paragraph, the `error: ` prefix
/// and the usage and help hints left out.
fn one_line(text: &str) -> String {
    let first = text.split("\n\n").next().unwrap_or(text);
    let first = first.trim().strip_prefix("error: ").unwrap_or(first.trim());
    first.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs pair with URLs in command-line order, whichever way each
    /// was given.
    #[test]
    fn outputs_and_urls_in_order() {
        let cli = parse(["http-get", "-O", "u1", "--url", "u2", "-o", "f2", "u3", "-o", "f3", "u4"]).unwrap();
        assert_eq!(cli.url_order, ["u1", "u2", "u3", "u4"]);
        assert_eq!(cli.outputs, [Output::Remote, Output::File("f2".into()), Output::File("f3".into())]);
        let cli = parse(["http-get", "-o", "a", "u1", "-O", "u2", "-O", "u3", "u4"]).unwrap();
        assert_eq!(cli.outputs, [Output::File("a".into()), Output::Remote, Output::Remote]);
        let cli = parse(["http-get", "u1", "u2"]).unwrap();
        assert_eq!(cli.outputs, []);
    }

    /// An unknown option is one line naming curl's option, whether alone
    /// or inside combined short flags.
    #[test]
    fn unknown_options_are_named() {
        let refused = |args: &[&str]| match parse(std::iter::once("http-get").chain(args.iter().copied())) {
            Err(Refused::Usage(line)) => line,
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(
            refused(&["--raw", "http://h/"]),
            "curl's --raw is not supported: chunks are always decoded, and bodies decompressed only with --compressed"
        );
        let d =
            "curl's -D (--dump-header) is not supported; use -i (head and body to the output) or -v (heads to stderr)";
        assert_eq!(refused(&["-fsSD", "h.txt", "http://h/"]), d);
        assert_eq!(refused(&["http://h/", "-D", "h.txt"]), d);
        assert_eq!(refused(&["--nope", "http://h/"]), "unknown option `--nope`; see http-get --help");
        assert_eq!(refused(&[]), "no URL given; see http-get --help");
        assert!(matches!(parse(["http-get", "--generate", "zsh"]), Err(Refused::Generated(_))), "no URL needed");
        assert!(refused(&["--generate", "zsh", "http://h/"]).contains("cannot be used with"));
        assert_eq!(
            refused(&["-m", "soon", "http://h/"]),
            "invalid value 'soon' for '--max-time <DURATION>': expected number at 0"
        );
    }
}
