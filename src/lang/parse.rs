//! Source text → [`ast::File`]: a delimiter pre-scan (all unclosed and
//! mismatched brackets, nesting limit), then pest with `grammar/nn.pest`,
//! then one function per grammar rule that turns pairs into AST nodes with
//! spans. Syntax errors come back as diagnostics; nothing here panics on any
//! input.

use super::ast::{self, BinOp, Expr, ExprKind, Ident, Span, Stmt, StmtKind};
use super::error::ErrorKind;
use crate::diag::Diagnostics;
use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

mod grammar {
    // pest generates undocumented items for the grammar's silent helpers.
    #![allow(missing_docs)]

    /// The pest parser generated from `grammar/nn.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/nn.pest"]
    pub struct NnParser;
}

pub use grammar::{NnParser, Rule};

/// Deepest bracket nesting accepted (keeps every recursive walk shallow).
pub const MAX_NESTING: usize = 64;
/// Most binary operators in one expression (same reason).
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

/// The grammar rule's name in words, for "expected ..." messages.
pub fn rule_words(rule: &Rule) -> String {
    let s = match rule {
        Rule::EOI => "end of file",
        Rule::ident => "a name",
        Rule::number => "a number",
        Rule::index => "an instance number",
        Rule::string => "a quoted path",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::expr => "a layer name or an integer expression",
        Rule::paren => "`(`",
        Rule::qname => "a layer name",
        Rule::call => "a call like `conv(...)` or `concat(...)`",
        Rule::source => "a layer name or a call",
        Rule::slice => "a channel slice like `[0:58]`",
        Rule::slice_from | Rule::slice_to => "a channel number",
        Rule::arg => "an argument",
        Rule::kwarg => "a keyword argument like `stride: 2`",
        Rule::arg_name => "an argument name",
        Rule::file => "a `.nn` file",
        Rule::network_decl => "`network NAME`",
        Rule::net_name => "a network name",
        Rule::input_decl => "`input NAME [C, H, W]`",
        Rule::extern_decl => "`extern NAME [C, H, W]`",
        Rule::shape => "a shape like `[3, 224, 224]`",
        Rule::let_decl => "`let NAME = ...`",
        Rule::use_decl => "`use \"file.nn\"`",
        Rule::block_def => "a block definition",
        Rule::block_body => "a block body `{ ... }`",
        Rule::param => "a parameter",
        Rule::out_decl => "`out ...`",
        Rule::named_outs | Rule::named_out => "a named output like `h: hout`",
        Rule::layer_decl => "a statement",
        Rule::repeat => "`repeat N block(...)`",
        Rule::kw_network => "`network`",
        Rule::kw_input => "`input`",
        Rule::kw_extern => "`extern`",
        Rule::kw_let => "`let`",
        Rule::kw_block => "`block`",
        Rule::kw_out => "`out`",
        Rule::kw_repeat => "`repeat`",
        Rule::kw_use => "`use`",
        Rule::WHITESPACE | Rule::COMMENT | Rule::ident_char | Rule::keyword => "a token",
        Rule::infix => "an operator",
        Rule::term => "a layer name or an integer",
        Rule::stmt => "a statement",
    };
    s.to_string()
}

fn syntax_error(source: &str, e: pest::error::Error<Rule>) -> ErrorKind {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = source.get(pos..).unwrap_or("");
    let token = first_token(rest);
    let (found, end) = if token.is_empty() {
        ("end of file".to_string(), pos)
    } else {
        (format!("`{token}`"), pos + token.len())
    };
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            expected_words(source, pos, token, positives)
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    ErrorKind::Syntax {
        span: Span::new(pos, end),
        found,
        expected,
    }
}

