//! [`ast::File`] → [`Network`]: resolves names, expands blocks and repeats,
//! infers every shape, and reports every problem it finds as a diagnostic.
//!
//! The passes, in order, one file each:
//!
//! 1. `structure`: what the file must look like before any value is
//!    computed: the `network` header, one `input`, well-formed block
//!    definitions (reserved names, parameters, `out`), no recursion.
//! 2. `stmts`: the statements of a scope, top to bottom. A statement
//!    defines names (`names`) from values (`eval`): integer expressions,
//!    sources, operator calls (`calls`, with the operators of `lang::builtin`,
//!    the window arithmetic of `shape`, the operators over several sources
//!    in `merge` and `matmul`'s own) and block instances and repeats
//!    (`blocks`), which run `stmts` again on the block body in a new scope.
//! 3. `structure` again, over the whole network: no layers at all, layers,
//!    inputs and blocks that nothing uses.
//! 4. `finish`: builds the IR.
//!
//! Invariant of the result: the network was built by [`NetworkBuilder`] from
//! layers this module already checked, so building never fails from source
//! (a failure is reported as an internal error, not a panic). Layers are
//! created in definition order, which is the IR's (topological) order.

mod blocks;
mod calls;
mod eval;
mod matmul;
mod merge;
mod names;
mod shape;
mod slice;
mod stmts;
mod structure;

pub use crate::suggest::{edit_distance, suggest};
pub use shape::shape_fits;

use super::ast::{self, BlockDef, Span};
use super::error::{ErrorKind, Operand, ValueKind};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{ChannelRange, DataInput, Dim2, Layer, Network, NetworkBuilder, Source};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Largest count any single quantity of a layer may reach (ops, words of
/// ifmap, ofmap or filters, for one sample). Keeps every formula of the IR,
/// and network totals, far from `u64` overflow.
pub const MAX_QUANTITY: u64 = 1 << 44;
/// Most layers plus block instances one file may expand to.
pub const MAX_EXPANSION: usize = 1 << 16;
/// Deepest nesting of block instances.
pub const MAX_DEPTH: usize = 64;

/// Most "did you mean" searches in one file.
pub const MAX_SUGGESTIONS: usize = 256;

/// Checks a parsed file and lowers it. On success returns the network and
/// its warnings; on failure all diagnostics (errors and warnings).
pub fn check(file: &ast::File) -> Result<(Network, Diagnostics), Diagnostics> {
    let mut c = Checker::new();
    c.run(file);
    c.finish()
}

/// A producer of channels, as seen by a consumer: one part of a source
/// value, all of its channels or a channel slice of them.
#[derive(Clone, Debug)]
struct Part {
    source: Source,
    name: String,
    /// Channels read: the range's, or all of the source's.
    channels: u64,
    /// The channels read when they are a slice of the source's.
    range: Option<ChannelRange>,
    size: Dim2,
    def: Span,
}

impl Part {
    /// The part as messages name it: `x`, or `x[0:58]` for a slice.
    pub(super) fn label(&self) -> String {
        match self.range {
            Some(r) => format!("{}{r}", self.name),
            None => self.name.clone(),
        }
    }

    pub(super) fn operand(&self) -> Operand {
        Operand {
            name: self.label(),
            def: self.def,
            channels: self.channels,
            size: self.size,
        }
    }
}

/// A block instance or a repeat: its members and outputs.
#[derive(Debug)]
struct Instance {
    name: String,
    members: HashMap<String, Value>,
    outputs: Vec<(String, Value)>,
    repeats: Vec<Rc<Instance>>,
}

/// What an expression evaluates to.
#[derive(Clone, Debug)]
enum Value {
    Int(i64),
    Pair(i64, i64),
    /// A layer, input, extern, or concatenation of them.
    Src(Vec<Part>),
    Inst(Rc<Instance>),
    /// An error was already reported for this value: uses of it stay
    /// silent, so one mistake is reported once.
    Poison,
}

impl Value {
    pub(super) fn kind(&self) -> ValueKind {
        match self {
            Value::Int(_) => ValueKind::Int,
            Value::Pair(..) => ValueKind::Pair,
            Value::Src(_) | Value::Poison => ValueKind::Layer,
            Value::Inst(i) if i.outputs.len() == 1 => ValueKind::Layer,
            Value::Inst(_) => ValueKind::Instance,
        }
    }
}

/// The names of one scope: the top level or one block instance.
struct Scope {
    /// `""` at top level, `"inc3a."` in an instance.
    prefix: String,
    values: HashMap<String, (Value, Span)>,
    /// Names defined further down this scope.
    later: HashMap<String, Span>,
    in_block: bool,
    outputs: Vec<(String, Value)>,
}

impl Scope {
    fn new(prefix: String, in_block: bool) -> Self {
        Scope {
            prefix,
            values: HashMap::new(),
            later: HashMap::new(),
            in_block,
            outputs: Vec::new(),
        }
    }
}

/// The state of one check: what is defined so far and what was reported.
struct Checker<'a> {
    diags: Diagnostics,
    name: String,
    blocks: HashMap<&'a str, &'a BlockDef>,
    used_blocks: HashSet<&'a str>,
    input: Option<DataInput>,
    externs: Vec<DataInput>,
    layers: Vec<Layer>,
    /// The network outputs named by top-level `out`s.
    outputs: Vec<Source>,
    /// Sources read by a folded operator although they are not its value
    /// (`scale`'s factors): used, for the unused-layer warning.
    side_reads: HashSet<Source>,
    scopes: Vec<Scope>,
    /// Blocks being expanded, innermost last.
    stack: Vec<&'a str>,
    /// The instances being expanded (qualified name, call), innermost last.
    calls: Vec<(String, Span)>,
    expansion: usize,
    limit_reported: bool,
    /// "Did you mean" searches left: a file with thousands of unknown names
    /// must not cost thousands of scans of every name.
    suggestions_left: usize,
}

