//! What a new user tripped on (issue 12): `-o` over an input, hardware-file
//! messages, nn_dataflow's flag names, misleading diagnostics.

use super::{nnc, text};
use std::path::PathBuf;

/// A fresh directory of this test process for `name`'s files.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnc-newuser-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `nnc schedule NET --hw HW -o OUT` must refuse with exit 2, name both
/// files, and leave every file as it was.
fn refuses(net: &PathBuf, hw: &str, out: &PathBuf, says: &str) {
    let before_net = std::fs::read(net).unwrap();
    let before_out = std::fs::read(out).ok();
    let o = nnc(&[
        "schedule",
        net.to_str().unwrap(),
        "--hw",
        hw,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let stderr = text(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("the output `{}`", out.display())),
        "{stderr}"
    );
    assert!(stderr.contains(says), "{stderr}");
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(net).unwrap(), before_net, "network untouched");
    assert_eq!(std::fs::read(out).ok(), before_out, "output untouched");
}

#[test]
fn output_over_an_input_is_refused_also_through_links() {
    let d = dir("overwrite");
    let net = d.join("self.nn");
    std::fs::copy("nns/mlp_s.nn", &net).unwrap();
    let hw = d.join("hw.toml");
    std::fs::copy("hw/eyeriss.toml", &hw).unwrap();
    let hw_arg = hw.to_str().unwrap();
    let net_is = format!("is the network file `{}`", net.display());
    let hw_is = format!("is the hardware file `{hw_arg}`");

    // The same path, and the same file through another spelling.
    refuses(&net, "eyeriss", &net, &net_is);
    refuses(&net, "eyeriss", &d.join(".").join("self.nn"), &net_is);
    refuses(&net, hw_arg, &hw, &hw_is);
    #[cfg(unix)]
    {
        let sym = d.join("sym.json");
        std::os::unix::fs::symlink(&net, &sym).unwrap();
        refuses(&net, "eyeriss", &sym, &net_is);
        let hard = d.join("hard.json");
        std::fs::hard_link(&hw, &hard).unwrap();
        refuses(&net, hw_arg, &hard, &hw_is);
    }

    // A new output, or another existing file, is written.
    for out in [d.join("new.json"), d.join("hw-copy.json")] {
        if out.ends_with("hw-copy.json") {
            std::fs::copy(&hw, &out).unwrap();
        }
        let o = nnc(&[
            "schedule",
            net.to_str().unwrap(),
            "--hw",
            hw_arg,
            "-o",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["format"], "nnc-schedule/1");
    }
    assert_eq!(
        std::fs::read(&net).unwrap(),
        std::fs::read("nns/mlp_s.nn").unwrap()
    );
}
