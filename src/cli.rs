//! The command line: clap definitions whose doc comments are the help text,
//! translated into calls of the library. Exit codes: 0 success, 1 compile
//! errors, 2 usage errors (bad arguments, unreadable files).

use crate::ir::{LayerKind, Network};
use crate::lang;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// nnc: a compiler and dataflow scheduler for neural-network accelerators.
#[derive(Debug, Parser)]
#[command(
    name = "nnc",
    version,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 compile errors, 2 usage errors (bad arguments, \
                  unreadable files)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to color diagnostics: `auto` colors a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a network, then print its layers and totals.
    Check(CheckArgs),
}

/// Arguments of `nnc check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The network, a `.nn` file.
    pub file: PathBuf,
    /// Print the network IR as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// When to color diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Exit code of a compile error.
pub const EXIT_COMPILE_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own errors use it too).
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(&args, cli.color.enabled()),
    }
}

fn check(args: &CheckArgs, color: bool) -> ExitCode {
    let path = args.file.display().to_string();
    let source = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read `{path}`: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut stderr = std::io::stderr().lock();
    match lang::compile(&source) {
        Err(diags) => {
            let _ = lang::diag::emit(&diags, &path, &source, color, &mut stderr);
            ExitCode::from(EXIT_COMPILE_ERROR)
        }
        Ok((net, warnings)) => {
            let _ = lang::diag::emit(&warnings, &path, &source, color, &mut stderr);
            let text = if args.json {
                net.to_json().to_text()
            } else {
                table(&net)
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`nnc check x.nn | head`) is not an error.
            let _ = stdout.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
    }
}

/// The human summary of a checked network: one row per layer, then totals.
pub fn table(net: &Network) -> String {
    let mut rows: Vec<[String; 8]> = vec![[
        "layer".into(),
        "kind".into(),
        "in".into(),
        "out".into(),
        "ofmap".into(),
        "kernel".into(),
        "stride".into(),
        "MACs".into(),
    ]];
    for l in net.layers() {
        let s = &l.shape;
        let kernel = match l.kind {
            LayerKind::Eltwise => format!("{} in", l.inputs.len()),
            _ => s.window().to_string(),
        };
        rows.push([
            l.name.clone(),
            l.kind.to_string(),
            s.nifm().to_string(),
            s.nofm().to_string(),
            s.ofmap().to_string(),
            kernel,
            s.stride().to_string(),
            group(s.total_ops(1)),
        ]);
    }
    let mut width = [0usize; 8];
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = format!(
        "network {}: input `{}` {}x{}",
        net.name(),
        net.input().name,
        net.input().channels,
        net.input().size
    );
    for e in net.externs() {
        out += &format!(", extern `{}` {}x{}", e.name, e.channels, e.size);
    }
    out += "\n\n";
    for r in &rows {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(width).enumerate() {
            // Names and kinds left-aligned, numbers right-aligned.
            if i < 2 {
                line += &format!("{c:<w$}  ");
            } else {
                line += &format!("{c:>w$}  ");
            }
        }
        out += line.trim_end();
        out += "\n";
    }
    let weights: u64 = net
        .layers()
        .iter()
        .map(|l| l.shape.total_filter_size())
        .sum();
    out += &format!(
        "\n{} layers, {} MACs per sample, {} weights\n",
        net.layers().len(),
        group(net.total_ops(1)),
        group(weights)
    );
    out
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
