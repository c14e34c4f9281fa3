//! The padding rule and `mode` (docs/language.md, "The padding rule"): one
//! file per case in `tests/fixtures/padding/`. A file whose header says
//! `compiles` snapshots its IR; every other one must fail with E016 alone,
//! and snapshots its diagnostics. Each fix the messages offer is applied in
//! [`every_offered_fix_compiles`].

use super::{relative, snapshot_settings};
use nnc::diag::Code;

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).expect("readable fixture")
}

#[test]
fn every_padding_case() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/padding", "*.nn", |path| {
            let src = read(path);
            let compiles = src.starts_with("# nnc check: compiles");
            let text = match nnc::lang::compile(&src) {
                Ok((net, warnings)) => {
                    assert!(compiles, "{} compiles", relative(path));
                    assert!(warnings.is_empty(), "{}: warnings", relative(path));
                    format!("----- SOURCE\n{src}\n----- IR\n{}", net.to_json().to_text())
                }
                Err(d) => {
                    let codes: Vec<Code> = d.iter().filter_map(|d| d.code).collect();
                    assert!(!compiles, "{} fails: {codes:?}", relative(path));
                    assert_eq!(codes, [Code::PaddingRule], "{}", relative(path));
                    let out = nnc::diag::render(&d, &relative(path), &src);
                    format!("----- SOURCE\n{src}\n----- DIAGNOSTICS\n{out}")
                }
            };
            insta::assert_snapshot!("padding", text);
        });
    });
}

/// The values a `help: use ...` line offers for `key`, as the source text
/// to write (`pad: 1`, `pad: (0, 1)`), each of them.
fn offered(help: &str, key: &str) -> Vec<String> {
    let with = format!("any `{key}` from ");
    if let Some(range) = help.split(&with).nth(1) {
        let mut it = range
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let lo: u64 = it.next().and_then(|s| s.parse().ok()).expect("from");
        let hi: u64 = it.next().and_then(|s| s.parse().ok()).expect("to");
        return (lo..=hi).map(|v| format!("{key}: {v}")).collect();
    }
    let tick = format!("`{key}: ");
    help.split(&tick)
        .skip(1)
        .filter_map(|s| s.split('`').next())
        .map(|v| format!("{key}: {v}"))
        .collect()
}

/// Applies each fix that an E016 message offers to the call and compiles
/// the result: over every small pool and conv, every offer must work.
#[test]
fn every_offered_fix_compiles() {
    let mut offers = 0;
    for input in [5u64, 6, 7, 31, 32, 33] {
        for (k, s) in [
            (1, 2),
            (2, 2),
            (3, 1),
            (3, 2),
            (3, 3),
            (2, 3),
            (5, 2),
            (7, 2),
        ] {
            for extra in [
                "",
                ", pad: 2",
                ", pad: 3",
                ", size: 11",
                ", size: 4",
                ", mode: floor",
            ] {
                let call = format!("pool(data, kernel: {k}, stride: {s}{extra})");
                let src = format!("network n\ninput data [3, {input}]\np = {call}\n");
                let Err(d) = nnc::lang::compile(&src) else {
                    continue;
                };
                let Some(e) = d.iter().find(|d| d.code == Some(Code::PaddingRule)) else {
                    continue;
                };
                for note in &e.notes {
                    let Some(help) = note.strip_prefix("help: ") else {
                        continue;
                    };
                    let floor = help.contains("mode: floor");
                    let mut fixes: Vec<String> = Vec::new();
                    for key in ["pad", "size"] {
                        for v in offered(help, key) {
                            let kept = extra.trim_start_matches(", ");
                            let mut args = vec![v];
                            if !kept.is_empty() && !kept.starts_with(key) {
                                args.push(kept.to_string());
                            }
                            if floor && !kept.starts_with("mode") {
                                args.push("mode: floor".into());
                            }
                            fixes.push(args.join(", "));
                        }
                    }
                    if fixes.is_empty() && floor {
                        let kept = extra.trim_start_matches(", ");
                        fixes.push(if kept.is_empty() {
                            "mode: floor".into()
                        } else {
                            format!("{kept}, mode: floor")
                        });
                    }
                    assert!(!fixes.is_empty(), "a help without a fix: {help}");
                    for fix in fixes {
                        let fixed = format!(
                            "network n\ninput data [3, {input}]\np = pool(data, kernel: {k}, \
                             stride: {s}, {fix})\n"
                        );
                        offers += 1;
                        if let Err(d) = nnc::lang::compile(&fixed) {
                            let out = nnc::diag::render(&d, "fixed.nn", &fixed);
                            panic!("`{help}` for\n{src}does not fit:\n{out}");
                        }
                    }
                }
            }
        }
    }
    assert!(offers > 100, "only {offers} fixes tried");
}
