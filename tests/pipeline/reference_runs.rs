//! Pipelined whole-network searches against nn_dataflow 2.1 runs of our own
//! (`tests/data/reference_pipeline_runs.json`), through the binary and its
//! pipelining flags, in the reference-compatible model: each layer's place
//! `(segment, sp, tm)`, the segment times, and the totals (energy within
//! 1e-9 relative, time exactly).

use serde_json::Value;

#[test]
fn pipelined_totals_equal_the_reference() {
    let doc: Value =
        serde_json::from_str(include_str!("../data/reference_pipeline_runs.json")).unwrap();
    let runs = doc["runs"].as_array().unwrap();
    assert!(!runs.is_empty());
    for run in runs {
        let name = run["name"].as_str().unwrap();
        let got = crate::search::reference_runs::replay(run);
        // The places first: a different segmentation explains every other mismatch.
        // The reference joins a block's name and its layer's with `_`
        // (`inception_3a_1x1`), nnc with `.` (`inception_3a.1x1`); `renamed`
        // lists the names that differ otherwise (ResNet's `conv2_0.br` is
        // the reference's `conv2_br`).
        let layers = got["layers"].as_array().unwrap();
        assert_eq!(
            layers.len(),
            run["places"].as_object().unwrap().len(),
            "{name}: layers"
        );
        for layer in layers {
            let nnc_name = layer["name"].as_str().unwrap();
            let lname = match run["renamed"][nnc_name].as_str() {
                Some(theirs) => theirs.to_owned(),
                None => nnc_name.replace('.', "_"),
            };
            let place = &layer["place"];
            let want = &run["places"][&lname];
            assert!(
                want.is_array(),
                "{name}: {lname} is not in the reference run"
            );
            assert_eq!(
                [&place["segment"], &place["group"], &place["position"]]
                    .map(|v| v.as_u64().unwrap()),
                [0, 1, 2].map(|i| want[i].as_u64().unwrap()),
                "{name}: place of {lname}"
            );
        }
        let seg_times: Vec<u64> = got["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["time"].as_u64().unwrap())
            .collect();
        let want: Vec<u64> = run["segment_time"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_u64().unwrap())
            .collect();
        assert_eq!(seg_times, want, "{name}: segment times");
        let energy = got["totals"]["energy"].as_f64().unwrap();
        let expected = run["total_cost"].as_f64().unwrap();
        assert!(
            (energy - expected).abs() <= 1e-9 * expected.abs(),
            "{name}: energy {energy} against the reference's {expected}"
        );
        assert_eq!(got["totals"]["time"], run["total_time"], "{name}: time");
    }
}
