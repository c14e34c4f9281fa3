//! SCALE-Sim's fixed mapping priced in nnc's model against nnc's own
//! schedule, per network, on a systolic node (docs/model/dataflows.md#scale-sims-mapping-priced-in-nncs-model):
//! the README's systolic table, made by `bench/systolic-table.sh`.
//!
//! Usage: `cargo run --release --example systolic_vs_scalesim -- HW
//! NET.nn...` (HW a preset or a file; batch 1, default options). Prints one
//! Markdown row per network over its conv, fc and matmul layers (SCALE-Sim
//! has no pooling or element-wise layers): SCALE-Sim's mapping's energy
//! and cycles, nnc's, and the ratios.

use nnc::internals::sched::dataflow::scalesim_mapping_cost;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((hw_arg, nets)) = args.split_first() else {
        eprintln!("usage: systolic_vs_scalesim HW NET.nn...");
        return ExitCode::from(2);
    };
    let hw = match nnc::hw::load(hw_arg) {
        Ok(hw) => hw,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let machine = hw.machine();
    let unit = hw.energy_unit.to_string();
    println!(
        "| network | layers | SCALE-Sim's mapping: energy ({unit}) | cycles | nnc: energy ({unit}) | cycles | energy saved | speed-up |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for path in nets {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let Ok((net, _)) = nnc::lang::compile(&text) else {
            eprintln!("{path}: does not compile");
            return ExitCode::FAILURE;
        };
        let s = match nnc::schedule(&net, &hw, &nnc::Options::default()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (mut n, mut fixed_e, mut fixed_t, mut own_e, mut own_t) = (0, 0.0, 0u64, 0.0, 0u64);
        for l in &s.layers {
            let Some(id) = net.find(&l.name) else {
                continue;
            };
            if let Some(fixed) = scalesim_mapping_cost(&net.layer(id).shape, 1, &machine) {
                n += 1;
                fixed_e += fixed.energy;
                fixed_t += fixed.cycles;
                own_e += l.energy;
                own_t += l.time.total;
            }
        }
        println!(
            "| {} | {n} | {fixed_e:.4e} | {fixed_t} | {own_e:.4e} | {own_t} | {:.2}x | {:.2}x |",
            net.name(),
            fixed_e / own_e,
            fixed_t as f64 / own_t as f64
        );
    }
    ExitCode::SUCCESS
}