/// What the parser wanted at `pos`, in words.
fn expected_words(source: &str, pos: usize, token: &str, positives: &[Rule]) -> String {
    let starts_name = token
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if positives.contains(&Rule::layer_decl) && starts_name {
        return format!("`= call(...)` after `{token}`, or a statement");
    }
    if positives.contains(&Rule::kw_network) || positives.contains(&Rule::layer_decl) {
        return "a statement (`name = conv(...)`, `input`, `extern`, `let`, `block`, `out`) \
                or end of file"
            .into();
    }
    if positives.contains(&Rule::kw_repeat) {
        return "a call like `conv(...)` or `repeat N block(...)`".into();
    }
    let mut w: Vec<String> = Vec::new();
    // Any name may be followed by a channel slice: saying so after every
    // name would drown what was meant.
    for x in positives
        .iter()
        .filter(|r| **r != Rule::slice)
        .map(rule_words)
    {
        if !w.contains(&x) {
            w.push(x);
        }
    }
    // Literal tokens are not rules, so pest does not list them: after an
    // expression inside brackets a separator or the closer may follow, and
    // at the start of an argument list the closer.
    let after_expr = positives.contains(&Rule::op_add);
    let closer = match innermost_open(source, pos) {
        Some('(') => Some("`)`"),
        Some('[') => Some("`]`"),
        _ => None,
    };
    if let Some(closer) = closer {
        if after_expr {
            w.push("`,`".into());
        }
        if after_expr || positives.contains(&Rule::arg) {
            w.push(closer.into());
        }
    }
    match w.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

/// The token at the start of `rest`: a word, a number, or one character.
fn first_token(rest: &str) -> &str {
    let word = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        return &rest[..word];
    }
    match rest.chars().next() {
        Some(c) => &rest[..c.len_utf8()],
        None => "",
    }
}

/// The innermost bracket open at byte `pos` (comments and strings skipped).
fn innermost_open(source: &str, pos: usize) -> Option<char> {
    let mut stack = Vec::new();
    let (mut in_comment, mut in_string) = (false, false);
    for (i, c) in source.char_indices() {
        if i >= pos {
            break;
        }
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            in_string = c != '"' && c != '\n';
        } else {
            match c {
                '#' => in_comment = true,
                '"' => in_string = true,
                '(' | '[' | '{' => stack.push(c),
                ')' | ']' | '}' => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    stack.last().copied()
}

/// Reports unclosed and mismatched delimiters (skipping comments and
/// strings) and nesting deeper than [`MAX_NESTING`].
fn scan_delimiters(source: &str, diags: &mut Diagnostics) {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut in_comment = false;
    let mut in_string = false;
    let mut too_deep = false;
    for (i, c) in source.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            in_string = c != '"' && c != '\n';
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' | '[' | '{' => {
                stack.push((i, c));
                if stack.len() > MAX_NESTING && !too_deep {
                    too_deep = true;
                    diags.push(
                        ErrorKind::Limit {
                            span: Span::new(i, i + 1),
                            what: format!("brackets nested deeper than {MAX_NESTING}"),
                        }
                        .diagnostic(),
                    );
                }
            }
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match stack.last() {
                    Some(&(_, o)) if o == want => {
                        stack.pop();
                    }
                    Some(&(at, o)) => {
                        diags.push(
                            ErrorKind::Mismatched {
                                close: Span::new(i, i + 1),
                                found: c,
                                open: Some((Span::new(at, at + 1), o)),
                            }
                            .diagnostic(),
                        );
                        // Assume the closer was meant for an outer opener if one matches.
                        // Otherwise it closes the innermost one.
                        match stack.iter().rposition(|&(_, o)| o == want) {
                            Some(k) => stack.truncate(k),
                            None => {
                                stack.pop();
                            }
                        }
                    }
                    None => diags.push(
                        ErrorKind::Mismatched {
                            close: Span::new(i, i + 1),
                            found: c,
                            open: None,
                        }
                        .diagnostic(),
                    ),
                }
            }
            _ => {}
        }
    }
    let eof = Span::new(source.len(), source.len());
    for (at, o) in stack {
        diags.push(
            ErrorKind::Unclosed {
                open: Span::new(at, at + 1),
                delim: o,
                eof,
            }
            .diagnostic(),
        );
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
