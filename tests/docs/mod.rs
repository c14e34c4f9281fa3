//! The documentation stands alone: every citation of a document in the
//! code (`docs/model/noc.md#unit-hops`) and every relative link between
//! the Markdown files names a file of the repository and, where it gives
//! one, a heading of that file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// GitHub's anchor for a heading: lower case, spaces to hyphens, and only
/// letters, digits, `-` and `_` kept.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code fences), with
/// GitHub's `-1`, `-2` suffixes for repeated headings.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let base = slug(line.trim_start_matches('#'));
        let mut name = base.clone();
        let mut n = 0;
        while seen.contains(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        seen.insert(name);
    }
    seen
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Checks that `target` (relative to `base`) exists and has heading
/// `anchor`; returns a message if not.
fn check(base: &Path, target: &str, anchor: Option<&str>) -> Option<String> {
    let path = base.join(target);
    if !path.is_file() {
        return Some(format!("{target}: no such file"));
    }
    // Images are linked too: only a link with a heading needs the text.
    let anchor = anchor?;
    let Ok(text) = fs::read_to_string(&path) else {
        return Some(format!("{target}: not a text file"));
    };
    (!anchors(&text).contains(anchor)).then(|| format!("{target}#{anchor}: no such heading"))
}

/// Every `docs/<file>.md#<heading>` citation in a source or test file.
fn code_citations(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("docs/") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || "/._-".contains(c)))
            .unwrap_or(tail.len());
        let path = tail[..end].trim_end_matches('.');
        rest = &tail[end..];
        if !path.ends_with(".md") {
            continue;
        }
        let anchor = rest.strip_prefix('#').map(|a| {
            let e = a
                .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(a.len());
            a[..e].to_owned()
        });
        out.push((path.to_owned(), anchor));
    }
    out
}

#[test]
fn every_citation_in_the_code_names_an_existing_heading() {
    let mut sources = Vec::new();
    for dir in ["src", "tests", "benches"] {
        files(
            &root().join(dir),
            &["rs", "toml", "nn", "pest"],
            &mut sources,
        );
    }
    let mut bad = Vec::new();
    let mut count = 0;
    for file in &sources {
        let text = fs::read_to_string(file).unwrap();
        for (target, anchor) in code_citations(&text) {
            count += 1;
            if let Some(msg) = check(&root(), &target, anchor.as_deref()) {
                bad.push(format!("{}: {msg}", file.display()));
            }
        }
    }
    assert!(
        count > 50,
        "only {count} citations found: the scan is broken"
    );
    assert!(bad.is_empty(), "broken citations:\n{}", bad.join("\n"));
}

/// The specification documents the model was first written from are not in
/// the repository; code cites `docs/` instead (the repository's own
/// ARCHITECTURE.md is not one of them: `src/lib.rs` includes it).
#[test]
fn the_code_never_cites_documents_outside_the_repository() {
    // Why `concat!`: the needles must not match this file itself.
    let needles = [
        concat!("layer", "-model"),
        concat!("search", "-model"),
        concat!("COMPAT", ".md"),
        concat!("LANGUAGE", ".md"),
        concat!("../", "shared"),
    ];
    let mut sources = Vec::new();
    for dir in ["src", "tests", "benches"] {
        files(
            &root().join(dir),
            &["rs", "toml", "nn", "pest"],
            &mut sources,
        );
    }
    assert!(sources.len() > 20, "only {} sources found", sources.len());
    let mut bad = Vec::new();
    for file in &sources {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let section = line.char_indices().any(|(i, c)| {
                c == '\u{a7}' && line[i + 2..].starts_with(|d: char| d.is_ascii_digit())
            });
            if section || needles.iter().any(|w| line.contains(w)) {
                bad.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "citations of documents outside the repository:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_relative_link_between_documents_resolves() {
    let mut docs = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    files(&root().join("docs"), &["md"], &mut docs);
    files(&root().join("tests"), &["md"], &mut docs);
    let mut bad = Vec::new();
    let mut count = 0;
    for file in &docs {
        let text = fs::read_to_string(file).unwrap();
        let base = file.parent().unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let link = &rest[..end];
            if link.contains("://") || link.starts_with("mailto:") || link.contains(' ') {
                continue;
            }
            count += 1;
            let (target, anchor) = match link.split_once('#') {
                Some((t, a)) => (t, Some(a)),
                None => (link, None),
            };
            let msg = if target.is_empty() {
                anchor
                    .filter(|a| !anchors(&text).contains(*a))
                    .map(|a| format!("#{a}: no such heading"))
            } else {
                check(base, target, anchor)
            };
            if let Some(msg) = msg {
                bad.push(format!("{}: {msg}", file.display()));
            }
        }
    }
    assert!(count > 20, "only {count} links found: the scan is broken");
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}

#[test]
fn the_slug_rule_matches_githubs() {
    assert_eq!(slug(" The reference's hop memo"), "the-references-hop-memo");
    assert_eq!(slug(" `repeat`"), "repeat");
    assert_eq!(slug(" delay_goal_nan"), "delay_goal_nan");
    assert_eq!(
        slug(" Worked example: AlexNet conv3"),
        "worked-example-alexnet-conv3"
    );
    let a = anchors("# A\n```\n# not a heading\n```\n## A\n");
    assert_eq!(a, ["a", "a-1"].into_iter().map(String::from).collect());
}

/// The `src/...` paths a text names, braces expanded
/// (`src/a/{b,c}.rs` is `src/a/b.rs` and `src/a/c.rs`).
fn source_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("src/") {
        let before = rest[..i].chars().last();
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || "/._-{},".contains(c)))
            .unwrap_or(tail.len());
        rest = &tail[end..];
        // `nnc/src/...` or a URL's path is not this repository's.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.') {
            continue;
        }
        let path = tail[..end].trim_end_matches(['.', ',']);
        match (path.find('{'), path.find('}')) {
            (Some(a), Some(b)) if a < b => {
                for alt in path[a + 1..b].split(',') {
                    out.push(format!("{}{alt}{}", &path[..a], &path[b + 1..]));
                }
            }
            _ => out.push(path.to_owned()),
        }
    }
    out
}

