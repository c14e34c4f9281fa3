//! The file's structure, before any value is computed (the `network`
//! header, one `input`, block definitions, recursion between blocks), and
//! after all statements, the whole network (layers, inputs and blocks that
//! nothing uses).

use super::{Checker, source_span};
use crate::ir::{LayerId, Source};
use crate::lang::ast::{self, BlockDef, Call, Expr, ExprKind, Ident, Span, Stmt, StmtKind};
use crate::lang::builtin::Builtin;
use crate::lang::error::{ErrorKind, HeaderProblem, OutProblem};
use std::collections::{HashMap, HashSet};

/// Names an integer expression mentions as callees (inline calls, which
/// the checker rejects later but which still close recursion cycles).
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
        ExprKind::Tuple(values) => {
            for v in values {
                int_expr_names(v, out);
            }
        }
        ExprKind::Slice { src, from, to } => {
            for e in std::iter::once(src).chain(from).chain(to) {
                int_expr_names(e, out);
            }
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
            StmtKind::Layer {
                value: ast::Rhs::Source(e),
                ..
            }
            | StmtKind::Out(ast::Out::Single(e)) => int_expr_names(e, &mut out),
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
    pub(super) fn header(&mut self, file: &'a ast::File) {
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

    pub(super) fn collect_blocks(&mut self, file: &'a ast::File) {
        let mut first: HashMap<&str, Span> = HashMap::new();
        for s in &file.stmts {
            let StmtKind::Block(b) = &s.kind else {
                continue;
            };
            let name = b.name.name.as_str();
            if Builtin::from_name(name).is_some() {
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

    /// A network must have a layer: with none there is nothing to
    /// schedule. Skipped after errors, which may have removed the layers.
    pub(super) fn no_layers(&mut self, file: &ast::File) {
        if self.diags.has_errors() || !self.layers.is_empty() {
            return;
        }
        let span = file.stmts.iter().find_map(|s| match &s.kind {
            StmtKind::Network(n) => Some(n.span),
            _ => None,
        });
        self.error(ErrorKind::NoLayers {
            span: span.unwrap_or_default(),
            name: self.name.clone(),
            input: self.input.as_ref().map(|d| d.name.clone()),
        });
    }

    /// Warns about layers, inputs and blocks that nothing uses. Skipped
    /// after errors: a layer whose reader failed would be reported twice.
    pub(super) fn unused(&mut self) {
        if self.diags.has_errors() {
            return;
        }
        let mut read: HashSet<Source> = self
            .layers
            .iter()
            .flat_map(|l| l.inputs.iter().map(|v| v.source))
            .collect();
        if self.outputs.is_empty()
            && let Some(last) = self.layers.len().checked_sub(1)
            && let Ok(id) = u32::try_from(last)
        {
            read.insert(Source::Layer(LayerId(id)));
        }
        read.extend(self.outputs.iter().copied());
        read.extend(self.side_reads.iter().copied());
        let mut found = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { continue };
            if !read.contains(&Source::Layer(LayerId(id))) {
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
}
