//! [`ast::File`] → [`Network`]: resolves names, expands blocks and repeats,
//! infers every shape, and reports every problem it finds as a diagnostic.
//!
//! Invariant of the result: the network was built by [`NetworkBuilder`] from
//! layers this module already checked, so building never fails from source
//! (a failure is reported as an internal error, not a panic). Layers are
//! created in definition order, which is the IR's (topological) order.

use super::ast::{self, BlockDef, Call, Expr, ExprKind, Ident, Span, Stmt, StmtKind};
use super::diag::{Diagnostic, Diagnostics};
use super::error::{ErrorKind, HeaderProblem, Operand, OutProblem, ValueKind};
use crate::ir::{
    ConvShape, DataInput, Dim2, Layer, LayerKind, LayerShape, LocalShape, Network, NetworkBuilder,
    Source,
};
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

/// The built-in operators.
pub const OPERATORS: [&str; 5] = ["conv", "fc", "pool", "eltwise", "concat"];

/// Checks a parsed file and lowers it. On success returns the network and
/// its warnings; on failure all diagnostics (errors and warnings).
pub fn check(file: &ast::File) -> Result<(Network, Diagnostics), Diagnostics> {
    let mut c = Checker::new(file);
    c.run(file);
    c.finish()
}

/// A producer of channels, as seen by a consumer: one part of a source value.
#[derive(Clone, Debug)]
struct Part {
    source: Source,
    name: String,
    channels: u64,
    size: Dim2,
    def: Span,
}

impl Part {
    fn operand(&self) -> Operand {
        Operand {
            name: self.name.clone(),
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

#[derive(Clone, Debug)]
enum Value {
    Int(i64),
    Pair(i64, i64),
    /// A layer, input, extern, or concatenation of them.
    Src(Vec<Part>),
    Inst(Rc<Instance>),
    /// An error was already reported for this value.
    Poison,
}

impl Value {
    fn kind(&self) -> ValueKind {
        match self {
            Value::Int(_) => ValueKind::Int,
            Value::Pair(..) => ValueKind::Pair,
            Value::Src(_) | Value::Poison => ValueKind::Layer,
            Value::Inst(i) if i.outputs.len() == 1 => ValueKind::Layer,
            Value::Inst(_) => ValueKind::Instance,
        }
    }
}

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

/// A callee's parameters, for argument binding.
struct Signature<'s> {
    callee: &'s str,
    names: Vec<&'s str>,
    positional: usize,
    required: Vec<bool>,
    decls: Vec<Option<Span>>,
}

fn builtin_signature(op: &str) -> Signature<'_> {
    let (names, positional, required): (&[&str], usize, &[bool]) = match op {
        "conv" => (
            &["src", "out", "kernel", "stride", "pad", "size"],
            2,
            &[true, true, true, false, false, false],
        ),
        "pool" => (
            &["src", "kernel", "stride", "pad", "size"],
            1,
            &[true, true, false, false, false],
        ),
        _ => (&["src", "out"], 2, &[true, true]),
    };
    Signature {
        callee: op,
        names: names.to_vec(),
        positional,
        required: required.to_vec(),
        decls: vec![None; names.len()],
    }
}

/// The closest candidate by edit distance, if close enough to be a typo.
pub fn suggest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let len = name.chars().count();
    // One edit in three characters; none for one-letter names.
    let limit = if len < 2 { 0 } else { (len / 3).max(1) };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name || c.is_empty() {
            continue;
        }
        let d = edit_distance(name, c);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Checked arithmetic on the quantities of a shape: every number the IR's
/// formulas compute for one sample, or `None` if one exceeds [`MAX_QUANTITY`].
pub fn shape_fits(s: &LayerShape) -> bool {
    fn q(x: Option<u64>) -> Option<u64> {
        x.filter(|&v| v <= MAX_QUANTITY)
    }
    let check = || -> Option<()> {
        let (o, k, st) = (s.ofmap(), s.window(), s.stride());
        for (o, k, st) in [(o.h, k.h, st.h), (o.w, k.w, st.w)] {
            q(o.checked_sub(1)?.checked_mul(st)?.checked_add(k))?;
            q(o.checked_mul(st))?;
        }
        let ofsize = q(o.h.checked_mul(o.w))?;
        let ih = k.h.checked_add(o.h.checked_sub(1)?.checked_mul(st.h)?)?;
        let iw = k.w.checked_add(o.w.checked_sub(1)?.checked_mul(st.w)?)?;
        let ifsize = q(ih.checked_mul(iw))?;
        q(k.h.checked_mul(k.w))?;
        q(st.h.checked_mul(st.w))?;
        let (nifm, nofm, opn) = match s {
            LayerShape::Conv(c) => (
                c.nifm,
                c.nofm,
                q(c.filter.h.checked_mul(c.filter.w)?.checked_mul(c.nifm))?,
            ),
            LayerShape::Local(l) => (
                q(l.nofm.checked_mul(l.ntrd))?,
                l.nofm,
                q(l.nreg.checked_mul(l.region.h)?.checked_mul(l.region.w))?,
            ),
        };
        let total_of = q(nofm.checked_mul(ofsize))?;
        q(total_of.checked_mul(opn))?;
        q(nifm.checked_mul(ifsize))?;
        if let LayerShape::Conv(c) = s {
            q(c.nifm
                .checked_mul(c.nofm)?
                .checked_mul(c.filter.h)?
                .checked_mul(c.filter.w))?;
        }
        Some(())
    };
    check().is_some()
}

fn int_expr_names(e: &Expr, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Call(c) => {
            out.push((c.callee.name.clone(), c.callee.span));
            for a in &c.args {
                int_expr_names(&a.value, out);
            }
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            int_expr_names(lhs, out);
            int_expr_names(rhs, out);
        }
        ExprKind::Pair(a, b) => {
            int_expr_names(a, out);
            int_expr_names(b, out);
        }
        ExprKind::Int(_) | ExprKind::Name(_) => {}
    }
}

