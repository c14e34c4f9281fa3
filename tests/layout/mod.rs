//! The source tree's layout: no import circles among the files of `src/`.
//!
//! A file imports another when its code names an item defined there: a
//! `use crate::a::b::Item` (or `super::`, `self::`, a child module's name)
//! or the same path written inline (`super::mapping::map_layer(..)`).
//! Paths are resolved as the compiler does for this crate's plain cases:
//! segment by segment through the module files, then the item to the file
//! that defines it, following `pub use` re-exports. Re-exports themselves
//! are not imports, and test modules (`#[cfg(test)]`) are left out: they
//! may use anything.
//!
//! A circle is a set of entries of one folder (files and subfolders, a
//! subfolder standing for every file in it) that reach each other through
//! imports: `a.rs` -> `b.rs` -> `a.rs`, or longer. A folder's own module
//! (`mod.rs`) and its entries are exempt: the entries share the folder's
//! items, and the folder reaches into them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Punct(char),
}

fn is_ident(t: &Tok, s: &str) -> bool {
    matches!(t, Tok::Ident(i) if i == s)
}

/// The tokens of Rust source with comments and literals left out: only
/// identifiers and punctuation matter to paths.
fn tokens(text: &str) -> Vec<Tok> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1);
        } else if (ch == 'r' || ch == 'b')
            && matches!(raw_string_start(&c, i), Some((_, hashes)) if hashes.is_some())
        {
            let (body, hashes) = raw_string_start(&c, i).unwrap();
            i = skip_raw(&c, body, hashes.unwrap());
        } else if ch == 'b' && next == Some('"') {
            i = skip_string(&c, i + 2);
        } else if ch == '\'' {
            if next == Some('\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                // A lifetime.
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else {
            if !ch.is_whitespace() {
                out.push(Tok::Punct(ch));
            }
            i += 1;
        }
    }
    out
}

