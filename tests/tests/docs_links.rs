//! The guide from the lesson to the code (`docs/sockets.md`) points at
//! files and functions; this keeps it true. Every link into the repository
//! must name a file that exists, and a link whose text is a function
//! (`` [`bind_tcp`](../shared/src/net/listen.rs) ``, or `Type::method`,
//! read as `method`) must point at a Rust file that still defines a
//! function of that name.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// One link of the guide: its text and where it points.
#[derive(Debug, PartialEq, Eq)]
struct Link {
    text: String,
    target: String,
}

/// Every `[text](target)` in `markdown`, outside fenced code blocks.
fn links(markdown: &str) -> Vec<Link> {
    let mut found = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let Some(close) = after.find("](") else { break };
            let text = &after[..close];
            let tail = &after[close + 2..];
            let Some(end) = tail.find(')') else { break };
            found.push(Link { text: text.to_string(), target: tail[..end].to_string() });
            rest = &tail[end + 1..];
        }
    }
    found
}

/// The function a link's text names: `` `bind_tcp` `` or
/// `` `Listener::accept` `` (read as `accept`); `None` for prose.
fn function_named(text: &str) -> Option<&str> {
    let name = text.strip_prefix('`')?.strip_suffix('`')?;
    let name = name.rsplit("::").next()?;
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then_some(name)
}

/// True when `source` defines a function called `name` (`fn name(` or
/// `fn name<`).
fn defines(source: &str, name: &str) -> bool {
    [format!("fn {name}("), format!("fn {name}<")].iter().any(|d| source.contains(d.as_str()))
}

/// What is wrong with the links of the document at `doc`, one line each.
fn problems(doc: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(doc).unwrap();
    let base = doc.parent().unwrap();
    let mut wrong = Vec::new();
    for link in links(&text) {
        if link.target.contains("://") || link.target.starts_with('#') {
            continue;
        }
        let path: PathBuf = base.join(link.target.split('#').next().unwrap());
        let Ok(source) = std::fs::read_to_string(&path) else {
            wrong.push(format!("[{}]({}): no such file", link.text, link.target));
            continue;
        };
        if let Some(name) = function_named(&link.text)
            && link.target.ends_with(".rs")
            && !defines(&source, name)
        {
            wrong.push(format!("[{}]({}): no `fn {name}` there", link.text, link.target));
        }
    }
    wrong
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn every_link_in_the_sockets_guide_leads_somewhere() {
    let doc = workspace().join("docs/sockets.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    // The guide is made of such links: a parser that found none would pass anything.
    let functions = links(&text).iter().filter(|l| function_named(&l.text).is_some()).count();
    assert!(functions >= 40, "only {functions} function links found");
    let wrong = problems(&doc);
    assert!(wrong.is_empty(), "docs/sockets.md has links that lead nowhere:\n{}", wrong.join("\n"));
}

#[test]
fn the_readme_links_the_guide() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    assert!(links(&readme).iter().any(|l| l.target == "docs/sockets.md"), "README.md does not link docs/sockets.md");
}

/// The checker itself: a missing file and a function that is gone are
/// both caught, prose links and code blocks are left alone.
#[test]
fn broken_links_are_caught() {
    let dir = harness::TempDir::new("docs-links");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/a.rs"), "pub fn here() {}\nfn generic<T>(_: T) {}\n").unwrap();
    let doc = dir.join("docs/guide.md");
    std::fs::write(
        &doc,
        "[`here`](../src/a.rs) [`Type::generic`](../src/a.rs) [the file](../src/a.rs) [web](https://example.org)\n\
         [`gone`](../src/a.rs) and [`here`](../src/missing.rs)\n\
         ```\n[`inside`](../src/nowhere.rs)\n```\n",
    )
    .unwrap();
    assert_eq!(
        problems(&doc),
        vec![
            "[`gone`](../src/a.rs): no `fn gone` there".to_string(),
            "[`here`](../src/missing.rs): no such file".to_string(),
        ]
    );
}
