//! The language's messages and exit codes as `nnc` shows them.

use crate::cli::{nnc, text};

#[test]
fn a_network_without_layers_is_error_e038_in_check_and_schedule() {
    let file = "tests/fixtures/errors/E038.nn";
    for args in [vec!["check", file], vec!["schedule", file]] {
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("error[E038]: network `empty` has no layers"),
            "{stderr}"
        );
        assert!(!stderr.contains("W002"), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_kernel_of_three_dimensions_says_so() {
    let out = nnc(&["check", "tests/fixtures/errors/E039.nn"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[E039]: a kernel has at most two dimensions"),
        "{stderr}"
    );
    assert!(stderr.contains("`kernel: (h, w)`"), "{stderr}");
    assert!(!stderr.contains("unexpected"), "{stderr}");
}

#[test]
fn a_pool_that_leaves_rows_unread_is_offered_floor_only() {
    let out = nnc(&["check", "tests/fixtures/padding/pool_unread.nn"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("an output of 10x10 reads 30x30, leaving 2 rows and 2 columns unread"),
        "{stderr}"
    );
    assert!(stderr.contains("add `mode: floor`"), "{stderr}");
    // No pad or size fits, so none is suggested.
    assert!(!stderr.contains("`pad"), "{stderr}");
    assert!(!stderr.contains("`size"), "{stderr}");
}

/// Prints the totals and layers of a schedule: what the model computed,
/// without the provenance (file names, digests) that differs between runs.
fn model_output(file: &str) -> String {
    let out = nnc(&["schedule", file, "-o", "-", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    format!("{}\n{}", v["totals"], v["layers"])
}

/// A floor pool reads only the rows its windows use: it costs exactly what
/// the same pool over an input of just those rows costs.
#[test]
fn a_floor_pool_costs_the_rows_it_reads() {
    let dir = std::env::temp_dir().join(format!("nnc-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let floor = dir.join("floor.nn");
    let exact = dir.join("exact.nn");
    std::fs::write(
        &floor,
        "network t\ninput d [16, 32]\np = pool(d, kernel: 3, stride: 2, mode: floor)\n",
    )
    .expect("write");
    std::fs::write(
        &exact,
        "network t\ninput d [16, 31]\np = pool(d, kernel: 3, stride: 2)\n",
    )
    .expect("write");
    let a = model_output(floor.to_str().expect("utf-8 path"));
    let b = model_output(exact.to_str().expect("utf-8 path"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(a.contains("\"ifmap\":[31,31]"), "{a}");
    assert_eq!(a, b);
}
