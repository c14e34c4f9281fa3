//! Source text → [`ast::File`]: a delimiter pre-scan (all unclosed and
//! mismatched brackets, nesting limit), then pest with `grammar/nn.pest`
//! (both in `lang::syntax`, with the syntax errors in words), then one
//! function per grammar rule that turns pairs into AST nodes with spans.
//! Syntax errors come back as diagnostics; nothing here panics on any
//! input.

use super::ast::{self, BinOp, Expr, ExprKind, Ident, Span, Stmt, StmtKind};
use super::error::ErrorKind;
use crate::diag::Diagnostics;
use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

pub use super::syntax::{MAX_NESTING, NnParser, Rule, rule_words};
use super::syntax::{scan_delimiters, syntax_error};

/// Most binary operators in one expression (keeps every recursive walk
/// shallow, as [`MAX_NESTING`] does).
pub const MAX_OPERATORS: usize = 256;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
});

/// Parses a whole file. Reports all delimiter errors, or else the first
/// syntax error, or else all malformed numbers.
pub fn parse(source: &str) -> Result<ast::File, Diagnostics> {
    let mut diags = Diagnostics::new();
    scan_delimiters(source, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let mut pairs = match NnParser::parse(Rule::file, source) {
        Ok(p) => p,
        Err(e) => {
            diags.push(syntax_error(source, e).diagnostic());
            return Err(diags);
        }
    };
    let Some(file_pair) = pairs.next() else {
        diags.push(crate::diag::Diagnostic::internal(
            "the parser returned no file",
        ));
        return Err(diags);
    };
    let mut p = Builder { diags };
    let f = p.file(file_pair);
    if p.diags.has_errors() {
        Err(p.diags)
    } else {
        Ok(f)
    }
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

/// Turns pest pairs into AST nodes, collecting number errors.
struct Builder {
    diags: Diagnostics,
}

impl Builder {
    fn file(&mut self, pair: Pair<'_, Rule>) -> ast::File {
        let stmts = pair
            .into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| self.stmt(p));
        ast::File {
            stmts: stmts.collect(),
        }
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>) -> Stmt {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::network_decl => StmtKind::Network(self.network_decl(pair)),
            Rule::input_decl => StmtKind::Input(self.data_decl(pair)),
            Rule::extern_decl => StmtKind::Extern(self.data_decl(pair)),
            Rule::let_decl => self.let_decl(pair),
            Rule::use_decl => self.use_decl(pair),
            Rule::block_def => StmtKind::Block(self.block_def(pair)),
            Rule::out_decl => StmtKind::Out(self.out_decl(pair)),
            Rule::layer_decl => self.layer_decl(pair),
            r => unreachable!("unexpected {r:?} in stmt"),
        };
        Stmt { kind, span }
    }

    fn network_decl(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let mut it = pair.into_inner().skip(1);
        self.ident(it.next())
    }

    fn data_decl(&mut self, pair: Pair<'_, Rule>) -> ast::DataDecl {
        let mut it = pair.into_inner().skip(1);
        let name = self.ident(it.next());
        let shape_pair = it.next();
        let shape_span = shape_pair.as_ref().map(span_of).unwrap_or_default();
        let shape = shape_pair.map(|p| self.shape(p)).unwrap_or_default();
        ast::DataDecl {
            name,
            shape,
            shape_span,
        }
    }

    fn shape(&mut self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner().map(|p| self.expr(p)).collect()
    }

    fn let_decl(&mut self, pair: Pair<'_, Rule>) -> StmtKind {
        let span = span_of(&pair);
        let mut it = pair.into_inner().skip(1);
        let name = self.ident(it.next());
        let value = self.expr_or_hole(it.next(), span);
        StmtKind::Let { name, value }
    }

    fn use_decl(&mut self, pair: Pair<'_, Rule>) -> StmtKind {
        let path = pair
            .into_inner()
            .nth(1)
            .map(|p| p.as_str().trim_matches('"').to_string());
        StmtKind::Use {
            path: path.unwrap_or_default(),
        }
    }

    fn block_def(&mut self, pair: Pair<'_, Rule>) -> ast::BlockDef {
        let mut it = pair.into_inner().skip(1);
        let name = self.ident(it.next());
        let mut params = Vec::new();
        let mut body = Vec::new();
        let mut params_end = name.span.end;
        for p in it {
            match p.as_rule() {
                Rule::param => {
                    params_end = span_of(&p).end;
                    params.push(self.param(p));
                }
                Rule::block_body => body = self.block_body(p),
                r => unreachable!("unexpected {r:?} in block_def"),
            }
        }
        let params_span = Span {
            start: name.span.end,
            end: params_end.max(name.span.end),
        };
        ast::BlockDef {
            name,
            params,
            body,
            params_span,
        }
    }

    fn block_body(&mut self, pair: Pair<'_, Rule>) -> Vec<Stmt> {
        pair.into_inner().map(|p| self.stmt(p)).collect()
    }

    fn param(&mut self, pair: Pair<'_, Rule>) -> ast::Param {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let name = self.ident(it.next());
        let default = it.next().map(|p| self.expr(p));
        ast::Param {
            name,
            default,
            span,
        }
    }

    fn out_decl(&mut self, pair: Pair<'_, Rule>) -> ast::Out {
        let span = span_of(&pair);
        let inner = pair.into_inner().nth(1);
        match inner {
            Some(p) if p.as_rule() == Rule::named_outs => ast::Out::Named(self.named_outs(p)),
            other => ast::Out::Single(self.expr_or_hole(other, span)),
        }
    }

    fn named_outs(&mut self, pair: Pair<'_, Rule>) -> Vec<(Ident, Expr)> {
        pair.into_inner().map(|p| self.named_out(p)).collect()
    }

    fn named_out(&mut self, pair: Pair<'_, Rule>) -> (Ident, Expr) {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let name = self.ident(it.next());
        (name, self.expr_or_hole(it.next(), span))
    }

    fn layer_decl(&mut self, pair: Pair<'_, Rule>) -> StmtKind {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let name = self.ident(it.next());
        let value = match it.next() {
            Some(p) if p.as_rule() == Rule::repeat => self.repeat(p),
            Some(p) => match self.term(p) {
                Expr {
                    kind: ExprKind::Call(call),
                    ..
                } => ast::Rhs::Call(call),
                other => ast::Rhs::Source(other),
            },
            None => ast::Rhs::Call(empty_call(span)),
        };
        StmtKind::Layer { name, value }
    }

    fn repeat(&mut self, pair: Pair<'_, Rule>) -> ast::Rhs {
        let span = span_of(&pair);
        let mut it = pair.into_inner().skip(1);
        let count = self.expr_or_hole(it.next(), span);
        let call = it.next().map_or_else(|| empty_call(span), |p| self.call(p));
        ast::Rhs::Repeat { count, call }
    }

    fn call(&mut self, pair: Pair<'_, Rule>) -> ast::Call {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let callee = self.ident(it.next());
        let args: Vec<ast::Arg> = it.map(|p| self.arg(p)).collect();
        let open = callee.span.end;
        let args_span = match (args.first(), args.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span {
                start: open + 1,
                end: open + 1,
            },
        };
        ast::Call {
            callee,
            args,
            span,
            args_span,
        }
    }

    fn arg(&mut self, pair: Pair<'_, Rule>) -> ast::Arg {
        let span = span_of(&pair);
        let inner = pair.into_inner().next();
        match inner {
            Some(p) if p.as_rule() == Rule::kwarg => {
                let mut it = p.into_inner();
                let keyword = Some(self.ident(it.next()));
                let value = self.expr_or_hole(it.next(), span);
                ast::Arg {
                    keyword,
                    value,
                    span,
                }
            }
            other => ast::Arg {
                keyword: None,
                value: self.expr_or_hole(other, span),
                span,
            },
        }
    }

    fn expr_or_hole(&mut self, pair: Option<Pair<'_, Rule>>, at: Span) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => Expr {
                kind: ExprKind::Int(0),
                span: at,
            },
        }
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let inner = pair.into_inner();
        // Nested expressions count too: the limit bounds the tree's depth.
        let operators = inner
            .clone()
            .flatten()
            .filter(|p| PRATT_OPS.contains(&p.as_rule()))
            .count();
        if operators > MAX_OPERATORS {
            self.diags.push(
                ErrorKind::Limit {
                    span,
                    what: format!("more than {MAX_OPERATORS} operators in one expression"),
                }
                .diagnostic(),
            );
            return Expr {
                kind: ExprKind::Int(0),
                span,
            };
        }
        // The Pratt parser's closures cannot borrow `self` mutably twice, so
        // terms are converted first and handed over by position.
        let terms: Vec<Pair<'_, Rule>> = inner
            .clone()
            .filter(|p| !PRATT_OPS.contains(&p.as_rule()))
            .collect();
        let mut converted: Vec<Option<Expr>> =
            terms.into_iter().map(|p| Some(self.term(p))).collect();
        let mut next = 0usize;
        PRATT
            .map_primary(|_| {
                let e = converted.get_mut(next).and_then(Option::take);
                next += 1;
                e.unwrap_or(Expr {
                    kind: ExprKind::Int(0),
                    span,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let op = match op.as_rule() {
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    r => unreachable!("unexpected {r:?} in expr"),
                };
                let span = lhs.span.to(rhs.span);
                Expr {
                    kind: ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                }
            })
            .parse(inner)
    }

    fn term(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::source => return self.source(pair),
            Rule::call => ExprKind::Call(self.call(pair)),
            Rule::qname => ExprKind::Name(self.qname(pair)),
            Rule::number => ExprKind::Int(self.number(&pair)),
            Rule::paren => {
                let values: Vec<Expr> = pair.into_inner().map(|p| self.expr(p)).collect();
                if values.len() > 2 {
                    ExprKind::Tuple(values)
                } else {
                    let mut it = values.into_iter();
                    let a = it.next().unwrap_or(Expr {
                        kind: ExprKind::Int(0),
                        span,
                    });
                    match it.next() {
                        Some(b) => ExprKind::Pair(Box::new(a), Box::new(b)),
                        None => return Expr { kind: a.kind, span },
                    }
                }
            }
            r => unreachable!("unexpected {r:?} in term"),
        };
        Expr { kind, span }
    }

    /// A call or a name, sliced if a slice follows.
    fn source(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let Some(first) = it.next() else {
            return Expr {
                kind: ExprKind::Int(0),
                span,
            };
        };
        let src = self.term(first);
        let Some(slice) = it.next() else {
            return src;
        };
        let (mut from, mut to) = (None, None);
        for bound in slice.into_inner() {
            let rule = bound.as_rule();
            let e = bound.into_inner().next().map(|e| Box::new(self.expr(e)));
            match rule {
                Rule::slice_from => from = e,
                _ => to = e,
            }
        }
        Expr {
            kind: ExprKind::Slice {
                src: Box::new(src),
                from,
                to,
            },
            span,
        }
    }

    fn qname(&mut self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        pair.into_inner()
            .map(|p| Ident {
                name: p.as_str().to_string(),
                span: span_of(&p),
            })
            .collect()
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> i64 {
        let text = pair.as_str();
        let fraction = text.contains('.');
        match text.parse::<i64>() {
            Ok(v) if !fraction => v,
            _ => {
                self.diags.push(
                    ErrorKind::BadNumber {
                        span: span_of(pair),
                        text: text.to_string(),
                        fraction,
                    }
                    .diagnostic(),
                );
                0
            }
        }
    }

    fn ident(&mut self, pair: Option<Pair<'_, Rule>>) -> Ident {
        match pair {
            Some(p) => Ident {
                name: p.as_str().to_string(),
                span: span_of(&p),
            },
            None => Ident {
                name: String::new(),
                span: Span::default(),
            },
        }
    }
}