impl<'a> Checker<'a> {
    fn new() -> Self {
        Checker {
            diags: Diagnostics::new(),
            name: String::new(),
            blocks: HashMap::new(),
            used_blocks: HashSet::new(),
            input: None,
            externs: Vec::new(),
            layers: Vec::new(),
            outputs: Vec::new(),
            side_reads: HashSet::new(),
            scopes: vec![Scope::new(String::new(), false)],
            stack: Vec::new(),
            calls: Vec::new(),
            expansion: 0,
            limit_reported: false,
            suggestions_left: MAX_SUGGESTIONS,
        }
    }

    /// Reports a problem; inside a block body, also where the instance is.
    pub(super) fn error(&mut self, e: ErrorKind) {
        let mut d = e.diagnostic();
        if let Some((name, call)) = self.calls.last()
            && !d.labels.iter().any(|l| l.span == *call)
        {
            d = d.secondary(*call, format!("in instance `{name}`"));
        }
        self.diags.push(d);
    }

    fn run(&mut self, file: &'a ast::File) {
        self.header(file);
        self.collect_blocks(file);
        self.stmts(&file.stmts);
        self.no_layers(file);
        self.unused();
    }

    fn finish(mut self) -> Result<(Network, Diagnostics), Diagnostics> {
        if self.diags.has_errors() {
            return Err(self.diags);
        }
        let Some(input) = self.input.take() else {
            self.diags
                .push(Diagnostic::internal("no input after a successful check"));
            return Err(self.diags);
        };
        let built = (|| {
            let mut b = NetworkBuilder::new(self.name.clone(), input)?;
            for e in std::mem::take(&mut self.externs) {
                b.add_extern(e)?;
            }
            for l in std::mem::take(&mut self.layers) {
                b.add_layer(l)?;
            }
            Ok::<_, crate::ir::IrError>(b.finish())
        })();
        match built {
            Ok(net) => Ok((net, self.diags)),
            Err(e) => {
                self.diags.push(Diagnostic::internal(e.to_string()));
                Err(self.diags)
            }
        }
    }
}

/// The AST span of an IR node made from source.
fn source_span(s: crate::ir::Span) -> Span {
    match s {
        crate::ir::Span::Source { start, end } => Span { start, end },
        crate::ir::Span::Api => Span::default(),
    }
}

#[cfg(test)]
mod tests;
