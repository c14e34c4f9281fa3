//! Every `nns/` network lowers to exactly the reference's layers
//! (`tests/data/reference_networks/`, see its README for the name mapping).

use super::root;
use nnc::ir::{LayerKind, Network, Source};
use serde_json::Value;

const STEMS: [&str; 13] = [
    "alex_net",
    "vgg_net",
    "vgg19_net",
    "googlenet",
    "resnet50",
    "resnet152",
    "zfnet",
    "mlp_s",
    "mlp_m",
    "mlp_l",
    "lstm_gnmt",
    "lstm_phoneme",
    "lstm_showtell",
];

/// nnc's qualified name → the reference's name.
fn reference_name(name: &str) -> String {
    let n = name.replace('.', "_");
    // `convN_0_br` → `convN_br`: the reference names the projection by stage.
    match n.strip_suffix("_0_br") {
        Some(stage) if stage.starts_with("conv") => format!("{stage}_br"),
        _ => n,
    }
}

fn pair(v: &Value) -> [u64; 2] {
    let a = v.as_array().expect("pair");
    [a[0].as_u64().expect("int"), a[1].as_u64().expect("int")]
}

fn compare(stem: &str, net: &Network, reference: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let mut eq = |what: String, ours: String, theirs: String| {
        if ours != theirs {
            errs.push(format!("{stem}: {what}: nnc {ours}, reference {theirs}"));
        }
    };
    eq(
        "network".into(),
        net.name().into(),
        reference["network"].as_str().unwrap_or("").into(),
    );
    let input = &reference["input"];
    eq(
        "input".into(),
        format!(
            "{} {:?}",
            net.input().channels,
            [net.input().size.h, net.input().size.w]
        ),
        format!("{} {:?}", input["nofm"], pair(&input["ofmap"])),
    );
    let ext: Vec<String> = net
        .externs()
        .iter()
        .map(|e| {
            format!(
                "{} {} {:?}",
                reference_name(&e.name),
                e.channels,
                [e.size.h, e.size.w]
            )
        })
        .collect();
    let ref_ext: Vec<String> = reference["externs"]
        .as_array()
        .expect("externs")
        .iter()
        .map(|e| {
            format!(
                "{} {} {:?}",
                e["name"].as_str().unwrap_or(""),
                e["nofm"],
                pair(&e["ofmap"])
            )
        })
        .collect();
    eq("externs".into(), format!("{ext:?}"), format!("{ref_ext:?}"));
    let layers = reference["layers"].as_array().expect("layers");
    eq(
        "layer count".into(),
        net.layers().len().to_string(),
        layers.len().to_string(),
    );
    for (l, r) in net.layers().iter().zip(layers) {
        let s = &l.shape;
        let name = reference_name(&l.name);
        let window = r.get("kernel").or_else(|| r.get("region")).map(pair);
        let prevs: Vec<String> = l
            .inputs
            .iter()
            .map(|&i| match i.source {
                Source::Input => "__input__".to_string(),
                other => reference_name(net.source_name(other)),
            })
            .collect();
        let nreg = match l.kind {
            LayerKind::Eltwise | LayerKind::Pool => {
                Some(if let nnc::ir::LayerShape::Local(loc) = s {
                    loc.nreg
                } else {
                    0
                })
            }
            _ => None,
        };
        let ours = format!(
            "{name} {} nifm={} nofm={} ofmap={:?} ifmap={:?} window={:?} stride={:?} nreg={:?} \
             ops/neuron={} ops={} prevs={prevs:?}",
            l.kind,
            s.nifm(),
            s.nofm(),
            [s.ofmap().h, s.ofmap().w],
            [s.ifmap().h, s.ifmap().w],
            Some([s.window().h, s.window().w]),
            [s.stride().h, s.stride().w],
            nreg,
            s.ops_per_neuron(),
            s.total_ops(1),
        );
        let ref_prevs: Vec<String> = r["prevs"]
            .as_array()
            .expect("prevs")
            .iter()
            .map(|p| p.as_str().unwrap_or("").to_string())
            .collect();
        let theirs = format!(
            "{} {} nifm={} nofm={} ofmap={:?} ifmap={:?} window={:?} stride={:?} nreg={:?} \
             ops/neuron={} ops={} prevs={ref_prevs:?}",
            r["name"].as_str().unwrap_or(""),
            r["kind"].as_str().unwrap_or(""),
            r["nifm"],
            r["nofm"],
            pair(&r["ofmap"]),
            pair(&r["ifmap"]),
            window,
            pair(&r["stride"]),
            r.get("nreg").and_then(Value::as_u64),
            r["ops_per_neuron"],
            r["total_ops_batch1"],
        );
        eq(format!("layer {name}"), ours, theirs);
    }
    errs
}

#[test]
fn every_network_matches_the_reference() {
    let mut errs = Vec::new();
    for stem in STEMS {
        let src = std::fs::read_to_string(root().join("nns").join(format!("{stem}.nn")))
            .expect("network file");
        let (net, _) = nnc::lang::compile(&src).unwrap_or_else(|d| {
            panic!("{}", nnc::diag::render(&d, stem, &src));
        });
        let json = std::fs::read_to_string(
            root()
                .join("tests/data/reference_networks")
                .join(format!("{stem}.json")),
        )
        .expect("reference file");
        let reference: Value = serde_json::from_str(&json).expect("reference JSON");
        errs.extend(compare(stem, &net, &reference));
    }
    assert!(
        errs.is_empty(),
        "{} differences:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

#[test]
fn every_reference_network_has_a_file() {
    let mut stems: Vec<String> = std::fs::read_dir(root().join("tests/data/reference_networks"))
        .expect("dir")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "json")
                .then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned()))?
        })
        .collect();
    stems.sort();
    let mut ours: Vec<String> = STEMS.iter().map(|s| s.to_string()).collect();
    ours.sort();
    assert_eq!(stems, ours);
}

#[test]
fn name_mapping() {
    assert_eq!(reference_name("inception_3a.1x1"), "inception_3a_1x1");
    assert_eq!(reference_name("conv4.2.a"), "conv4_2_a");
    assert_eq!(reference_name("conv4_0.br"), "conv4_br");
    assert_eq!(reference_name("cell_l0.cinit"), "cell_l0_cinit");
}
