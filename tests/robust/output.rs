//! `-o FILE` (items 5 and 16): refused before the work, in words that say
//! what is wrong; nothing left behind.

use super::{Tmp, arg, nnc};

/// Item 16: `-o .` said "Device or resource busy", `-o dir/` "Not a
/// directory"; both name the directory now, and nothing is written.
#[test]
fn a_directory_is_no_output() {
    let tmp = Tmp::new("o-dir");
    std::fs::create_dir(tmp.path("sub")).unwrap();
    for o in [".", "sub", "sub/", "missing/"] {
        let net = format!("{}/nns/mlp_s.nn", env!("CARGO_MANIFEST_DIR"));
        let run = nnc(Some(&tmp.0), &["schedule", &net, "-q", "-o", o]);
        assert_eq!(run.code, Some(2), "-o {o}: {}", run.stderr);
        assert!(
            run.stderr.contains("names a directory") || run.stderr.contains("does not exist"),
            "-o {o}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("busy"), "{}", run.stderr);
    }
    assert_eq!(tmp.names(), ["sub"]);
}

/// Item 16: `-o` was checked only after the whole search; a path that
/// cannot be written is refused before it (VGG-19 takes far longer than
/// the bound to schedule).
#[test]
fn an_unwritable_output_is_refused_before_the_search() {
    let tmp = Tmp::new("o-early");
    let out = tmp.path("no/such/dir/out.json");
    let run = nnc(None, &["schedule", "nns/vgg19_net.nn", "-o", arg(&out)]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(run.took.as_secs_f64() < 3.0, "{:?}", run.took);
    // A file where the directory should be.
    let file = tmp.write("plain", "x");
    let o = format!("{}/s.json", arg(&file));
    let run = nnc(None, &["schedule", "nns/vgg19_net.nn", "-o", &o]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("is not a directory"), "{}", run.stderr);
}

/// Item 5: a failed write leaves no temporary file behind, and a finished
/// one is a regular file (the temporary name's symlink case is the unit
/// test `cli::output::tests::a_planted_symlink_is_not_followed`).
#[test]
fn writes_leave_one_regular_file() {
    let tmp = Tmp::new("o-regular");
    let out = tmp.path("s.json");
    let run = nnc(None, &["schedule", "nns/mlp_s.nn", "-q", "-o", arg(&out)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(&out)
            .unwrap()
            .file_type()
            .is_file()
    );
    assert_eq!(tmp.names(), ["s.json"]);
}