/// After the opening quote of a string, the index past its closing quote.
fn skip_string(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// At `r`, `br` or `b`: where a raw string's body starts and how many `#`
/// close it (`None` for the hashes when it is no raw string).
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, Option<usize>)> {
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if c[j] == 'b' {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    Some((j + 1, (c.get(j) == Some(&'"')).then_some(hashes)))
}

fn skip_raw(c: &[char], mut i: usize, hashes: usize) -> usize {
    while i < c.len() {
        if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// The index of the token closing the bracket opened at `open`.
fn matching(t: &[Tok], open: usize) -> usize {
    let (o, cl) = match t[open] {
        Tok::Punct('(') => ('(', ')'),
        Tok::Punct('[') => ('[', ']'),
        _ => ('{', '}'),
    };
    let mut depth = 0;
    for (i, tok) in t.iter().enumerate().skip(open) {
        if *tok == Tok::Punct(o) {
            depth += 1;
        } else if *tok == Tok::Punct(cl) {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    t.len() - 1
}

/// The tokens without the items marked `#[cfg(test)]`.
fn without_tests(t: Vec<Tok>) -> Vec<Tok> {
    let attr: Vec<Tok> = tokens("#[cfg(test)]");
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if !t[i..].starts_with(&attr) {
            out.push(t[i].clone());
            i += 1;
            continue;
        }
        // Skip the attribute and the item: to its `;` or its block's end.
        i += attr.len();
        while i < t.len() {
            match t[i] {
                Tok::Punct(';') => break,
                Tok::Punct('{') => {
                    i = matching(&t, i);
                    break;
                }
                _ => i += 1,
            }
        }
        i += 1;
    }
    out
}

/// A path of a `use` tree, and the name it is bound to.
#[derive(Clone, Debug)]
struct UsePath {
    segs: Vec<String>,
    name: String,
}

/// The paths of a `use` tree (`a::{b, c::{self, D as E}}`), prefixed.
fn use_tree(t: &[Tok], prefix: &[String], out: &mut Vec<UsePath>) {
    let mut segs = prefix.to_vec();
    let mut i = 0;
    while i < t.len() {
        match &t[i] {
            Tok::Punct(':') => i += 1,
            Tok::Punct('{') => {
                let end = matching(t, i);
                let inner = &t[i + 1..end];
                let mut start = 0;
                let mut depth = 0;
                for (k, tok) in inner.iter().enumerate() {
                    match tok {
                        Tok::Punct('{') => depth += 1,
                        Tok::Punct('}') => depth -= 1,
                        Tok::Punct(',') if depth == 0 => {
                            use_tree(&inner[start..k], &segs, out);
                            start = k + 1;
                        }
                        _ => {}
                    }
                }
                use_tree(&inner[start..], &segs, out);
                return;
            }
            Tok::Punct('*') => {
                out.push(UsePath {
                    segs,
                    name: "*".into(),
                });
                return;
            }
            Tok::Ident(s) if s == "as" => {
                let name = match t.get(i + 1) {
                    Some(Tok::Ident(n)) => n.clone(),
                    _ => "_".into(),
                };
                out.push(UsePath { segs, name });
                return;
            }
            // `a::{self, ..}`: the module itself.
            Tok::Ident(s) if s == "self" && !segs.is_empty() => i += 1,
            Tok::Ident(s) => {
                segs.push(s.clone());
                i += 1;
            }
            Tok::Punct(_) => i += 1,
        }
    }
    if let Some(name) = segs.last().cloned() {
        out.push(UsePath { segs, name });
    }
}

/// One source file: its `use` paths (imports and re-exports apart), the
/// paths its code writes inline, and the names it defines.
#[derive(Debug, Default)]
struct Source {
    imports: Vec<UsePath>,
    reexports: Vec<UsePath>,
    inline: Vec<Vec<String>>,
    defines: BTreeSet<String>,
}

fn parse(text: &str) -> Source {
    let t = without_tests(tokens(text));
    let mut s = Source::default();
    let items = [
        "struct", "enum", "fn", "type", "trait", "const", "static", "union", "mod",
    ];
    let mut i = 0;
    while i < t.len() {
        if let (Tok::Ident(kw), Some(Tok::Ident(name))) = (&t[i], t.get(i + 1))
            && items.contains(&kw.as_str())
        {
            s.defines.insert(name.clone());
        }
        if is_ident(&t[i], "macro_rules")
            && let Some(Tok::Ident(name)) = t.get(i + 2)
        {
            s.defines.insert(name.clone());
        }
        if is_ident(&t[i], "use") {
            let end = (i..t.len())
                .find(|&k| t[k] == Tok::Punct(';'))
                .unwrap_or(t.len());
            // `pub use` or `pub(crate) use`: a re-export.
            let public = (i >= 1 && is_ident(&t[i - 1], "pub"))
                || (i >= 4 && t[i - 1] == Tok::Punct(')') && is_ident(&t[i - 4], "pub"));
            let list = if public {
                &mut s.reexports
            } else {
                &mut s.imports
            };
            use_tree(&t[i + 1..end], &[], list);
            i = end;
            continue;
        }
        let starts_path = matches!(&t[i], Tok::Ident(w) if w == "crate" || w == "super" || w == "self")
            && t.get(i + 1) == Some(&Tok::Punct(':'))
            && t.get(i + 2) == Some(&Tok::Punct(':'));
        if starts_path {
            let mut segs = Vec::new();
            while let Some(Tok::Ident(w)) = t.get(i) {
                segs.push(w.clone());
                if t.get(i + 1) == Some(&Tok::Punct(':')) && t.get(i + 2) == Some(&Tok::Punct(':'))
                {
                    i += 3;
                } else {
                    i += 1;
                    break;
                }
            }
            s.inline.push(segs);
            continue;
        }
        i += 1;
    }
    s
}

/// The crate's modules: module path (`["sched", "layer"]`) to its file's
/// name and what the file says.
struct Crate {
    names: BTreeMap<Vec<String>, String>,
    sources: BTreeMap<Vec<String>, Source>,
}

impl Crate {
    /// The library crate under `root` (the binary's `main.rs` is a crate
    /// of its own).
    fn load(root: &Path) -> Crate {
        let src = root.join("src");
        let mut found = Vec::new();
        rust_files(&src, &mut found);
        let files = found
            .iter()
            .filter(|f| f.as_path() != src.join("main.rs"))
            .map(|f| {
                let rel = f.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                (rel, fs::read_to_string(f).unwrap())
            })
            .collect();
        Crate::new(files)
    }

    /// The crate of these files (`src/...` paths and their text).
    fn new(files: Vec<(String, String)>) -> Crate {
        let mut names = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (name, text) in files {
            let rel = name.trim_start_matches("src/").trim_end_matches(".rs");
            let mut m: Vec<String> = rel.split('/').map(str::to_owned).collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib")) {
                m.pop();
            }
            sources.insert(m.clone(), parse(&text));
            names.insert(m, name);
        }
        Crate { names, sources }
    }

    fn name(&self, m: &[String]) -> String {
        self.names[m].clone()
    }

    /// The module a path starts from, and the rest of the path; `None` for
    /// a path into another crate.
    fn base<'p>(&self, from: &[String], segs: &'p [String]) -> Option<(Vec<String>, &'p [String])> {
        let mut m = from.to_vec();
        let mut rest = segs;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                m.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    m.pop();
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                let mut child = m.clone();
                child.push(first.to_owned());
                if !self.names.contains_key(&child) {
                    return None;
                }
            }
            None => return None,
        }
        Some((m, rest))
    }

    /// The file that defines what `segs` names, seen from module `from`;
    /// with `follow` off, the module the path names (a re-export's).
    fn resolve(&self, from: &[String], segs: &[String], follow: bool) -> Option<Vec<String>> {
        self.resolve_in(from, segs, if follow { 0 } else { 8 })
    }

    fn resolve_in(&self, from: &[String], segs: &[String], depth: usize) -> Option<Vec<String>> {
        let (mut m, rest) = self.base(from, segs)?;
        let mut item = None;
        for s in rest {
            let mut child = m.clone();
            child.push(s.clone());
            if self.names.contains_key(&child) {
                m = child;
            } else {
                item = Some(s.as_str());
                break;
            }
        }
        let (Some(item), true) = (item, depth < 8) else {
            return Some(m);
        };
        let src = self.sources.get(&m)?;
        if src.defines.contains(item) {
            return Some(m);
        }
        for r in &src.reexports {
            if r.name == item {
                return self.resolve_in(&m, &r.segs, depth + 1).or(Some(m));
            }
        }
        for r in src.reexports.iter().filter(|r| r.name == "*") {
            let mut glob = r.segs.clone();
            glob.push(item.to_owned());
            if let Some(found) = self.resolve_in(&m, &glob, depth + 1)
                && found != m
            {
                return Some(found);
            }
        }
        Some(m)
    }

    /// Every file-to-file import, with a path that makes it: to the file
    /// defining the item (`follow`) or to the one the path names.
    fn edges(&self, follow: bool) -> BTreeMap<(Vec<String>, Vec<String>), String> {
        let mut out = BTreeMap::new();
        for (m, src) in &self.sources {
            let paths = src.imports.iter().map(|u| &u.segs).chain(&src.inline);
            for segs in paths {
                if let Some(to) = self.resolve(m, segs, follow)
                    && to != *m
                {
                    out.entry((m.clone(), to))
                        .or_insert_with(|| segs.join("::"));
                }
            }
        }
        out
    }

    /// The import circles: per folder, its entries (files and subfolders)
    /// that reach each other through imports between them, each circle
    /// with the imports that close it. A folder's own module (`mod.rs`)
    /// and its entries are exempt: the entries share the folder's items,
    /// the folder reaches into them.
    fn circles(&self) -> Vec<(Vec<String>, Vec<String>)> {
        let mut graph: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
        for ((a, b), why) in self.edges(true) {
            let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            if common == a.len() || common == b.len() {
                continue;
            }
            let why = format!("{} uses `{why}`", self.name(&a));
            graph
                .entry(a[..=common].to_vec())
                .or_default()
                .entry(b[..=common].to_vec())
                .or_insert(why);
        }
        let reach = |from: &Vec<String>| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![from.clone()];
            while let Some(n) = todo.pop() {
                for next in graph.get(&n).into_iter().flat_map(BTreeMap::keys) {
                    if seen.insert(next.clone()) {
                        todo.push(next.clone());
                    }
                }
            }
            seen
        };
        let reached: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> =
            graph.keys().map(|n| (n, reach(n))).collect();
        let mut out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for (n, r) in &reached {
            if !r.contains(*n) || out.iter().any(|(c, _)| c.contains(&n.join("::"))) {
                continue;
            }
            let members: Vec<&Vec<String>> = reached
                .iter()
                .filter(|(m, mr)| r.contains(**m) && mr.contains(*n))
                .map(|(m, _)| *m)
                .collect();
            let why = members
                .iter()
                .flat_map(|m| &graph[*m])
                .filter(|(to, _)| members.contains(to))
                .map(|(_, w)| w.clone())
                .collect();
            out.push((members.iter().map(|m| m.join("::")).collect(), why));
        }
        out
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn circles_are_found_between_siblings_not_with_their_folder() {
    let krate = Crate::new(
        [
            ("src/lib.rs", "mod a; mod b; mod c; mod d;"),
            ("src/a.rs", "use crate::b::B; pub struct A;"),
            ("src/b.rs", "pub struct B; fn f() { crate::c::f(); }"),
            ("src/c.rs", "use super::a::A; pub fn f() {}"),
            // A folder whose files use its items, re-exported or its own.
            (
                "src/d/mod.rs",
                "mod x; mod y; pub use x::X; pub struct D; fn g() { y::g(); }",
            ),
            ("src/d/x.rs", "use super::D; pub struct X;"),
            ("src/d/y.rs", "use super::X; pub fn g() {}"),
        ]
        .map(|(n, t)| (n.to_owned(), t.to_owned()))
        .into(),
    );
    let circles = krate.circles();
    assert_eq!(circles.len(), 1, "{circles:?}");
    assert_eq!(circles[0].0, ["a", "b", "c"]);
    assert_eq!(circles[0].1.len(), 3);
}

fn the_crate() -> Crate {
    Crate::load(Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn no_files_import_each_other() {
    let krate = the_crate();
    assert!(
        krate.edges(true).len() > 200,
        "the scan found too few imports"
    );
    let circles: Vec<String> = krate
        .circles()
        .iter()
        .map(|(c, why)| format!("{}:\n    {}", c.join(" <-> "), why.join("\n    ")))
        .collect();
    assert!(
        circles.is_empty(),
        "modules importing each other:\n{}",
        circles.join("\n")
    );
}

/// The hardware front end builds the scheduler's machine and needs nothing
/// else of it: every path from `hw/` into `sched/` names one file.
#[test]
fn hw_names_one_sched_file() {
    let krate = the_crate();
    let named: BTreeSet<String> = krate
        .edges(false)
        .into_keys()
        .filter(|(from, to)| {
            from.first().is_some_and(|m| m == "hw") && to.first().is_some_and(|m| m == "sched")
        })
        .map(|(_, to)| krate.name(&to))
        .collect();
    assert_eq!(named, BTreeSet::from(["src/sched/machine.rs".to_owned()]));
}

#[test]
fn the_scan_reads_paths_as_the_compiler_does() {
    let s = parse(
        "use super::a::{self, B as C, d::{E, F}};\n\
         pub use g::H;\n\
         // use crate::commented::Out;\n\
         fn f() { let s = \"crate::in_string::X\"; crate::x::y(); }\n\
         #[cfg(test)]\nmod tests { use crate::only_tests::Z; }\n",
    );
    let imports: Vec<String> = s.imports.iter().map(|u| u.segs.join("::")).collect();
    assert_eq!(
        imports,
        [
            "super::a",
            "super::a::B",
            "super::a::d::E",
            "super::a::d::F"
        ]
    );
    assert_eq!(s.imports[1].name, "C");
    assert_eq!(s.reexports[0].segs, ["g", "H"]);
    assert_eq!(s.inline, [vec!["crate", "x", "y"]]);
    assert!(s.defines.contains("f") && !s.defines.contains("tests"));
}
