//! The language's syntax: the pest grammar (`grammar/nn.pest`), what a
//! parse failure says in words (what was found, what was expected), and
//! the delimiter pre-scan that reports every unclosed or mismatched
//! bracket before the grammar runs. `parse` builds the AST on top.

use super::ast::Span;
use super::error::ErrorKind;
use crate::diag::Diagnostics;

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

pub(super) fn syntax_error(source: &str, e: pest::error::Error<Rule>) -> ErrorKind {
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
pub(super) fn scan_delimiters(source: &str, diags: &mut Diagnostics) {
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
