//! The syntax tree of a `.nn` file: what the user wrote, with a [`Span`] on
//! every node. Built by [`super::parse`], read by [`super::check`]. Nothing
//! here is checked beyond the grammar.

use std::fmt;

pub use crate::diag::Span;

impl From<Span> for crate::ir::Span {
    fn from(s: Span) -> Self {
        crate::ir::Span::Source {
            start: s.start,
            end: s.end,
        }
    }
}

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A whole file: its statements in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Top-level statements.
    pub stmts: Vec<Stmt>,
}

/// One statement and its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    /// What it says.
    pub kind: StmtKind,
    /// The whole statement.
    pub span: Span,
}

/// The statements of the language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// `network AlexNet`
    Network(Ident),
    /// `input data [3, 224, 224]`
    Input(DataDecl),
    /// `extern h0 [1000, 1]`
    Extern(DataDecl),
    /// `let width = 64`
    Let {
        /// The constant's name.
        name: Ident,
        /// Its value.
        value: Expr,
    },
    /// `use "blocks.nn"`
    Use {
        /// The path as written, without quotes.
        path: String,
    },
    /// `block name(params) { ... }`
    Block(BlockDef),
    /// `out x` or `out c: cout, h: hout`
    Out(Out),
    /// `name = conv(...)`, `name = block(...)`, `name = repeat N block(...)`
    Layer {
        /// The defined name.
        name: Ident,
        /// What defines it.
        value: Rhs,
    },
}

/// The body of an `input` or `extern` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDecl {
    /// Its name.
    pub name: Ident,
    /// `[C, H, W]` as written (one to three entries are valid).
    pub shape: Vec<Expr>,
    /// The bracketed shape.
    pub shape_span: Span,
}

/// `block name(params) { body }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDef {
    /// The block's name.
    pub name: Ident,
    /// Its parameters in order.
    pub params: Vec<Param>,
    /// Its statements.
    pub body: Vec<Stmt>,
    /// The parenthesized parameter list.
    pub params_span: Span,
}

/// A block parameter: `x` or `stride = 1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its default value, if any.
    pub default: Option<Expr>,
    /// The whole parameter.
    pub span: Span,
}

/// What an `out` statement names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    /// `out expr`: one output.
    Single(Expr),
    /// `out c: cout, h: hout`: named outputs, selected as `inst.c`.
    Named(Vec<(Ident, Expr)>),
}

/// The right-hand side of `name = ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rhs {
    /// `conv(...)`, `concat(...)` or `block(...)`.
    Call(Call),
    /// `repeat N block(src, args)`.
    Repeat {
        /// How many instances.
        count: Expr,
        /// The block call of the first instance.
        call: Call,
    },
    /// `x[a:b]`, or another source expression that is not a call: a name
    /// for a source, no layer.
    Source(Expr),
}

/// `callee(args)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The operator or block.
    pub callee: Ident,
    /// Arguments in order.
    pub args: Vec<Arg>,
    /// The whole call.
    pub span: Span,
    /// The arguments inside the parentheses (empty span after `(` if none).
    pub args_span: Span,
}

/// One argument: positional (`x`) or keyword (`stride: 2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The keyword, if any.
    pub keyword: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole argument.
    pub span: Span,
}

/// An expression and its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// Its form.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// The forms of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// `64`
    Int(i64),
    /// `data`, `inc3a.b1`, `conv4.2.a`, `cell.h`
    Name(Vec<Ident>),
    /// `(3, 1)`
    Pair(Box<Expr>, Box<Expr>),
    /// `(3, 3, 3)`: not a value of the language (a kernel, stride, pad or
    /// size has at most two dimensions), parsed so that the checker can say
    /// so where it is used.
    Tuple(Vec<Expr>),
    /// `4 * mid`
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `concat(a, b)` or, rejected by the checker outside `out`, an inline
    /// operator or block call.
    Call(Call),
    /// `x[from:to]`: a channel slice of a source; a bound left out is the
    /// first or past the last channel.
    Slice {
        /// The sliced source.
        src: Box<Expr>,
        /// The first channel, if written.
        from: Option<Box<Expr>>,
        /// One past the last channel, if written.
        to: Option<Box<Expr>>,
    },
}

/// Integer operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (integer division, rounding down)
    Div,
}

impl BinOp {
    /// The operator's symbol.
    pub const fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}
