//! SCALE-Sim 3.0.0's report of every layer of a topology on a config, as
//! JSON, with the time nnc's model took per topology row, without reading
//! or writing files (for `bench/vs-scalesim.sh`, which times SCALE-Sim the
//! same way; `nnc schedule --compat scalesim` gives the same reports).
//!
//! Usage: `cargo run --release --example scalesim -- TOPOLOGY.csv CONFIG.cfg
//! [--gemm] [--runs N]`. Prints one JSON object per topology row:
//! `{"row", "seconds", "layers": [{"name", "report"}]}`; `seconds` is the
//! fastest of `N` runs (default 5) of the model on the row
//! ([`nnc::scalesim::TopologyRow::simulate`]: a `DP` row's channels are one
//! layer, simulated once).

use nnc::scalesim::{TopologyKind, read_config, read_topology};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gemm = args.iter().any(|a| a == "--gemm");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5u32);
    let files: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--runs"))
        .map(|(_, a)| a)
        .collect();
    let [topology, config] = files[..] else {
        eprintln!("usage: scalesim TOPOLOGY.csv CONFIG.cfg [--gemm] [--runs N]");
        return ExitCode::from(2);
    };
    let read = |path: &str| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    let result = (|| -> Result<(), String> {
        let kind = if gemm {
            TopologyKind::Gemm
        } else {
            TopologyKind::Auto
        };
        let topology =
            read_topology(&read(topology)?, kind).map_err(|e| format!("{topology}: {e}"))?;
        let array = read_config(&read(config)?)
            .map_err(|e| format!("{config}: {e}"))?
            .array();
        for row in &topology.rows {
            let mut best = f64::INFINITY;
            let mut run = None;
            for _ in 0..runs.max(1) {
                let t = Instant::now();
                run = Some(
                    row.simulate(&array)
                        .map_err(|e| format!("{}: {e}", row.name))?,
                );
                best = best.min(t.elapsed().as_secs_f64());
            }
            let Some(run) = run else { continue };
            let layers: Vec<_> = row
                .layers()
                .map(|(name, _)| serde_json::json!({"name": name, "report": run.report}))
                .collect();
            let line = serde_json::json!({"row": row.name, "seconds": best, "layers": layers});
            println!("{line}");
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