/// Callees named in a block body (block calls, repeats, inline calls).
fn callees(body: &[Stmt]) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let call = |c: &Call, out: &mut Vec<(String, Span)>| {
        out.push((c.callee.name.clone(), c.callee.span));
        for a in &c.args {
            int_expr_names(&a.value, out);
        }
    };
    for s in body {
        match &s.kind {
            StmtKind::Layer {
                value: ast::Rhs::Call(c),
                ..
            } => call(c, &mut out),
            StmtKind::Layer {
                value: ast::Rhs::Repeat { call: c, .. },
                ..
            } => call(c, &mut out),
            StmtKind::Out(ast::Out::Single(e)) => int_expr_names(e, &mut out),
            StmtKind::Out(ast::Out::Named(v)) => {
                for (_, e) in v {
                    int_expr_names(e, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

impl<'a> Checker<'a> {
    fn new(_file: &'a ast::File) -> Self {
        Checker {
            diags: Diagnostics::new(),
            name: String::new(),
            blocks: HashMap::new(),
            used_blocks: HashSet::new(),
            input: None,
            externs: Vec::new(),
            layers: Vec::new(),
            outputs: Vec::new(),
            scopes: vec![Scope::new(String::new(), false)],
            stack: Vec::new(),
            calls: Vec::new(),
            expansion: 0,
            limit_reported: false,
            suggestions_left: MAX_SUGGESTIONS,
        }
    }

    /// Reports a problem; inside a block body, also where the instance is.
    fn error(&mut self, e: ErrorKind) {
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
        self.unused();
    }

    // ===== file structure =====

    fn header(&mut self, file: &'a ast::File) {
        let headers: Vec<(&Ident, Span)> = file
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Network(n) => Some((n, s.span)),
                _ => None,
            })
            .collect();
        let first_stmt = file.stmts.first().map(|s| s.span);
        match headers.first() {
            None => self.error(ErrorKind::Header {
                problem: HeaderProblem::Missing,
                span: first_stmt.map_or(Span::default(), |s| Span {
                    start: s.start,
                    end: s.start,
                }),
                other: None,
            }),
            Some(&(name, span)) => {
                self.name = name.name.clone();
                if first_stmt != Some(span) {
                    self.error(ErrorKind::Header {
                        problem: HeaderProblem::NotFirst,
                        span,
                        other: first_stmt,
                    });
                }
                for &(_, again) in &headers[1..] {
                    self.error(ErrorKind::Header {
                        problem: HeaderProblem::Twice,
                        span: again,
                        other: Some(span),
                    });
                }
            }
        }
        let inputs: Vec<Span> = file
            .stmts
            .iter()
            .filter(|s| matches!(s.kind, StmtKind::Input(_)))
            .map(|s| s.span)
            .collect();
        match inputs.first() {
            None => {
                let span = headers.first().map_or(Span::default(), |(n, _)| n.span);
                self.error(ErrorKind::NoInput { span });
            }
            Some(&first) => {
                for &again in &inputs[1..] {
                    self.error(ErrorKind::TwoInputs { span: again, first });
                }
            }
        }
    }

    fn collect_blocks(&mut self, file: &'a ast::File) {
        let mut first: HashMap<&str, Span> = HashMap::new();
        for s in &file.stmts {
            let StmtKind::Block(b) = &s.kind else {
                continue;
            };
            let name = b.name.name.as_str();
            if OPERATORS.contains(&name) {
                self.error(ErrorKind::Reserved {
                    span: b.name.span,
                    name: name.into(),
                });
                continue;
            }
            if let Some(&f) = first.get(name) {
                self.error(ErrorKind::Duplicate {
                    name: name.into(),
                    span: b.name.span,
                    first: f,
                });
                continue;
            }
            first.insert(name, b.name.span);
            self.blocks.insert(name, b);
            self.check_block_shape(b);
        }
        self.check_recursion();
    }

    /// Checks of a block definition that do not depend on its arguments.
    fn check_block_shape(&mut self, b: &'a BlockDef) {
        let mut params: HashMap<&str, Span> = HashMap::new();
        for p in &b.params {
            if let Some(&f) = params.get(p.name.name.as_str()) {
                self.error(ErrorKind::Duplicate {
                    name: p.name.name.clone(),
                    span: p.name.span,
                    first: f,
                });
            }
            params.insert(&p.name.name, p.name.span);
        }
        let mut outs: Vec<Span> = Vec::new();
        for s in &b.body {
            let what = match &s.kind {
                StmtKind::Network(_) => Some("`network`"),
                StmtKind::Input(_) => Some("`input`"),
                StmtKind::Block(_) => Some("a block definition"),
                StmtKind::Use { .. } => Some("`use`"),
                StmtKind::Out(_) => {
                    outs.push(s.span);
                    None
                }
                _ => None,
            };
            if let Some(what) = what {
                self.error(ErrorKind::NotAllowedHere {
                    span: s.span,
                    what,
                    place: "inside a block",
                });
            }
        }
        let block = b.name.name.clone();
        match outs.as_slice() {
            [] => self.error(ErrorKind::BadOut {
                span: b.name.span,
                block,
                problem: OutProblem::Missing,
                other: None,
            }),
            [one] => {
                if b.body.last().map(|s| s.span) != Some(*one) {
                    self.error(ErrorKind::BadOut {
                        span: *one,
                        block,
                        problem: OutProblem::NotLast,
                        other: None,
                    });
                }
            }
            [first, rest @ ..] => {
                for &again in rest {
                    self.error(ErrorKind::BadOut {
                        span: again,
                        block: block.clone(),
                        problem: OutProblem::Twice,
                        other: Some(*first),
                    });
                }
            }
        }
    }

    /// Reports each cycle of block instantiation once, at a call closing it.
    fn check_recursion(&mut self) {
        let mut names: Vec<&str> = self.blocks.keys().copied().collect();
        names.sort_unstable();
        let edges: HashMap<&str, Vec<(String, Span)>> = names
            .iter()
            .filter_map(|&n| self.blocks.get(n).map(|b| (n, callees(&b.body))))
            .map(|(n, v)| {
                (
                    n,
                    v.into_iter()
                        .filter(|(c, _)| self.blocks.contains_key(c.as_str()))
                        .collect(),
                )
            })
            .collect();
        // Iterative depth-first search with colors: 0 new, 1 on path, 2 done.
        let mut color: HashMap<&str, u8> = HashMap::new();
        let mut found: Vec<ErrorKind> = Vec::new();
        for &root in &names {
            if color.get(root).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(root, 0)];
            color.insert(root, 1);
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                let out = edges.get(node).map_or(&[][..], Vec::as_slice);
                if let Some((callee, span)) = out.get(*next) {
                    *next += 1;
                    let callee = self.blocks.get_key_value(callee.as_str()).map(|(k, _)| *k);
                    let Some(callee) = callee else { continue };
                    match color.get(callee).copied().unwrap_or(0) {
                        0 => {
                            color.insert(callee, 1);
                            path.push((callee, 0));
                        }
                        1 => {
                            let start = path.iter().position(|(n, _)| *n == callee).unwrap_or(0);
                            let mut chain: Vec<String> =
                                path[start..].iter().map(|(n, _)| n.to_string()).collect();
                            chain.push(callee.to_string());
                            found.push(ErrorKind::Recursion { span: *span, chain });
                        }
                        _ => {}
                    }
                } else {
                    color.insert(node, 2);
                    path.pop();
                }
            }
        }
        for e in found {
            self.error(e);
        }
    }

    // ===== statements =====

    fn scope(&mut self) -> &mut Scope {
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    fn stmts(&mut self, stmts: &'a [Stmt]) {
        for s in stmts {
            let name = match &s.kind {
                StmtKind::Input(d) | StmtKind::Extern(d) => Some(&d.name),
                StmtKind::Let { name, .. } | StmtKind::Layer { name, .. } => Some(name),
                _ => None,
            };
            if let Some(n) = name {
                self.scope().later.entry(n.name.clone()).or_insert(n.span);
            }
        }
        let mut seen_input = false;
        for s in stmts {
            let in_block = self.scope().in_block;
            match &s.kind {
                StmtKind::Network(_) | StmtKind::Block(_) => {}
                StmtKind::Input(d) => {
                    if in_block || seen_input {
                        continue;
                    }
                    seen_input = true;
                    self.data_decl(d, s.span, true);
                }
                StmtKind::Extern(d) => self.data_decl(d, s.span, false),
                StmtKind::Let { name, value } => {
                    let v = self.eval(value);
                    let v = match v {
                        Value::Int(_) | Value::Pair(..) | Value::Poison => v,
                        other => {
                            self.error(ErrorKind::WrongKind {
                                span: value.span,
                                expected: ValueKind::IntOrPair,
                                found: other.kind(),
                            });
                            Value::Poison
                        }
                    };
                    self.define(name, v);
                }
                StmtKind::Use { .. } => {
                    if !in_block {
                        self.error(ErrorKind::Unsupported {
                            span: s.span,
                            what: "`use`",
                        });
                    }
                }
                StmtKind::Out(out) => self.out(out),
                StmtKind::Layer { name, value } => {
                    let v = match value {
                        ast::Rhs::Call(call) => self.define_call(name, call),
                        ast::Rhs::Repeat { count, call } => self.repeat(name, count, call),
                    };
                    self.define(name, v);
                }
            }
        }
    }

    /// Binds `name` in the current scope, reporting a duplicate.
    fn define(&mut self, name: &Ident, v: Value) {
        let scope = self.scope();
        scope.later.remove(&name.name);
        if let Some((_, first)) = scope.values.get(&name.name) {
            let first = *first;
            self.error(ErrorKind::Duplicate {
                name: name.name.clone(),
                span: name.span,
                first,
            });
            return;
        }
        scope.values.insert(name.name.clone(), (v, name.span));
    }

    fn is_defined(&mut self, name: &str) -> Option<Span> {
        self.scope().values.get(name).map(|(_, s)| *s)
    }

    fn data_decl(&mut self, d: &'a ast::DataDecl, span: Span, is_input: bool) {
        if let Some(first) = self.is_defined(&d.name.name) {
            self.error(ErrorKind::Duplicate {
                name: d.name.name.clone(),
                span: d.name.span,
                first,
            });
            return;
        }
        let dims: Vec<Option<i64>> = d.shape.iter().map(|e| self.eval_int(e)).collect();
        let (c, h, w) = match dims.as_slice() {
            [c] => (*c, Some(1), Some(1)),
            [c, s] => (*c, *s, *s),
            [c, h, w] => (*c, *h, *w),
            _ => {
                self.error(ErrorKind::BadShape {
                    span: d.shape_span,
                    found: dims.len(),
                });
                self.define(&d.name, Value::Poison);
                return;
            }
        };
        let at = |i: usize| {
            d.shape
                .get(i.min(d.shape.len().saturating_sub(1)))
                .map(|e| e.span)
        };
        let c = self.at_least(c, 1, "channels", at(0));
        let h = self.at_least(h, 1, "height", at(1));
        let w = self.at_least(w, 1, "width", at(2));
        let (Some(c), Some(h), Some(w)) = (c, h, w) else {
            self.define(&d.name, Value::Poison);
            return;
        };
        let total = c
            .checked_mul(h)
            .and_then(|x| x.checked_mul(w))
            .filter(|&t| t <= MAX_QUANTITY);
        if total.is_none() {
            self.error(ErrorKind::Overflow {
                span: d.shape_span,
                what: "this shape's size".into(),
            });
            self.define(&d.name, Value::Poison);
            return;
        }
        let name = format!("{}{}", self.scope().prefix, d.name.name);
        let size = Dim2::new(h, w);
        let data = DataInput {
            name: name.clone(),
            channels: c,
            size,
            span: span.into(),
        };
        let source = if is_input {
            self.input = Some(data);
            Source::Input
        } else {
            let Ok(i) = u32::try_from(self.externs.len()) else {
                return;
            };
            self.externs.push(data);
            Source::Extern(i)
        };
        let part = Part {
            source,
            name,
            channels: c,
            size,
            def: span,
        };
        self.define(&d.name, Value::Src(vec![part]));
    }

    fn at_least(
        &mut self,
        v: Option<i64>,
        min: i64,
        what: &str,
        span: Option<Span>,
    ) -> Option<u64> {
        let v = v?;
        if v < min {
            self.error(ErrorKind::OutOfRange {
                span: span.unwrap_or_default(),
                what: what.to_string(),
                value: v,
                min,
            });
            return None;
        }
        u64::try_from(v).ok()
    }

    fn out(&mut self, out: &'a ast::Out) {
        let items: Vec<(Ident, &'a Expr)> = match out {
            ast::Out::Single(e) => vec![(
                Ident {
                    name: "out".into(),
                    span: e.span,
                },
                e,
            )],
            ast::Out::Named(v) => v.iter().map(|(n, e)| (n.clone(), e)).collect(),
        };
        let named = matches!(out, ast::Out::Named(_));
        for (name, e) in items {
            let v = match &e.kind {
                ExprKind::Call(c) if c.callee.name != "concat" => {
                    let v = self.define_call(&name, c);
                    self.define(&name, v.clone());
                    v
                }
                _ => self.eval(e),
            };
            let key = if named {
                name.name.clone()
            } else {
                String::new()
            };
            if self.scope().in_block {
                self.scope().outputs.push((key, v));
            } else if let Some(parts) = self.expect_src(v, e.span) {
                self.outputs.extend(parts.iter().map(|p| p.source));
            }
        }
    }

    // ===== calls =====

    fn define_call(&mut self, name: &Ident, call: &'a Call) -> Value {
        match call.callee.name.as_str() {
            "conv" => self.layer_op(LayerKind::Conv, name, call),
            "fc" => self.layer_op(LayerKind::Fc, name, call),
            "pool" => self.layer_op(LayerKind::Pool, name, call),
            "eltwise" => self.eltwise(name, call),
            "concat" => self.concat(call),
            callee => match self.blocks.get(callee).copied() {
                Some(block) => {
                    let qname = format!("{}{}", self.scope().prefix, name.name);
                    match self.instantiate(block, qname, call, None) {
                        Some(inst) => Value::Inst(inst),
                        None => Value::Poison,
                    }
                }
                None => {
                    self.unknown_callee(&call.callee);
                    Value::Poison
                }
            },
        }
    }

    fn unknown_callee(&mut self, callee: &Ident) {
        let mut cands: Vec<&str> = OPERATORS.to_vec();
        cands.extend(self.blocks.keys().copied());
        cands.sort_unstable();
        let suggestion = self.suggest(&callee.name, cands);
        self.error(ErrorKind::UnknownCallee {
            name: callee.name.clone(),
            span: callee.span,
            suggestion,
        });
    }

    /// Matches arguments to parameters; `None` after reporting a problem.
    fn bind<'c>(&mut self, call: &'c Call, sig: &Signature<'_>) -> Option<Vec<Option<&'c Expr>>> {
        let mut slots: Vec<Option<(&'c Expr, Span)>> = vec![None; sig.names.len()];
        let mut ok = true;
        let mut keyword_seen: Option<Span> = None;
        let mut positional = 0usize;
        for arg in &call.args {
            match &arg.keyword {
                None => {
                    if let Some(k) = keyword_seen {
                        self.error(ErrorKind::PositionalAfterKeyword {
                            span: arg.span,
                            keyword: k,
                        });
                        ok = false;
                        continue;
                    }
                    if positional < sig.positional {
                        slots[positional] = Some((&arg.value, arg.span));
                    }
                    positional += 1;
                }
                Some(kw) => {
                    keyword_seen = Some(arg.span);
                    let Some(i) = sig.names.iter().position(|n| *n == kw.name) else {
                        let suggestion = suggest(&kw.name, sig.names.iter().copied());
                        self.error(ErrorKind::UnknownKeyword {
                            keyword: kw.name.clone(),
                            span: kw.span,
                            callee: sig.callee.to_string(),
                            suggestion,
                            valid: sig.names.iter().map(|s| s.to_string()).collect(),
                        });
                        ok = false;
                        continue;
                    };
                    if let Some((_, first)) = slots[i] {
                        self.error(ErrorKind::RepeatedKeyword {
                            keyword: kw.name.clone(),
                            span: arg.span,
                            first,
                        });
                        ok = false;
                        continue;
                    }
                    slots[i] = Some((&arg.value, arg.span));
                }
            }
        }
        if positional > sig.positional {
            let expected = format!("at most {}", sig.positional);
            self.error(ErrorKind::ArgCount {
                span: call.args_span,
                callee: sig.callee.to_string(),
                expected,
                found: positional,
            });
            ok = false;
        }
        if ok {
            for (i, slot) in slots.iter().enumerate() {
                if slot.is_none() && sig.required[i] {
                    self.error(ErrorKind::MissingArg {
                        span: call.span,
                        callee: sig.callee.to_string(),
                        param: sig.names[i].to_string(),
                        decl: sig.decls[i],
                    });
                    ok = false;
                }
            }
        }
        ok.then(|| slots.into_iter().map(|s| s.map(|(e, _)| e)).collect())
    }

    fn budget(&mut self, span: Span) -> bool {
        self.expansion += 1;
        if self.expansion > MAX_EXPANSION || self.stack.len() > MAX_DEPTH {
            if !self.limit_reported {
                self.limit_reported = true;
                let what = if self.stack.len() > MAX_DEPTH {
                    format!("block instances nested deeper than {MAX_DEPTH}")
                } else {
                    format!("the network expands to more than {MAX_EXPANSION} layers and instances")
                };
                self.error(ErrorKind::Limit { span, what });
            }
            return false;
        }
        true
    }

    fn layer_op(&mut self, kind: LayerKind, name: &Ident, call: &'a Call) -> Value {
        let op = kind.as_str();
        let sig = builtin_signature(op);
        let Some(args) = self.bind(call, &sig) else {
            return Value::Poison;
        };
        let arg = |k: &str| sig.names.iter().position(|n| *n == k).and_then(|i| args[i]);
        let Some(src_expr) = arg("src") else {
            return Value::Poison;
        };
        let src = self.eval(src_expr);
        let parts = self.expect_src(src, src_expr.span);
        let out = arg("out").map(|e| (self.eval_int(e), e.span));
        let out = match out {
            Some((v, span)) => self.at_least(v, 1, "output channels", Some(span)).map(Some),
            None => Some(None),
        };
        let kernel = arg("kernel").map(|e| self.eval_dim2(e, 1, "kernel"));
        let stride = arg("stride").map(|e| self.eval_dim2(e, 1, "stride"));
        let pad = arg("pad").map(|e| self.eval_dim2(e, 0, "pad"));
        let size = arg("size").map(|e| self.eval_dim2(e, 1, "size"));
        if let (Some(p), Some(s)) = (arg("pad"), arg("size")) {
            let (a, b) = if p.span < s.span { (p, s) } else { (s, p) };
            let kw = |e: &Expr| if e.span == p.span { "pad" } else { "size" };
            self.error(ErrorKind::Conflict {
                span: b.span,
                first: a.span,
                keywords: (kw(a).into(), kw(b).into()),
            });
            return Value::Poison;
        }
        let (Some(parts), Some(out)) = (parts, out) else {
            return Value::Poison;
        };
        let Some(input) = self.common_size(&parts, "concat", src_expr.span) else {
            return Value::Poison;
        };
        let Some(nifm) = parts
            .iter()
            .try_fold(0u64, |acc, p| acc.checked_add(p.channels))
        else {
            self.error(ErrorKind::Overflow {
                span: src_expr.span,
                what: "the channel count".into(),
            });
            return Value::Poison;
        };
        let shape = if kind == LayerKind::Fc {
            ConvShape::fc(nifm, out.unwrap_or(1), input).into_shape()
        } else {
            let (Some(Some(kernel)), Some(stride), Some(pad), Some(size)) =
                (kernel, optional(stride), optional(pad), optional(size))
            else {
                return Value::Poison;
            };
            let stride = stride.unwrap_or(if kind == LayerKind::Pool {
                kernel
            } else {
                Dim2::square(1)
            });
            let ofmap = match size {
                Some(size) => size,
                None => {
                    let pad = pad.unwrap_or_default();
                    let padded = (|| {
                        Some(Dim2::new(
                            input.h.checked_add(pad.h.checked_mul(2)?)?,
                            input.w.checked_add(pad.w.checked_mul(2)?)?,
                        ))
                    })();
                    let Some(padded) = padded else {
                        self.error(ErrorKind::Overflow {
                            span: call.span,
                            what: "the padded input".into(),
                        });
                        return Value::Poison;
                    };
                    if padded.h < kernel.h || padded.w < kernel.w {
                        self.error(ErrorKind::KernelTooLarge {
                            span: call.span,
                            kernel,
                            padded,
                            input,
                        });
                        return Value::Poison;
                    }
                    Dim2::new(
                        (padded.h - kernel.h) / stride.h + 1,
                        (padded.w - kernel.w) / stride.w + 1,
                    )
                }
            };
            if kind == LayerKind::Pool {
                LayerShape::Local(LocalShape::pool(nifm, ofmap, kernel, stride))
            } else {
                let nofm = out.unwrap_or(1);
                LayerShape::Conv(ConvShape {
                    nifm,
                    nofm,
                    ofmap,
                    filter: kernel,
                    stride,
                })
            }
        };
        self.push_layer(kind, name, call, shape, parts)
    }

    fn eltwise(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some(operands) = self.operands(call, "eltwise") else {
            return Value::Poison;
        };
        let mut summary: Vec<Operand> = Vec::new();
        for (parts, span) in &operands {
            let Some(size) = self.common_size(parts, "concat", *span) else {
                return Value::Poison;
            };
            let Some(channels) = parts
                .iter()
                .try_fold(0u64, |a, p| a.checked_add(p.channels))
            else {
                self.error(ErrorKind::Overflow {
                    span: *span,
                    what: "the channel count".into(),
                });
                return Value::Poison;
            };
            let (name, def) = match parts.as_slice() {
                [one] => (one.name.clone(), one.def),
                _ => (format!("concat of {}", parts.len()), *span),
            };
            summary.push(Operand {
                name,
                def,
                channels,
                size,
            });
        }
        if summary.iter().any(|o| o.channels != summary[0].channels) {
            self.error(ErrorKind::ChannelMismatch {
                span: call.args_span,
                inputs: summary,
            });
            return Value::Poison;
        }
        if summary.iter().any(|o| o.size != summary[0].size) {
            self.error(ErrorKind::SizeMismatch {
                span: call.args_span,
                op: "eltwise",
                inputs: summary,
            });
            return Value::Poison;
        }
        let Ok(nreg) = u64::try_from(summary.len()) else {
            return Value::Poison;
        };
        let shape = LayerShape::Local(LocalShape::eltwise(
            summary[0].channels,
            summary[0].size,
            nreg,
        ));
        let parts = operands.into_iter().flat_map(|(p, _)| p).collect();
        self.push_layer(LayerKind::Eltwise, name, call, shape, parts)
    }

    fn concat(&mut self, call: &'a Call) -> Value {
        let Some(operands) = self.operands(call, "concat") else {
            return Value::Poison;
        };
        let parts: Vec<Part> = operands.into_iter().flat_map(|(p, _)| p).collect();
        if self.common_size(&parts, "concat", call.args_span).is_none() {
            return Value::Poison;
        }
        Value::Src(parts)
    }

    /// The operands of a variadic operator (`eltwise`, `concat`): one or
    /// more sources, by position only. `None` after reporting what is wrong.
    fn operands(&mut self, call: &'a Call, callee: &str) -> Option<Vec<(Vec<Part>, Span)>> {
        let mut ok = true;
        let mut operands = Vec::new();
        for arg in &call.args {
            if let Some(kw) = &arg.keyword {
                self.error(ErrorKind::UnknownKeyword {
                    keyword: kw.name.clone(),
                    span: kw.span,
                    callee: callee.into(),
                    suggestion: None,
                    valid: Vec::new(),
                });
                ok = false;
                continue;
            }
            let v = self.eval(&arg.value);
            match self.expect_src(v, arg.value.span) {
                Some(p) => operands.push((p, arg.value.span)),
                None => ok = false,
            }
        }
        if call.args.is_empty() {
            self.error(ErrorKind::ArgCount {
                span: call.args_span,
                callee: callee.into(),
                expected: "at least 1".into(),
                found: 0,
            });
            return None;
        }
        ok.then_some(operands)
    }

    /// The fmap size shared by all parts, or an error.
    fn common_size(&mut self, parts: &[Part], op: &'static str, span: Span) -> Option<Dim2> {
        let first = parts.first()?.size;
        if parts.iter().all(|p| p.size == first) {
            return Some(first);
        }
        let inputs = parts.iter().map(Part::operand).collect();
        self.error(ErrorKind::SizeMismatch { span, op, inputs });
        None
    }

    fn push_layer(
        &mut self,
        kind: LayerKind,
        name: &Ident,
        call: &Call,
        shape: LayerShape,
        parts: Vec<Part>,
    ) -> Value {
        let qname = format!("{}{}", self.scope().prefix, name.name);
        if !shape_fits(&shape) {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: format!("the size of layer `{qname}`"),
            });
            return Value::Poison;
        }
        for p in &parts {
            if !shape.accepts_input_size(p.size) {
                self.error(ErrorKind::PaddingRule {
                    span: call.span,
                    source: p.operand(),
                    ofmap: shape.ofmap(),
                    stride: shape.stride(),
                    derived: shape.ifmap(),
                });
                return Value::Poison;
            }
        }
        if !self.budget(call.span) {
            return Value::Poison;
        }
        let Ok(id) = u32::try_from(self.layers.len()) else {
            return Value::Poison;
        };
        self.layers.push(Layer {
            name: qname.clone(),
            kind,
            shape,
            inputs: parts.iter().map(|p| p.source).collect(),
            span: call.span.into(),
        });
        Value::Src(vec![Part {
            source: Source::Layer(crate::ir::LayerId(id)),
            name: qname,
            channels: shape.nofm(),
            size: shape.ofmap(),
            def: call.span,
        }])
    }

    // ===== blocks =====

    fn instantiate(
        &mut self,
        block: &'a BlockDef,
        qname: String,
        call: &'a Call,
        first: Option<Value>,
    ) -> Option<Rc<Instance>> {
        self.used_blocks.insert(&block.name.name);
        if self.stack.contains(&block.name.name.as_str()) {
            return None; // reported by check_recursion
        }
        if !self.budget(call.span) {
            return None;
        }
        let sig = Signature {
            callee: &block.name.name,
            names: block.params.iter().map(|p| p.name.name.as_str()).collect(),
            positional: block.params.len(),
            required: block
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| p.default.is_none() && !(i == 0 && first.is_some()))
                .collect(),
            decls: block.params.iter().map(|p| Some(p.span)).collect(),
        };
        let args = self.bind(call, &sig)?;
        // Arguments are evaluated in the caller's scope.
        let mut values: Vec<Option<Value>> = args.iter().map(|a| a.map(|e| self.eval(e))).collect();
        if let (Some(f), Some(slot)) = (first, values.first_mut()) {
            *slot = Some(f);
        }
        self.scopes.push(Scope::new(format!("{qname}."), true));
        self.stack.push(&block.name.name);
        self.calls.push((qname.clone(), call.span));
        for (p, v) in block.params.iter().zip(values) {
            let v = match (v, &p.default) {
                (Some(v), _) => v,
                (None, Some(d)) => self.eval(d),
                (None, None) => Value::Poison,
            };
            self.define(&p.name, v);
        }
        self.stmts(&block.body);
        self.stack.pop();
        self.calls.pop();
        let scope = self.scopes.pop()?;
        let members = scope
            .values
            .into_iter()
            .filter(|(k, (v, _))| {
                // Members are what the block defines, not its parameters.
                matches!(v, Value::Src(_) | Value::Inst(_))
                    && !block.params.iter().any(|p| p.name.name == *k)
            })
            .map(|(k, (v, _))| (k, v))
            .collect();
        Some(Rc::new(Instance {
            name: qname,
            members,
            outputs: scope.outputs,
            repeats: Vec::new(),
        }))
    }

    fn repeat(&mut self, name: &Ident, count: &'a Expr, call: &'a Call) -> Value {
        let n = self.eval_int(count);
        let block = self.blocks.get(call.callee.name.as_str()).copied();
        let Some(block) = block else {
            if OPERATORS.contains(&call.callee.name.as_str()) {
                self.error(ErrorKind::BadRepeat {
                    span: call.callee.span,
                    block: call.callee.name.clone(),
                    reason: "an operator, not a block".into(),
                });
            } else {
                self.unknown_callee(&call.callee);
            }
            return Value::Poison;
        };
        let n = match n {
            Some(0) => {
                self.error(ErrorKind::RepeatZero { span: count.span });
                return Value::Poison;
            }
            Some(n) if n < 0 => {
                self.error(ErrorKind::OutOfRange {
                    span: count.span,
                    what: "the repeat count".into(),
                    value: n,
                    min: 1,
                });
                return Value::Poison;
            }
            Some(n) => n,
            None => return Value::Poison,
        };
        let outs = block.body.iter().find_map(|s| match &s.kind {
            StmtKind::Out(ast::Out::Named(v)) => Some(v.len()),
            StmtKind::Out(_) => Some(1),
            _ => None,
        });
        let reason = if block.params.is_empty() {
            Some("it has no parameter to chain its instances through")
        } else if outs.is_some_and(|o| o != 1) {
            Some("it has several outputs")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.error(ErrorKind::BadRepeat {
                span: call.callee.span,
                block: block.name.name.clone(),
                reason: reason.into(),
            });
            return Value::Poison;
        }
        let qname = format!("{}{}", self.scope().prefix, name.name);
        let mut instances = Vec::new();
        let mut prev: Option<Value> = None;
        for i in 1..=n {
            let Some(inst) = self.instantiate(block, format!("{qname}.{i}"), call, prev.take())
            else {
                return Value::Poison;
            };
            let out = inst
                .outputs
                .first()
                .map_or(Value::Poison, |(_, v)| v.clone());
            prev = Some(out);
            instances.push(inst);
            if self.limit_reported {
                return Value::Poison;
            }
        }
        let outputs = vec![(String::new(), prev.unwrap_or(Value::Poison))];
        Value::Inst(Rc::new(Instance {
            name: qname,
            members: HashMap::new(),
            outputs,
            repeats: instances,
        }))
    }

    // ===== expressions =====

    fn eval(&mut self, e: &'a Expr) -> Value {
        match &e.kind {
            ExprKind::Int(v) => Value::Int(*v),
            ExprKind::Pair(a, b) => match (self.eval_int(a), self.eval_int(b)) {
                (Some(a), Some(b)) => Value::Pair(a, b),
                _ => Value::Poison,
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let (Some(a), Some(b)) = (self.eval_int(lhs), self.eval_int(rhs)) else {
                    return Value::Poison;
                };
                let r = match op {
                    ast::BinOp::Add => a.checked_add(b),
                    ast::BinOp::Sub => a.checked_sub(b),
                    ast::BinOp::Mul => a.checked_mul(b),
                    ast::BinOp::Div => {
                        if b == 0 {
                            self.error(ErrorKind::DivByZero { span: rhs.span });
                            return Value::Poison;
                        }
                        a.checked_div(b)
                    }
                };
                match r {
                    Some(v) => Value::Int(v),
                    None => {
                        self.error(ErrorKind::Overflow {
                            span: e.span,
                            what: format!("the result of `{}`", op.symbol()),
                        });
                        Value::Poison
                    }
                }
            }
            ExprKind::Name(segs) => self.resolve(segs),
            ExprKind::Call(c) if c.callee.name == "concat" => self.concat(c),
            ExprKind::Call(c) => {
                if OPERATORS.contains(&c.callee.name.as_str())
                    || self.blocks.contains_key(c.callee.name.as_str())
                {
                    self.error(ErrorKind::NestedCall {
                        span: c.span,
                        callee: c.callee.name.clone(),
                    });
                } else {
                    self.unknown_callee(&c.callee);
                }
                Value::Poison
            }
        }
    }

    fn eval_int(&mut self, e: &'a Expr) -> Option<i64> {
        match self.eval(e) {
            Value::Int(v) => Some(v),
            Value::Poison => None,
            other => {
                self.error(ErrorKind::WrongKind {
                    span: e.span,
                    expected: ValueKind::Int,
                    found: other.kind(),
                });
                None
            }
        }
    }

    /// An int (square) or a pair, each component at least `min`.
    fn eval_dim2(&mut self, e: &'a Expr, min: i64, what: &str) -> Option<Dim2> {
        let (h, w) = match self.eval(e) {
            Value::Int(v) => (v, v),
            Value::Pair(h, w) => (h, w),
            Value::Poison => return None,
            other => {
                self.error(ErrorKind::WrongKind {
                    span: e.span,
                    expected: ValueKind::IntOrPair,
                    found: other.kind(),
                });
                return None;
            }
        };
        let h = self.at_least(Some(h), min, what, Some(e.span))?;
        let w = self.at_least(Some(w), min, what, Some(e.span))?;
        Some(Dim2::new(h, w))
    }

    /// A value used as a layer source: its parts.
    fn expect_src(&mut self, v: Value, span: Span) -> Option<Vec<Part>> {
        match v {
            Value::Src(p) => Some(p),
            Value::Poison => None,
            Value::Inst(inst) => match inst.outputs.as_slice() {
                [(_, out)] => {
                    let out = out.clone();
                    self.expect_src(out, span)
                }
                outs => {
                    let outputs = outs.iter().map(|(n, _)| n.clone()).collect();
                    self.error(ErrorKind::MultiOutput {
                        span,
                        name: inst.name.clone(),
                        outputs,
                    });
                    None
                }
            },
            other => {
                self.error(ErrorKind::WrongKind {
                    span,
                    expected: ValueKind::Layer,
                    found: other.kind(),
                });
                None
            }
        }
    }

    fn resolve(&mut self, segs: &[Ident]) -> Value {
        let Some(first) = segs.first() else {
            return Value::Poison;
        };
        let mut v = match self.lookup(first) {
            Some(v) => v,
            None => return Value::Poison,
        };
        let mut base = first.name.clone();
        for seg in &segs[1..] {
            let found = match &v {
                Value::Inst(inst) => {
                    if let Ok(i) = seg.name.parse::<usize>() {
                        i.checked_sub(1)
                            .and_then(|i| inst.repeats.get(i))
                            .map(|r| Value::Inst(Rc::clone(r)))
                    } else {
                        inst.outputs
                            .iter()
                            .find(|(n, _)| *n == seg.name)
                            .map(|(_, v)| v.clone())
                            .or_else(|| inst.members.get(&seg.name).cloned())
                    }
                }
                Value::Poison => return Value::Poison,
                _ => None,
            };
            match found {
                Some(f) => v = f,
                None => {
                    let members: Vec<String> = match &v {
                        Value::Inst(inst) => {
                            let mut c: Vec<String> = inst
                                .outputs
                                .iter()
                                .map(|(n, _)| n.clone())
                                .filter(|n| !n.is_empty())
                                .collect();
                            let mut m: Vec<String> = inst.members.keys().cloned().collect();
                            m.sort_unstable();
                            m.retain(|n| !c.contains(n));
                            c.extend(m);
                            c.extend((1..=inst.repeats.len()).map(|i| i.to_string()));
                            c
                        }
                        _ => Vec::new(),
                    };
                    let suggestion = self.suggest(&seg.name, members.iter().map(String::as_str));
                    self.error(ErrorKind::UnknownMember {
                        member: seg.name.clone(),
                        span: seg.span,
                        base,
                        suggestion,
                        members,
                    });
                    return Value::Poison;
                }
            }
            base = format!("{base}.{}", seg.name);
        }
        v
    }

    fn lookup(&mut self, name: &Ident) -> Option<Value> {
        let n = name.name.as_str();
        let scope = self.scopes.last()?;
        if let Some((v, _)) = scope.values.get(n) {
            return Some(v.clone());
        }
        let top = self.scopes.first()?;
        let global = if scope.in_block {
            top.values.get(n)
        } else {
            None
        };
        match global {
            Some((v @ (Value::Int(_) | Value::Pair(..) | Value::Poison), _)) => {
                return Some(v.clone());
            }
            Some((_, def)) => {
                let def = *def;
                let suggestion = self.visible_suggestion(n);
                self.error(ErrorKind::UnknownName {
                    name: n.into(),
                    span: name.span,
                    suggestion,
                    outside_block: Some(def),
                });
                return None;
            }
            None => {}
        }
        if let Some(&def) = scope.later.get(n) {
            self.error(ErrorKind::UseBeforeDef {
                name: n.into(),
                span: name.span,
                def,
            });
            return None;
        }
        let suggestion = self.visible_suggestion(n);
        self.error(ErrorKind::UnknownName {
            name: n.into(),
            span: name.span,
            suggestion,
            outside_block: None,
        });
        None
    }

    /// [`suggest`] within the file's budget of searches.
    fn suggest<'c>(
        &mut self,
        name: &str,
        cands: impl IntoIterator<Item = &'c str>,
    ) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        suggest(name, cands)
    }

    fn visible_suggestion(&mut self, n: &str) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        let scope = self.scopes.last()?;
        let mut cands: Vec<&str> = scope.values.keys().map(String::as_str).collect();
        if scope.in_block
            && let Some(top) = self.scopes.first()
        {
            cands.extend(
                top.values
                    .iter()
                    .filter(|(_, (v, _))| matches!(v, Value::Int(_) | Value::Pair(..)))
                    .map(|(k, _)| k.as_str()),
            );
        }
        cands.sort_unstable();
        suggest(n, cands)
    }

    // ===== the whole network =====

    fn unused(&mut self) {
        if self.diags.has_errors() {
            return;
        }
        let mut read: HashSet<Source> = self.layers.iter().flat_map(|l| l.inputs.clone()).collect();
        if self.outputs.is_empty()
            && let Some(last) = self.layers.len().checked_sub(1)
            && let Ok(id) = u32::try_from(last)
        {
            read.insert(Source::Layer(crate::ir::LayerId(id)));
        }
        read.extend(self.outputs.iter().copied());
        let mut found = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { continue };
            if !read.contains(&Source::Layer(crate::ir::LayerId(id))) {
                found.push(ErrorKind::UnusedLayer {
                    span: source_span(l.span),
                    name: l.name.clone(),
                });
            }
        }
        let data = self.input.iter().map(|d| (Source::Input, d)).chain(
            self.externs
                .iter()
                .enumerate()
                .filter_map(|(i, d)| u32::try_from(i).ok().map(|i| (Source::Extern(i), d))),
        );
        for (src, d) in data {
            if !read.contains(&src) {
                found.push(ErrorKind::UnusedInput {
                    span: source_span(d.span),
                    name: d.name.clone(),
                });
            }
        }
        let mut unused: Vec<&BlockDef> = self
            .blocks
            .iter()
            .filter(|(n, _)| !self.used_blocks.contains(*n))
            .map(|(_, b)| *b)
            .collect();
        unused.sort_by_key(|b| b.name.span);
        for b in unused {
            found.push(ErrorKind::UnusedBlock {
                span: b.name.span,
                name: b.name.name.clone(),
            });
        }
        for e in found {
            self.error(e);
        }
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

