//! nn_dataflow's own flag names (`nn_dataflow_search`), recognised when clap
//! refuses a command line, so that a user coming from the reference is told
//! nnc's spelling instead of clap's "similar argument" tip. One row per row
//! of the README's flag table and docs/hardware.md#from-nn_dataflows-flags.

use super::{Cli, EXIT_USAGE};
use clap::Parser;
use std::ffi::OsString;
use std::process::ExitCode;

/// One of the reference's flags and what to use in nnc instead.
struct ReferenceFlag {
    /// The reference's spellings (long, and short where it has one).
    names: &'static [&'static str],
    /// nnc's equivalent, as the message says it.
    instead: &'static str,
}

/// The reference's flags that nnc spells differently or does not have.
/// Flags both share (`--batch`, `--batch-partition`, `--goal`, `--top`)
/// are not listed.
const FLAGS: &[ReferenceFlag] = &[
    ReferenceFlag {
        names: &["--hybrid-partition"],
        instead: "use `--partition hybrid` (the default is `--partition naive`)",
    },
    ReferenceFlag {
        names: &["--solve-loopblocking"],
        instead: "use `--solver analytic` (the default is `--solver exhaustive`)",
    },
    ReferenceFlag {
        names: &["--ifmaps-partition"],
        instead: "use `--ifmap-partition` (with `--partition hybrid`)",
    },
    ReferenceFlag {
        names: &["--enable-access-forwarding"],
        instead: "use `--access-forwarding`",
    },
    ReferenceFlag {
        names: &["--disable-bypass"],
        instead: "use `--no-bypass` with a comma list, e.g. `--no-bypass i,o,f` (i ifmaps, o ofmaps, f filters)",
    },
    ReferenceFlag {
        names: &["-g"],
        instead: "use `--goal e|d|ed`",
    },
    ReferenceFlag {
        names: &["-t"],
        instead: "use `--top N`",
    },
    ReferenceFlag {
        names: &["--processes", "-p"],
        instead: "use `--threads N` (results never depend on it)",
    },
    ReferenceFlag {
        names: &["--verbose", "-v"],
        instead: "nnc shows a progress bar when stderr is a terminal; `--quiet` prints nothing but errors",
    },
    ReferenceFlag {
        names: &["--enable-gbuf-sharing"],
        instead: "use `--gbuf-sharing` (it implies `--access-forwarding`)",
    },
    ReferenceFlag {
        names: &["--interlayer-partition"],
        instead: "use `--interlayer` (inter-layer pipelining)",
    },
    ReferenceFlag {
        names: &["--enable-save-writeback"],
        instead: "use `--save-writeback`",
    },
    ReferenceFlag {
        names: &["--disable-interlayer-opt"],
        instead: "use `--basic-interlayer`",
    },
    ReferenceFlag {
        names: &["--layer-pipeline-time-overhead"],
        instead: "use `--pipeline-time-overhead X`",
    },
    ReferenceFlag {
        names: &["--layer-pipeline-max-degree"],
        instead: "use `--pipeline-max-degree N`",
    },
    ReferenceFlag {
        names: &["--word"],
        instead: "give `word_bits` in a hardware file (`--hw FILE`) or `--set word_bits=BITS` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--nodes"],
        instead: "give `[nodes] dims` in a hardware file (`--hw FILE`) or `--set nodes.dims=HxW` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--mem-type"],
        instead: "give `[nodes] memory = \"2d\"` or `\"3d\"` in a hardware file (`--hw FILE`) or `--set nodes.memory=3d` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--array"],
        instead: "give `[node] pe_array` in a hardware file (`--hw FILE`) or `--set node.pe_array=HxW` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--regf"],
        instead: "give `[node] regf_bytes` in a hardware file (`--hw FILE`) or `--set node.regf_bytes=BYTES` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--gbuf"],
        instead: "give `[node] gbuf_bytes` in a hardware file (`--hw FILE`) or `--set node.gbuf_bytes=BYTES` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--bus-width"],
        instead: "give `[node] bus_width_bits` in a hardware file (`--hw FILE`) or `--set node.bus_width_bits=BITS` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--dram-bw"],
        instead: "give `[dram] bandwidth_bytes_per_cycle` in a hardware file (`--hw FILE`) or `--set dram.bandwidth_bytes_per_cycle=B` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--op-cost"],
        instead: "give `[energy] mac` in a hardware file (`--hw FILE`) or `--set energy.mac=E` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--hier-cost"],
        instead: "give `[energy] dram`, `gbuf`, `array` and `regf` in a hardware file (`--hw FILE`) or `--set energy.dram=E` and so on (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--hop-cost"],
        instead: "give `[energy] noc_hop` in a hardware file (`--hw FILE`) or `--set energy.noc_hop=E` (docs/hardware.md)",
    },
    ReferenceFlag {
        names: &["--unit-idle-cost"],
        instead: "give `[energy] static_per_cycle` in a hardware file (`--hw FILE`) or `--set energy.static_per_cycle=E` (docs/hardware.md)",
    },
];

/// What to say about `arg` if it is one of the reference's flags (also as
/// `--flag=value`).
fn explain(arg: &str) -> Option<String> {
    let name = arg.split_once('=').map_or(arg, |(n, _)| n);
    FLAGS
        .iter()
        .find(|f| f.names.contains(&name))
        .map(|f| format!("`{name}` is nn_dataflow's flag: {}", f.instead))
}

/// The message for the first of the reference's flags among `args` (before
/// a `--`), if any.
pub(crate) fn first_reference_flag<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    args.into_iter()
        .map(Into::into)
        .skip(1)
        .take_while(|a| a != "--")
        .find_map(|a| a.to_str().and_then(explain))
}

/// Parses the process's command line. When clap refuses it and it holds one
/// of the reference's flags, says nnc's spelling instead of clap's message
/// (exit 2); other errors, `--help` and `--version` are clap's.
pub(crate) fn parse() -> Result<Cli, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) if e.use_stderr() => match first_reference_flag(std::env::args_os()) {
            Some(why) => {
                // Before `--color` is read: plain, as clap's own errors.
                super::print(&nnc::diag::Report::error(why), false);
                Err(ExitCode::from(EXIT_USAGE))
            }
            None => e.exit(),
        },
        Err(e) => e.exit(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_with_values() {
        let mut all: Vec<&str> = FLAGS.iter().flat_map(|f| f.names.iter().copied()).collect();
        all.sort_unstable();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n, "a flag listed twice");
        assert_eq!(
            explain("--nodes=4").as_deref(),
            Some(
                "`--nodes` is nn_dataflow's flag: give `[nodes] dims` in a hardware file (`--hw FILE`) or `--set nodes.dims=HxW` (docs/hardware.md)"
            )
        );
        assert_eq!(explain("--batch"), None);
        // After `--` everything is a value.
        assert_eq!(first_reference_flag(["nnc", "--", "--nodes"]), None);
        assert!(first_reference_flag(["nnc", "schedule", "-t", "4"]).is_some());
    }
}