const PRATT_OPS: [Rule; 4] = [Rule::op_add, Rule::op_sub, Rule::op_mul, Rule::op_div];

fn empty_call(span: Span) -> ast::Call {
    ast::Call {
        callee: Ident {
            name: String::new(),
            span,
        },
        args: Vec::new(),
        span,
        args_span: span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_network() {
        let src =
            "network N\ninput data [3, 32]\nc = conv(data, 8, kernel: (3, 1), pad: 1 + 2 * 3)\n";
        let f = parse(src).expect("parses");
        assert_eq!(f.stmts.len(), 3);
        let StmtKind::Layer {
            value: ast::Rhs::Call(call),
            ..
        } = &f.stmts[2].kind
        else {
            panic!("not a layer")
        };
        assert_eq!(call.callee.name, "conv");
        assert_eq!(call.args.len(), 4);
        let ExprKind::Binary {
            op: BinOp::Add,
            rhs,
            ..
        } = &call.args[3].value.kind
        else {
            panic!("precedence")
        };
        assert!(matches!(rhs.kind, ExprKind::Binary { op: BinOp::Mul, .. }));
    }

    #[test]
    fn digit_names_and_indices() {
        let src = "network N\ninput d [1]\n3x3_reduce = fc(d, 2)\nx = fc(a.1.b, 2)\n";
        let f = parse(src).expect("parses");
        let StmtKind::Layer { name, .. } = &f.stmts[2].kind else {
            panic!()
        };
        assert_eq!(name.name, "3x3_reduce");
    }

    #[test]
    fn reports_all_unclosed_delimiters() {
        let err = parse("network N\nx = conv(a, [1\ny = fc(b, 2\n").expect_err("fails");
        assert_eq!(err.len(), 3);
    }

    fn expected(src: &str) -> String {
        let err = parse(src).expect_err("a syntax error");
        let d = err.iter().next().expect("one");
        d.labels[0].message.clone()
    }

    #[test]
    fn expectations_in_words() {
        let n = "network N\ninput data [3]\n";
        assert_eq!(
            expected(&format!("{n}c = conv(, 2)")),
            "expected an argument or `)`"
        );
        assert_eq!(
            expected(&format!("{n}c = conv(data 2)")),
            "expected `+`, `-`, `*`, `/`, `,`, or `)`"
        );
        assert_eq!(
            expected(&format!("{n}c = ")),
            "expected a call like `conv(...)` or `repeat N block(...)`"
        );
        assert!(expected(&format!("{n}c\n")).starts_with("expected `= call(...)` after `c`"));
    }

    #[test]
    fn keyword_prefix_is_a_name() {
        let f = parse("network N\ninput data [1]\nnetwork2 = fc(data, 1)").expect("parses");
        assert_eq!(f.stmts.len(), 3);
    }
}