/// An optional argument's value: `Some(None)` if absent, `None` if invalid.
fn optional(x: Option<Option<Dim2>>) -> Option<Option<Dim2>> {
    x.map_or(Some(None), |v| v.map(Some))
}

fn source_span(s: crate::ir::Span) -> Span {
    match s {
        crate::ir::Span::Source { start, end } => Span { start, end },
        crate::ir::Span::Api => Span::default(),
    }
}

trait IntoShape {
    fn into_shape(self) -> LayerShape;
}

impl IntoShape for ConvShape {
    fn into_shape(self) -> LayerShape {
        LayerShape::Conv(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::LayerKind;

    fn net(body: &str) -> Network {
        let src = format!("network T\n{body}\n");
        match crate::lang::compile(&src) {
            Ok((n, _)) => n,
            Err(d) => panic!("{}", crate::lang::diag::render(&d, "t.nn", &src)),
        }
    }

    fn codes(body: &str) -> Vec<&'static str> {
        let src = format!("network T\n{body}\n");
        match crate::lang::compile(&src) {
            Ok((_, w)) => w
                .iter()
                .filter_map(|d| d.code.map(|c| c.as_str()))
                .collect(),
            Err(d) => d
                .iter()
                .filter_map(|d| d.code.map(|c| c.as_str()))
                .collect(),
        }
    }

    fn last(n: &Network) -> LayerShape {
        n.layers().last().expect("a layer").shape
    }

    #[test]
    fn conv_output_size_and_derived_input() {
        // floor((224 + 2*2 - 11) / 4) + 1 = 55; derived input (55-1)*4 + 11 = 227.
        let n = net("input d [3, 224]\nc = conv(d, 48, kernel: 11, stride: 4, pad: 2)");
        let s = last(&n);
        assert_eq!(
            (s.ofmap(), s.ifmap()),
            (Dim2::square(55), Dim2::square(227))
        );
        // Rectangular kernels, strides and pads.
        let n =
            net("input d [3, 20, 30]\nc = conv(d, 8, kernel: (3, 1), stride: (1, 2), pad: (1, 0))");
        assert_eq!(last(&n).ofmap(), Dim2::new(20, 15));
    }

    #[test]
    fn explicit_size_is_checked_by_the_padding_rule() {
        let n = net("input d [3, 224]\nc = conv(d, 64, kernel: 7, stride: 2, size: 112)");
        assert_eq!(last(&n).ifmap(), Dim2::square(229));
        assert_eq!(
            codes("input d [3, 224]\nc = conv(d, 64, kernel: 7, stride: 2, size: 100)"),
            ["E016"]
        );
    }

    #[test]
    fn fc_kernel_is_the_whole_input() {
        let n = net("input d [256, 6]\nf = fc(d, 4096)");
        let s = last(&n);
        assert_eq!(
            (s.window(), s.ofmap(), s.nifm()),
            (Dim2::square(6), Dim2::square(1), 256)
        );
    }

    #[test]
    fn pool_keeps_channels_and_strides_by_its_kernel() {
        let n = net("input d [64, 224]\np = pool(d, kernel: 2)");
        let s = last(&n);
        assert_eq!(
            (s.nifm(), s.nofm(), s.stride(), s.ofmap()),
            (64, 64, Dim2::square(2), Dim2::square(112))
        );
        // GoogLeNet's padded pooling: 112 -> 56 with pad 1 (derived input 113).
        let n = net("input d [64, 112]\np = pool(d, kernel: 3, stride: 2, pad: 1)");
        assert_eq!(
            (last(&n).ofmap(), last(&n).ifmap()),
            (Dim2::square(56), Dim2::square(113))
        );
    }

    #[test]
    fn eltwise_reads_nreg_times_its_channels() {
        let n = net("input d [8, 4]\na = conv(d, 8, kernel: 1)\ne = eltwise(d, a, d)");
        let l = n.layers().last().expect("layer");
        assert_eq!(l.kind, LayerKind::Eltwise);
        assert_eq!(
            (l.shape.nifm(), l.shape.nofm(), l.shape.ops_per_neuron()),
            (24, 8, 3)
        );
        assert_eq!(l.inputs.len(), 3);
    }

    #[test]
    fn concat_adds_channels_in_order() {
        let n =
            net("input d [3, 8]\na = conv(d, 5, kernel: 1)\nc = conv(concat(a, d), 2, kernel: 1)");
        let l = n.layers().last().expect("layer");
        assert_eq!(l.shape.nifm(), 8);
        assert_eq!(
            l.inputs,
            vec![Source::Layer(crate::ir::LayerId(0)), Source::Input]
        );
    }

    #[test]
    fn shape_errors() {
        assert_eq!(codes("input d [3, 5]\nc = conv(d, 8, kernel: 7)"), ["E014"]);
        assert_eq!(
            codes("input d [3, 5]\nc = conv(d, 8, kernel: 3, pad: 4)"),
            ["E016"]
        );
        assert_eq!(codes("input d [3, 5]\nc = conv(d, 0, kernel: 3)"), ["E015"]);
        assert_eq!(
            codes("input d [3, 5]\nc = conv(d, 8, kernel: 3, stride: (1, 0))"),
            ["E015"]
        );
        assert_eq!(
            codes("input d [3, 5]\nc = fc(d, 4611686018427387904)"),
            ["E017"]
        );
        assert_eq!(
            codes("input d [3, 4611686018427387904, 4]\nc = fc(d, 1)"),
            ["E017"]
        );
    }

    #[test]
    fn quantities_are_bounded() {
        let s = LayerShape::Conv(ConvShape {
            nifm: 1 << 30,
            nofm: 1 << 30,
            ofmap: Dim2::square(1),
            filter: Dim2::square(1),
            stride: Dim2::square(1),
        });
        assert!(!shape_fits(&s));
        assert!(shape_fits(&LayerShape::Conv(ConvShape::fc(
            4096,
            4096,
            Dim2::square(6)
        ))));
    }

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            suggest("strid", ["kernel", "stride", "pad"]),
            Some("stride".into())
        );
        assert_eq!(suggest("c", ["a", "b"]), None);
        assert_eq!(suggest("zzzzzz", ["conv1"]), None);
    }
}