/// The `sched::a::b` paths a text names (the scheduler's modules and items,
/// as the docs and comments name them).
fn sched_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("sched::") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        let segs: Vec<String> = tail[..end]
            .split("::")
            .skip(1)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        rest = &tail[end..];
        out.push(segs);
    }
    out
}

/// Checks that `segs` (after `sched::`) name modules of `src/sched/` and,
/// after the last module, an item its file mentions; returns a message if
/// not.
fn check_sched_path(segs: &[String]) -> Option<String> {
    let mut dir = root().join("src/sched");
    let mut file = dir.join("mod.rs");
    for s in segs {
        let as_file = dir.join(format!("{s}.rs"));
        let as_dir = dir.join(s);
        if as_dir.join("mod.rs").is_file() {
            file = as_dir.join("mod.rs");
            dir = as_dir;
        } else if as_file.is_file() {
            file = as_file;
            dir = dir.join(s);
        } else {
            let text = fs::read_to_string(&file).unwrap_or_default();
            let word = |w: &str| {
                text.match_indices(w).any(|(i, _)| {
                    let ok = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    ok(text[..i].chars().last()) && ok(text[i + w.len()..].chars().next())
                })
            };
            return (!word(s))
                .then(|| format!("sched::{}: no such module or item", segs.join("::")));
        }
    }
    None
}

#[test]
fn every_source_path_the_docs_and_comments_name_exists() {
    let mut texts = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    files(&root().join("docs"), &["md"], &mut texts);
    files(&root().join("tests"), &["md"], &mut texts);
    let mut code = Vec::new();
    for dir in ["src", "tests", "benches"] {
        files(&root().join(dir), &["rs"], &mut code);
    }
    let mut bad = Vec::new();
    let (mut paths, mut names) = (0, 0);
    for file in &texts {
        let text = fs::read_to_string(file).unwrap();
        for path in source_paths(&text) {
            paths += 1;
            if !root().join(&path).exists() {
                bad.push(format!("{}: {path}: no such file", file.display()));
            }
        }
    }
    for file in texts.iter().chain(&code) {
        let text = fs::read_to_string(file).unwrap();
        for segs in sched_paths(&text) {
            names += 1;
            if let Some(msg) = check_sched_path(&segs) {
                bad.push(format!("{}: {msg}", file.display()));
            }
        }
    }
    assert!(
        paths > 40 && names > 100,
        "only {paths} paths and {names} names: the scan is broken"
    );
    assert!(bad.is_empty(), "stale source paths:\n{}", bad.join("\n"));
}

#[test]
fn source_paths_are_read_as_written() {
    assert_eq!(
        source_paths("see `src/sched/partition/{fmap,layout}.rs`, src/hw/. and x/src/y"),
        [
            "src/sched/partition/fmap.rs",
            "src/sched/partition/layout.rs",
            "src/hw/"
        ]
    );
    assert_eq!(
        sched_paths("(`sched::model::limits`)"),
        [vec!["model", "limits"]]
    );
    assert!(check_sched_path(&["search".into(), "shared".into(), "SharedSearch".into()]).is_none());
    assert!(check_sched_path(&["multicap".into()]).is_some());
    assert!(check_sched_path(&["search".into(), "network".into(), "NoSuchItem".into()]).is_some());
}
