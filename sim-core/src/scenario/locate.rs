//! Mapping paths into a scenario document back to source positions.
//!
//! Scenario files are parsed with serde + ron, and semantic validation then
//! reports problems against a *path* into the document, such as
//! `call_types[0].arrivals.per_hour`. This module turns such a path back into
//! a line and column of the original RON text, so the CLI can print
//! `scenarios/x.ron:12:41: per_hour must be > 0`.
//!
//! The walk is done by a small, tolerant scanner of its own rather than by
//! ron, because ron's value tree keeps no positions. It understands just
//! enough of RON's surface syntax to find values: comments (`//`, nested
//! `/* */`), strings with escapes, raw strings (`r#"…"#`), byte strings,
//! char literals, numbers, identifiers (including raw `r#ident`), struct,
//! tuple, list and map brackets, and document attributes such as
//! `#![enable(implicit_some)]`. It never panics, whatever the input (it is
//! tested on every truncation and many mutations of sample documents, and on
//! random text), does not recurse, and takes time linear in the text.
//!
//! How a path is followed:
//!
//! * [`PathSeg::Field`] enters a struct (`Name(field: …)` or `(field: …)`,
//!   also an enum variant such as `Poisson(per_hour: 360.0)`) by field name,
//!   or a map (`{ "key": …, key2: … }`) by key text, quoted or not.
//! * [`PathSeg::Index`] enters a list `[a, b, c]`, a tuple or tuple variant
//!   with at least two elements, or a map by an integer key.
//! * A single-element tuple-like wrapper such as `Some(…)` or a newtype
//!   `Name(…)` is transparent: the segment is applied to the wrapped value, so
//!   `patience.mean_s` finds `mean_s` in
//!   `patience: Some(Exponential(mean_s: 300.0))`.
//! * When the path cannot be followed further (a field left to its default,
//!   an index past the end, a field of a list, …) the position of the deepest
//!   value reached is returned.
//!
//! Columns count Unicode scalar values from 1, like ron's own positions,
//! except that a UTF-8 byte-order mark at the very start of the text is not
//! counted (it is invisible in editors, and ron itself does not accept it).

use std::fmt;

/// One step of a path into a RON document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSeg {
    /// A struct field, or a map entry by key (the key's text, unquoted).
    Field(String),
    /// A list element (0-based), a tuple element, or a map entry whose key is
    /// this integer.
    Index(usize),
}

impl From<&str> for PathSeg {
    fn from(name: &str) -> Self {
        Self::Field(name.to_owned())
    }
}

impl From<String> for PathSeg {
    fn from(name: String) -> Self {
        Self::Field(name)
    }
}

impl From<usize> for PathSeg {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

/// A 1-based line and column (column counted in Unicode scalar values, like
/// ron's own positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line number, starting at 1. Lines are separated by `\n` (so CRLF
    /// endings count once).
    pub line: usize,
    /// Column number, starting at 1, in Unicode scalar values.
    pub col: usize,
}

impl fmt::Display for Position {
    /// Formats as `line:col`, e.g. `12:41`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A path into a scenario document, built step by step by validation code.
///
/// ```
/// use sim_core::scenario::Path;
/// let p = Path::root().field("call_types").index(0).field("arrivals");
/// assert_eq!(p.to_string(), "call_types[0].arrivals");
/// ```
///
/// The builder methods take `&self` and return a new path, so a parent path
/// can be reused for several children.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Path(Vec<PathSeg>);

impl Path {
    /// The empty path, naming the whole document.
    #[must_use]
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by a struct field or map key.
    #[must_use]
    pub fn field(&self, name: impl Into<String>) -> Self {
        let mut segs = self.0.clone();
        segs.push(PathSeg::Field(name.into()));
        Self(segs)
    }

    /// This path extended by a list (or tuple) index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(PathSeg::Index(index));
        Self(segs)
    }

    /// Appends a segment in place.
    pub fn push(&mut self, seg: PathSeg) {
        self.0.push(seg);
    }

    /// Removes and returns the last segment, if any.
    pub fn pop(&mut self) -> Option<PathSeg> {
        self.0.pop()
    }

    /// The segments of this path, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[PathSeg] {
        &self.0
    }

    /// The segments of this path, by value.
    #[must_use]
    pub fn into_segments(self) -> Vec<PathSeg> {
        self.0
    }

    /// Whether this is the root (empty) path.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The position in `src` of the value this path names; see [`locate`].
    #[must_use]
    pub fn locate(&self, src: &str) -> Option<Position> {
        locate(src, &self.0)
    }
}

impl fmt::Display for Path {
    /// Formats like [`path_to_string`], e.g. `call_types[0].arrivals`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_path(f, &self.0)
    }
}

impl From<Vec<PathSeg>> for Path {
    fn from(segs: Vec<PathSeg>) -> Self {
        Self(segs)
    }
}

impl From<&[PathSeg]> for Path {
    fn from(segs: &[PathSeg]) -> Self {
        Self(segs.to_vec())
    }
}

impl FromIterator<PathSeg> for Path {
    fn from_iter<I: IntoIterator<Item = PathSeg>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl AsRef<[PathSeg]> for Path {
    fn as_ref(&self) -> &[PathSeg] {
        &self.0
    }
}

/// Render a path as `call_types[0].arrivals.per_hour`.
///
/// Fields are joined with `.` and indices written as `[i]`. A field (map key)
/// that is not a plain identifier is written as a quoted index, e.g.
/// `rates["peak hours"]`. The empty path renders as the empty string.
#[must_use]
pub fn path_to_string(path: &[PathSeg]) -> String {
    struct Show<'a>(&'a [PathSeg]);
    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_path(f, self.0)
        }
    }
    Show(path).to_string()
}

fn write_path(f: &mut fmt::Formatter<'_>, path: &[PathSeg]) -> fmt::Result {
    for (i, seg) in path.iter().enumerate() {
        match seg {
            PathSeg::Field(name) if is_plain_ident(name) => {
                if i > 0 {
                    f.write_str(".")?;
                }
                f.write_str(name)?;
            }
            PathSeg::Field(name) => write!(f, "[{name:?}]")?,
            PathSeg::Index(index) => write!(f, "[{index}]")?,
        }
    }
    Ok(())
}

fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_continue)
}

/// Line and column of a byte offset.
///
/// An offset past the end is clamped to the end of `src`, and one inside a
/// multi-byte character is moved back to that character's start. A leading
/// UTF-8 byte-order mark is not counted as a column.
#[must_use]
pub fn position_of_offset(src: &str, offset: usize) -> Position {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
    let mut col = 1 + before[line_start..].chars().count();
    if line_start == 0 && before.starts_with('\u{FEFF}') {
        col -= 1;
    }
    Position { line, col }
}

/// Position of the value that `path` names.
///
/// When the path runs out (a field left to its default, an index past the
/// end), this is the position of the deepest value that does exist (e.g. the
/// `CallType(` that lacks the field). `None` only if the text is not
/// structurally readable at all (empty, only comments, or not starting with
/// a value).
#[must_use]
pub fn locate(src: &str, path: &[PathSeg]) -> Option<Position> {
    locate_offset(src, path).map(|offset| position_of_offset(src, offset))
}

/// Byte offset of the value that `path` names; the same search as
/// [`locate`], for callers that want to slice or underline the source.
#[must_use]
pub fn locate_offset(src: &str, path: &[PathSeg]) -> Option<usize> {
    let doc = Tokens::new(src);
    let mut cur = Cursor { doc: &doc, i: 0 };
    cur.skip_attributes();
    let mut remaining = path;
    let mut best = None;
    loop {
        let tok = cur.peek();
        if !tok.kind.starts_value() {
            return best;
        }
        best = Some(tok.start);
        let Some((seg, rest)) = remaining.split_first() else {
            return best;
        };
        let step = match tok.kind {
            Kind::Ident => {
                cur.bump();
                if cur.peek().kind == Kind::Open(b'(') {
                    cur.bump();
                    cur.paren_body(seg)
                } else {
                    Step::Stop
                }
            }
            Kind::Open(b'(') => {
                cur.bump();
                cur.paren_body(seg)
            }
            Kind::Open(b'[') => {
                cur.bump();
                cur.list_body(seg)
            }
            Kind::Open(_) => {
                cur.bump();
                cur.map_body(seg)
            }
            _ => Step::Stop,
        };
        match step {
            Step::Stop => return best,
            Step::Enter => remaining = rest,
            Step::LookThrough => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Scanner

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Identifier, raw identifier (`r#x`), including `true`, `inf`, `Some`.
    Ident,
    /// `"…"` or `b"…"`, with escapes.
    Str,
    /// `r#"…"#` or `br#"…"#`.
    RawStr,
    /// `'c'` or `b'c'`.
    Char,
    Number,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close,
    Colon,
    Comma,
    Hash,
    Bang,
    /// Anything else: one character that means nothing here.
    Other,
    Eof,
}

impl Kind {
    fn starts_value(self) -> bool {
        matches!(
            self,
            Self::Ident | Self::Str | Self::RawStr | Self::Char | Self::Number | Self::Open(_)
        )
    }
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// What a container did with one path segment.
enum Step {
    /// The segment cannot be followed here; the container is the answer.
    Stop,
    /// The cursor is at the value the segment names.
    Enter,
    /// The container is a single-element wrapper; the cursor is at the
    /// wrapped value, to which the same segment applies.
    LookThrough,
}

/// The whole text as tokens, with matching brackets paired up so that
/// skipping a nested value is a single jump.
struct Tokens<'a> {
    src: &'a str,
    /// All tokens, ending with exactly one `Eof`.
    toks: Vec<Token>,
    /// For each `Open` token, the index of its matching close bracket (of
    /// any kind), or of the final `Eof` if unclosed; unused for others.
    partner: Vec<usize>,
}

impl<'a> Tokens<'a> {
    fn new(src: &'a str) -> Self {
        let mut toks = Vec::new();
        let mut pos = 0;
        loop {
            let tok = next_token(src, pos);
            toks.push(tok);
            if tok.kind == Kind::Eof {
                break;
            }
            pos = tok.end;
        }
        let eof = toks.len() - 1;
        let mut partner = vec![eof; toks.len()];
        let mut open = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            match tok.kind {
                Kind::Open(_) => open.push(i),
                Kind::Close => {
                    if let Some(o) = open.pop() {
                        partner[o] = i;
                    }
                }
                _ => {}
            }
        }
        Self { src, toks, partner }
    }
}

/// A position in a [`Tokens`] list; cheap to copy for lookahead.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    doc: &'a Tokens<'a>,
    /// Index of the next token; never past the final `Eof`.
    i: usize,
}

const fn is_ws(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\n'
            | '\r'
            | '\x0B'
            | '\x0C'
            | '\u{85}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{FEFF}'
    )
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn is_raw_ident_continue(c: char) -> bool {
    matches!(c, '.' | '+' | '-') || is_ident_continue(c)
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Token {
        self.doc.toks[self.i]
    }

    fn bump(&mut self) -> Token {
        let tok = self.peek();
        if tok.kind != Kind::Eof {
            self.i += 1;
        }
        tok
    }

    fn text(&self, tok: Token) -> &'a str {
        self.doc.src.get(tok.start..tok.end).unwrap_or("")
    }

    /// Skips `#![…]` / `#[…]` attributes before the top-level value.
    fn skip_attributes(&mut self) {
        while self.peek().kind == Kind::Hash {
            self.bump();
            if self.peek().kind == Kind::Bang {
                self.bump();
            }
            if self.peek().kind == Kind::Open(b'[') {
                self.bump();
                self.skip_rest_of_group();
            }
        }
    }

    /// Skips to just past the close bracket of the group already entered.
    fn skip_rest_of_group(&mut self) {
        loop {
            self.skip_element(false);
            match self.bump().kind {
                Kind::Comma | Kind::Colon => {}
                _ => return, // close bracket or end of text
            }
        }
    }

    /// Skips one element of a sequence: everything up to (not including) a
    /// `,` or close bracket at depth 0 (or, with `stop_at_colon`, a `:`).
    /// Bracket kinds are not matched against each other, which keeps the
    /// skip total and cheap on malformed text.
    fn skip_element(&mut self, stop_at_colon: bool) {
        loop {
            match self.peek().kind {
                Kind::Eof | Kind::Comma | Kind::Close => return,
                Kind::Colon if stop_at_colon => return,
                Kind::Open(_) => {
                    self.i = self.doc.partner[self.i];
                    self.bump();
                }
                _ => self.i += 1,
            }
        }
    }

    /// After an element: consumes a `,` and reports whether another element
    /// may follow (false at a close bracket or the end of text).
    fn next_element(&mut self) -> bool {
        match self.peek().kind {
            Kind::Comma => {
                self.bump();
                !matches!(self.peek().kind, Kind::Close | Kind::Eof)
            }
            _ => false,
        }
    }

    /// Whether the cursor is at `ident :` (a struct field).
    fn at_field(&self) -> bool {
        let mut look = *self;
        look.bump().kind == Kind::Ident && look.peek().kind == Kind::Colon
    }

    /// Inside `(`: a struct body, a tuple body, or a one-element wrapper.
    fn paren_body(&mut self, seg: &PathSeg) -> Step {
        if matches!(self.peek().kind, Kind::Close | Kind::Eof) {
            return Step::Stop;
        }
        if self.at_field() {
            let PathSeg::Field(name) = seg else {
                return Step::Stop;
            };
            loop {
                if self.at_field() {
                    let key = self.bump();
                    self.bump(); // the colon
                    if ident_name(self.text(key)) == name {
                        return Step::Enter;
                    }
                }
                self.skip_element(false);
                if !self.next_element() {
                    return Step::Stop;
                }
            }
        }
        // Tuple-like: count the elements to recognise a wrapper.
        let mut look = *self;
        let mut count = 0usize;
        loop {
            look.skip_element(false);
            count += 1;
            if count > 1 || !look.next_element() {
                break;
            }
        }
        if count == 1 {
            return Step::LookThrough;
        }
        match seg {
            PathSeg::Index(index) => self.nth_element(*index),
            PathSeg::Field(_) => Step::Stop,
        }
    }

    /// Inside `[`.
    fn list_body(&mut self, seg: &PathSeg) -> Step {
        match seg {
            PathSeg::Index(index) => self.nth_element(*index),
            PathSeg::Field(_) => Step::Stop,
        }
    }

    /// Moves to element `index` of the sequence just entered.
    fn nth_element(&mut self, index: usize) -> Step {
        for _ in 0..index {
            if matches!(self.peek().kind, Kind::Close | Kind::Eof) {
                return Step::Stop;
            }
            self.skip_element(false);
            if !self.next_element() {
                return Step::Stop;
            }
        }
        if self.peek().kind.starts_value() {
            Step::Enter
        } else {
            Step::Stop
        }
    }

    /// Inside `{`.
    fn map_body(&mut self, seg: &PathSeg) -> Step {
        let index_text;
        let wanted: &str = match seg {
            PathSeg::Field(name) => name,
            PathSeg::Index(index) => {
                index_text = index.to_string();
                &index_text
            }
        };
        loop {
            let key = self.peek();
            if matches!(key.kind, Kind::Close | Kind::Eof) {
                return Step::Stop;
            }
            let mut look = *self;
            look.bump();
            if look.peek().kind == Kind::Colon && self.key_matches(key, wanted) {
                look.bump();
                *self = look;
                return Step::Enter;
            }
            self.skip_element(true);
            if self.peek().kind == Kind::Colon {
                self.bump();
                self.skip_element(false);
            }
            if !self.next_element() {
                return Step::Stop;
            }
        }
    }

    fn key_matches(&self, key: Token, wanted: &str) -> bool {
        let text = self.text(key);
        match key.kind {
            Kind::Ident => ident_name(text) == wanted,
            Kind::Number => text == wanted,
            Kind::Str | Kind::Char => unescape(quoted_body(text)).as_deref() == Some(wanted),
            Kind::RawStr => raw_body(text) == wanted,
            _ => false,
        }
    }
}

/// The name of an identifier token, without a raw `r#` prefix.
fn ident_name(text: &str) -> &str {
    text.strip_prefix("r#").unwrap_or(text)
}

/// The text between the quotes of `"…"`, `b"…"`, `'…'` or `b'…'` (the closing
/// quote may be missing in truncated text).
fn quoted_body(text: &str) -> &str {
    let text = text.strip_prefix('b').unwrap_or(text);
    let Some(quote) = text.chars().next() else {
        return "";
    };
    let body = &text[quote.len_utf8()..];
    body.strip_suffix(quote).unwrap_or(body)
}

/// The text between the delimiters of `r#"…"#` or `br#"…"#` (the closing
/// delimiter may be missing in truncated text).
fn raw_body(text: &str) -> &str {
    let text = text.strip_prefix('b').unwrap_or(text);
    let text = text.strip_prefix('r').unwrap_or(text);
    let hashes = text.len() - text.trim_start_matches('#').len();
    let Some(body) = text[hashes..].strip_prefix('"') else {
        return "";
    };
    let closing = format!("\"{}", "#".repeat(hashes));
    body.strip_suffix(closing.as_str()).unwrap_or(body)
}

/// Decodes the escapes of a RON string body; `None` on a malformed escape.
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{C}'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                let rest = chars.as_str();
                let (hex, after) = if let Some(braced) = rest.strip_prefix('{') {
                    let end = braced.find('}')?;
                    (&braced[..end], &braced[end + 1..])
                } else {
                    (rest.get(..4)?, &rest[4..])
                };
                out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                chars = after.chars();
            }
            '\n' | '\r' => {
                // Line continuation: skip the following whitespace.
                let rest = chars.as_str().trim_start_matches([' ', '\t', '\n', '\r']);
                chars = rest.chars();
            }
            other => out.push(other), // \" \\ \' and anything else verbatim
        }
    }
    Some(out)
}

/// The first token at or after byte `pos` (which must be a char boundary),
/// skipping whitespace and comments. Always makes progress unless at the end.
fn next_token(src: &str, mut pos: usize) -> Token {
    let bytes = src.as_bytes();
    let len = bytes.len();
    // Trivia.
    loop {
        let Some(rest) = src.get(pos..) else {
            return Token {
                kind: Kind::Eof,
                start: len,
                end: len,
            };
        };
        if let Some(c) = rest.chars().next().filter(|&c| is_ws(c)) {
            pos += c.len_utf8();
        } else if rest.starts_with("//") {
            pos = rest.find('\n').map_or(len, |i| pos + i + 1);
        } else if rest.starts_with("/*") {
            pos = skip_block_comment(bytes, pos + 2);
        } else {
            break;
        }
    }
    let start = pos;
    let rest = &src[pos..];
    let Some(c) = rest.chars().next() else {
        return Token {
            kind: Kind::Eof,
            start: len,
            end: len,
        };
    };
    let tok = |kind, end| Token { kind, start, end };
    let one = start + c.len_utf8();
    match c {
        '(' | '[' | '{' => tok(Kind::Open(c as u8), one),
        ')' | ']' | '}' => tok(Kind::Close, one),
        ':' => tok(Kind::Colon, one),
        ',' => tok(Kind::Comma, one),
        '#' => tok(Kind::Hash, one),
        '!' => tok(Kind::Bang, one),
        '"' => tok(Kind::Str, skip_quoted(bytes, one, b'"')),
        '\'' => tok(Kind::Char, skip_quoted(bytes, one, b'\'')),
        'b' if rest[1..].starts_with('"') => tok(Kind::Str, skip_quoted(bytes, start + 2, b'"')),
        'b' if rest[1..].starts_with('\'') => tok(Kind::Char, skip_quoted(bytes, start + 2, b'\'')),
        'b' if raw_string_hashes(&rest[1..]).is_some() => {
            tok(Kind::RawStr, skip_raw_string(src, start + 1))
        }
        'r' if raw_string_hashes(rest).is_some() => tok(Kind::RawStr, skip_raw_string(src, start)),
        'r' if rest[1..].starts_with('#')
            && rest[2..].chars().next().is_some_and(is_raw_ident_continue) =>
        {
            let end = start + 2 + char_run(&rest[2..], is_raw_ident_continue);
            tok(Kind::Ident, end)
        }
        c if is_ident_start(c) => tok(Kind::Ident, start + char_run(rest, is_ident_continue)),
        c if c.is_ascii_digit() => tok(Kind::Number, start + number_len(rest)),
        '+' | '-' | '.'
            if rest[1..]
                .chars()
                .next()
                .is_some_and(|d| d.is_ascii_digit() || is_ident_start(d)) =>
        {
            tok(Kind::Number, one + number_len(&rest[1..]))
        }
        _ => tok(Kind::Other, one),
    }
}

/// Byte length of the leading run of chars satisfying `pred`.
fn char_run(s: &str, pred: fn(char) -> bool) -> usize {
    s.char_indices()
        .find(|&(_, c)| !pred(c))
        .map_or(s.len(), |(i, _)| i)
}

/// Byte length of a number's body (after any sign): digits, letters, `_`,
/// `.`, and a sign right after an exponent `e`/`E` of a decimal number.
fn number_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let radix_prefix =
        bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'b' | b'o');
    let mut end = 0;
    while end < bytes.len() {
        let b = bytes[end];
        let ok = b.is_ascii_alphanumeric()
            || b == b'_'
            || b == b'.'
            || (matches!(b, b'+' | b'-')
                && !radix_prefix
                && end > 0
                && matches!(bytes[end - 1], b'e' | b'E'));
        if !ok {
            break;
        }
        end += 1;
    }
    end
}

/// End of a nested block comment whose body starts at `pos`.
fn skip_block_comment(bytes: &[u8], mut pos: usize) -> usize {
    let mut depth = 1usize;
    while pos < bytes.len() {
        match (bytes[pos], bytes.get(pos + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                pos += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                pos += 2;
                if depth == 0 {
                    return pos;
                }
            }
            _ => pos += 1,
        }
    }
    bytes.len()
}

/// End of a quoted literal whose body starts at `pos` (just after the opening
/// quote): just past the closing quote, or the end of text if unterminated.
/// Only ASCII bytes are compared, so the result is always a char boundary.
fn skip_quoted(bytes: &[u8], mut pos: usize, quote: u8) -> usize {
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => {
                pos += 1;
                // Skip the escaped character as a whole, if it is ASCII; a
                // non-ASCII one is skipped byte by byte below, harmlessly.
                if pos < bytes.len() && bytes[pos].is_ascii() {
                    pos += 1;
                }
            }
            b if b == quote => return pos + 1,
            _ => pos += 1,
        }
    }
    bytes.len()
}

/// If `s` starts a raw string (`r"`, `r#"`, `r##"` …), its number of hashes.
fn raw_string_hashes(s: &str) -> Option<usize> {
    let after_r = s.strip_prefix('r')?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    after_r[hashes..].starts_with('"').then_some(hashes)
}

/// End of a raw string starting with the `r` at `pos`.
fn skip_raw_string(src: &str, pos: usize) -> usize {
    let rest = &src[pos..];
    let hashes = raw_string_hashes(rest).unwrap_or(0);
    let body_start = pos + 1 + hashes + 1;
    let closing = format!("\"{}", "#".repeat(hashes));
    src.get(body_start..)
        .and_then(|body| body.find(&closing))
        .map_or(src.len(), |i| body_start + i + closing.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"// An M/M/c+M queue: one call type, one agent group, exponential times.
Scenario(
    name: "Single queue",
    horizon_h: 8.0,
    warmup_h: 0.5,
    replications: 20,
    seed: 1,
    service_level_s: 20.0,
    call_types: [
        CallType(
            name: "general",
            arrivals: Poisson(per_hour: 360.0),
            handle_time: Exponential(mean_s: 180.0),
            patience: Exponential(mean_s: 300.0),
        ),
    ],
    agent_groups: [
        AgentGroup(name: "team", count: 20, skills: ["general"]),
    ],
)
"#;

    /// Parses `a.b[0].c` (fields and indices only) into segments.
    fn p(text: &str) -> Vec<PathSeg> {
        let mut segs = Vec::new();
        for part in text.split('.').filter(|s| !s.is_empty()) {
            let (name, indices) = part.split_once('[').unwrap_or((part, ""));
            if !name.is_empty() {
                segs.push(PathSeg::Field(name.to_owned()));
            }
            for index in indices.split('[').filter(|s| !s.is_empty()) {
                segs.push(PathSeg::Index(index.trim_end_matches(']').parse().unwrap()));
            }
        }
        segs
    }

    #[allow(clippy::unnecessary_wraps)]
    fn at(line: usize, col: usize) -> Option<Position> {
        Some(Position { line, col })
    }

    /// Position of the `nth` occurrence of `needle`.
    #[allow(clippy::unnecessary_wraps)]
    fn find(src: &str, needle: &str, nth: usize) -> Option<Position> {
        let offset = src
            .match_indices(needle)
            .nth(nth)
            .expect("needle present")
            .0;
        Some(position_of_offset(src, offset))
    }

    #[test]
    fn sample_positions() {
        let s = SAMPLE;
        assert_eq!(locate(s, &[]), at(2, 1));
        assert_eq!(locate(s, &p("name")), at(3, 11));
        assert_eq!(locate(s, &p("horizon_h")), at(4, 16));
        assert_eq!(locate(s, &p("call_types")), at(9, 17));
        assert_eq!(locate(s, &p("call_types[0]")), at(10, 9));
        assert_eq!(locate(s, &p("call_types[0].name")), at(11, 19));
        assert_eq!(locate(s, &p("call_types[0].arrivals")), at(12, 23));
        assert_eq!(locate(s, &p("call_types[0].arrivals.per_hour")), at(12, 41));
        assert_eq!(
            locate(s, &p("call_types[0].handle_time.mean_s")),
            at(13, 46)
        );
        assert_eq!(locate(s, &p("call_types[0].patience")), at(14, 23));
        assert_eq!(locate(s, &p("call_types[0].patience.mean_s")), at(14, 43));
        assert_eq!(locate(s, &p("agent_groups[0]")), at(18, 9));
        assert_eq!(locate(s, &p("agent_groups[0].count")), at(18, 41));
        assert_eq!(locate(s, &p("agent_groups[0].skills")), at(18, 53));
        assert_eq!(locate(s, &p("agent_groups[0].skills[0]")), at(18, 54));
        // Cross-check the hard-coded numbers against the text itself.
        assert_eq!(
            locate(s, &p("call_types[0].arrivals.per_hour")),
            find(s, "360.0", 0)
        );
        assert_eq!(
            locate(s, &p("agent_groups[0].skills[0]")),
            find(s, "\"general\"]", 0)
        );
        assert_eq!(
            locate(s, &p("call_types[0].patience")),
            find(s, "Exponential(mean_s: 300", 0)
        );
    }

    #[test]
    fn path_runs_out() {
        let s = SAMPLE;
        // Missing field: the struct that lacks it.
        assert_eq!(locate(s, &p("call_types[0].routing")), at(10, 9));
        assert_eq!(locate(s, &p("call_types[0].routing.x[3]")), at(10, 9));
        assert_eq!(locate(s, &p("transfers")), at(2, 1));
        // Index past the end: the list.
        assert_eq!(locate(s, &p("call_types[3]")), at(9, 17));
        assert_eq!(locate(s, &p("call_types[1]")), at(9, 17));
        assert_eq!(locate(s, &p("agent_groups[0].skills[1]")), at(18, 53));
        // Field of a list, index of a struct, anything below a leaf.
        assert_eq!(locate(s, &p("call_types.name")), at(9, 17));
        assert_eq!(locate(s, &p("call_types[0][1]")), at(10, 9));
        assert_eq!(locate(s, &p("seed.x")), at(7, 11));
        assert_eq!(locate(s, &p("seed[0]")), at(7, 11));
        assert_eq!(locate(s, &p("name.x")), at(3, 11));
        // A field of an enum variant that is not there.
        assert_eq!(locate(s, &p("call_types[0].arrivals.mean_s")), at(12, 23));
    }

    #[test]
    fn unreadable_text() {
        assert_eq!(locate("", &[]), None);
        assert_eq!(locate("   \n\t", &p("a")), None);
        assert_eq!(
            locate("// only a comment\n/* and /* another */ */", &[]),
            None
        );
        assert_eq!(locate(")", &[]), None);
        assert_eq!(locate(": 3", &p("a")), None);
        assert_eq!(locate("#![enable(implicit_some)]", &[]), None);
        // A value with nothing readable inside is still found.
        assert_eq!(locate("Scenario(", &p("a.b")), at(1, 1));
        assert_eq!(locate("(a: )", &p("a")), at(1, 1));
        assert_eq!(locate("x: 3", &p("x")), at(1, 1));
    }

    /// Comments and literals full of brackets, colons and field names.
    const TRICKY: &str = r###"#![enable(implicit_some)]
/* header /* nested ( [ { */ still comment: per_hour: 1 ) */
Outer( // target: 9 (
    label: "per_hour", // a field name as a string value
    quote: "a \" ( [ b: c",
    raw: r#"raw ") ( [ target: 1 "#,
    raw2: r##"x"# ] ) "##,
    bytes: b"( [ {",
    chars: ['(', ')', '\'', '"', '[', ':'],
    nums: [-1.5e3, +2, 0x1F, 1_000, inf, -inf, NaN, 1e-3, .5],
    inner: Inner(per_hour: 1.0, deep: Deep(target: 5), target: 6),
    r#type: "raw identifier",
    patience: Some(Exponential(mean_s: 300.0)),
    ramp: Some(3.0),
    maybe: None,
    wrapped: Some(Some([10, 20, 30])),
    pair: (1, (2, 3)),
    range: Range(1.0, 2.0, ),
    policy: Fifo,
    rates: { "peak hours": 3, plain: 4, "esc\"aped": 5, 7: 8, r#"raw"#: 9, 'c': 10 },
    empty: (),
    target: 7,
)
"###;

    #[test]
    fn tricky_text() {
        let s = TRICKY;
        assert_eq!(locate(s, &[]), find(s, "Outer(", 0));
        assert_eq!(locate(s, &p("label")), find(s, "\"per_hour\"", 0));
        // `target` appears in comments, strings and nested structs first.
        assert_eq!(locate(s, &p("target")), find(s, "7,\n)", 0));
        assert_eq!(locate(s, &p("inner.target")), find(s, "6)", 0));
        assert_eq!(locate(s, &p("inner.deep.target")), find(s, "5)", 0));
        assert_eq!(locate(s, &p("inner.per_hour")), find(s, "1.0, deep", 0));
        // `per_hour` is only a nested field and a string: not at the top.
        assert_eq!(locate(s, &p("per_hour")), find(s, "Outer(", 0));
        assert_eq!(locate(s, &p("quote")), find(s, "\"a \\\"", 0));
        assert_eq!(locate(s, &p("raw")), find(s, "r#\"raw", 0));
        assert_eq!(locate(s, &p("raw2")), find(s, "r##", 0));
        assert_eq!(locate(s, &p("bytes")), find(s, "b\"(", 0));
        assert_eq!(locate(s, &p("chars[1]")), find(s, "')'", 0));
        assert_eq!(locate(s, &p("chars[2]")), find(s, "'\\''", 0));
        assert_eq!(locate(s, &p("chars[5]")), find(s, "':'", 0));
        assert_eq!(locate(s, &p("chars[6]")), find(s, "['('", 0));
        assert_eq!(locate(s, &p("nums[0]")), find(s, "-1.5e3", 0));
        assert_eq!(locate(s, &p("nums[1]")), find(s, "+2", 0));
        assert_eq!(locate(s, &p("nums[5]")), find(s, "-inf", 0));
        assert_eq!(locate(s, &p("nums[6]")), find(s, "NaN", 0));
        assert_eq!(locate(s, &p("nums[7]")), find(s, "1e-3", 0));
        assert_eq!(locate(s, &p("nums[8]")), find(s, ".5]", 0));
        assert_eq!(locate(s, &p("type")), find(s, "\"raw identifier\"", 0));
        // Looking through `Some(…)`.
        assert_eq!(locate(s, &p("patience")), find(s, "Some(Exponential", 0));
        assert_eq!(locate(s, &p("patience.mean_s")), find(s, "300.0", 0));
        assert_eq!(
            locate(s, &p("patience.shape")),
            find(s, "Exponential(mean_s: 300", 0)
        );
        assert_eq!(locate(s, &p("ramp")), find(s, "Some(3.0)", 0));
        assert_eq!(locate(s, &p("ramp.x")), find(s, "3.0)", 0));
        assert_eq!(locate(s, &p("maybe.x")), find(s, "None", 0));
        assert_eq!(locate(s, &p("wrapped[1]")), find(s, "20", 0));
        assert_eq!(locate(s, &p("wrapped[5]")), find(s, "[10", 0));
        // Tuples and tuple variants are indexed.
        assert_eq!(locate(s, &p("pair[1]")), find(s, "(2, 3)", 0));
        assert_eq!(locate(s, &p("pair[1][1]")), find(s, "3)),", 0));
        assert_eq!(locate(s, &p("pair.x")), find(s, "(1, (2", 0));
        assert_eq!(locate(s, &p("range[1]")), find(s, "2.0, )", 0));
        assert_eq!(locate(s, &p("range[2]")), find(s, "Range(", 0));
        assert_eq!(locate(s, &p("policy.x")), find(s, "Fifo", 0));
        assert_eq!(locate(s, &p("empty.x")), find(s, "()", 0));
        assert_eq!(locate(s, &p("empty[0]")), find(s, "()", 0));
        // Maps, by key text (quoted or not) or integer key.
        let rates = |key: &str| {
            let mut path = p("rates");
            path.push(PathSeg::Field(key.to_owned()));
            locate(s, &path)
        };
        assert_eq!(rates("peak hours"), find(s, "3, plain", 0));
        assert_eq!(rates("plain"), find(s, "4, ", 0));
        assert_eq!(rates("esc\"aped"), find(s, "5, 7", 0));
        assert_eq!(rates("7"), find(s, "8, r#", 0));
        assert_eq!(rates("raw"), find(s, "9, 'c'", 0));
        assert_eq!(rates("c"), find(s, "10 }", 0));
        assert_eq!(rates("nope"), find(s, "{ \"peak", 0));
        assert_eq!(locate(s, &p("rates[7]")), find(s, "8, r#", 0));
        assert_eq!(locate(s, &p("rates[8]")), find(s, "{ \"peak", 0));
    }

    #[test]
    fn tricky_text_is_valid_ron() {
        ron::from_str::<ron::Value>(TRICKY).expect("TRICKY parses");
        ron::from_str::<ron::Value>(SAMPLE).expect("SAMPLE parses");
    }

    #[test]
    fn crlf_and_bom() {
        let crlf = SAMPLE.replace('\n', "\r\n");
        let bom = format!("\u{FEFF}{SAMPLE}");
        let bom_first_line = "\u{FEFF}Scenario(seed: 3)";
        for path in [
            "",
            "name",
            "call_types[0].arrivals.per_hour",
            "agent_groups[0].skills[0]",
        ] {
            let want = locate(SAMPLE, &p(path));
            assert_eq!(locate(&crlf, &p(path)), want, "{path}");
            assert_eq!(locate(&bom, &p(path)), want, "{path}");
        }
        assert_eq!(locate(bom_first_line, &[]), at(1, 1));
        assert_eq!(locate(bom_first_line, &p("seed")), at(1, 16));
    }

    #[test]
    fn columns_count_chars() {
        let s = "(name: \"héllo → ✓\", /* ünïcødé */ x: 1)";
        assert_eq!(locate(s, &p("x")), at(1, 38));
        let offset = s.find("x:").unwrap() + 3;
        assert_eq!(locate_offset(s, &p("x")), Some(offset));
        assert_eq!(offset, 46, "bytes, not chars");
    }

    #[test]
    fn position_of_offset_edges() {
        let s = "ab\ncé\r\nx";
        assert_eq!(position_of_offset(s, 0), Position { line: 1, col: 1 });
        assert_eq!(position_of_offset(s, 2), Position { line: 1, col: 3 });
        assert_eq!(position_of_offset(s, 3), Position { line: 2, col: 1 });
        assert_eq!(position_of_offset(s, 4), Position { line: 2, col: 2 });
        // Inside `é`: back to its start.
        assert_eq!(position_of_offset(s, 5), Position { line: 2, col: 2 });
        assert_eq!(position_of_offset(s, 6), Position { line: 2, col: 3 });
        assert_eq!(position_of_offset(s, 8), Position { line: 3, col: 1 });
        assert_eq!(position_of_offset(s, 9), Position { line: 3, col: 2 });
        assert_eq!(position_of_offset(s, 1000), Position { line: 3, col: 2 });
        assert_eq!(position_of_offset("", 5), Position { line: 1, col: 1 });
        let bom = "\u{FEFF}ab";
        for offset in 0..=3 {
            assert_eq!(
                position_of_offset(bom, offset),
                Position { line: 1, col: 1 }
            );
        }
        assert_eq!(position_of_offset(bom, 4), Position { line: 1, col: 2 });
        assert_eq!(Position { line: 12, col: 41 }.to_string(), "12:41");
    }

    #[test]
    fn path_rendering_and_builder() {
        assert_eq!(path_to_string(&[]), "");
        assert_eq!(
            path_to_string(&p("call_types[0].arrivals.per_hour")),
            "call_types[0].arrivals.per_hour"
        );
        assert_eq!(
            path_to_string(&p("agent_groups[1].skills[2]")),
            "agent_groups[1].skills[2]"
        );
        assert_eq!(path_to_string(&[PathSeg::Index(3), "a".into()]), "[3].a");
        let rates = Path::root().field("rates").field("peak hours").field("x");
        assert_eq!(rates.to_string(), "rates[\"peak hours\"].x");

        let base = Path::root().field("call_types").index(0);
        let arrivals = base.field("arrivals").field("per_hour");
        assert_eq!(base.to_string(), "call_types[0]");
        assert_eq!(arrivals.to_string(), "call_types[0].arrivals.per_hour");
        assert_eq!(
            arrivals.segments(),
            p("call_types[0].arrivals.per_hour").as_slice()
        );
        assert_eq!(arrivals.locate(SAMPLE), at(12, 41));
        assert!(Path::root().is_root() && Path::default() == Path::root());
        let mut m = base.clone();
        m.push(PathSeg::Field("name".into()));
        assert_eq!(m.pop(), Some(PathSeg::Field("name".into())));
        assert_eq!(m, base);
        let collected: Path = p("a[1]").into_iter().collect();
        assert_eq!(collected, Path::from(p("a[1]")));
        assert_eq!(collected.into_segments(), p("a[1]"));
    }

    // --- Never panic -------------------------------------------------------

    const PATHS: &[&str] = &[
        "",
        "name",
        "call_types[0].arrivals.per_hour",
        "call_types[0].patience.mean_s",
        "agent_groups[0].skills[0]",
        "inner.deep.target",
        "rates.plain",
        "wrapped[2]",
        "target",
    ];

    fn exercise(src: &str) {
        for path in PATHS {
            if let Some(offset) = locate_offset(src, &p(path)) {
                assert!(offset <= src.len() && src.is_char_boundary(offset));
            }
            let _ = locate(src, &p(path));
        }
    }

    #[test]
    fn all_truncations_and_mutations() {
        let inserts = [
            "(", ")", "[", "]", "{", "}", "\"", "'", "/", "*", "/*", "//", ":", ",", "#", "r#",
            "r#\"", "b", "\\", "-", "é", "\u{FEFF}",
        ];
        for doc in [SAMPLE, TRICKY] {
            let boundaries: Vec<usize> = (0..=doc.len())
                .filter(|&i| doc.is_char_boundary(i))
                .collect();
            for &cut in &boundaries {
                exercise(&doc[..cut]);
                exercise(&doc[cut..]);
            }
            for w in boundaries.windows(2) {
                let deleted = format!("{}{}", &doc[..w[0]], &doc[w[1]..]);
                exercise(&deleted);
                for ins in inserts {
                    exercise(&format!("{}{ins}{}", &doc[..w[0]], &doc[w[0]..]));
                }
            }
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep_list = "[".repeat(200_000);
        let deep_some = "Some(".repeat(200_000) + "3";
        let long_path = vec![PathSeg::Index(0); 100_000];
        assert_eq!(locate(&deep_list, &long_path), at(1, 100_001));
        assert_eq!(locate(&deep_some, &p("a.b")), at(1, 1_000_001));
        assert_eq!(locate(&"/*".repeat(100_000), &[]), None);
    }

    mod props {
        use super::super::*;
        use super::exercise;
        use proptest::prelude::*;

        /// A generated RON value.
        #[derive(Debug, Clone)]
        enum G {
            Leaf(&'static str),
            Struct(Option<&'static str>, Vec<G>),
            Tuple(Option<&'static str>, Vec<G>),
            List(Vec<G>),
            Map(Vec<G>),
            Some(Box<G>),
        }

        const LEAVES: &[&str] = &[
            "360.0",
            "-1.5e3",
            "+2",
            "1e-3",
            "inf",
            "-inf",
            "NaN",
            "20",
            "0x1F",
            "1_000",
            "true",
            "Fifo",
            "None",
            "()",
            "\"general\"",
            "\"a \\\" ( [ b: c\"",
            "r#\"raw \") ( \"#",
            "r##\"x\"#y\"##",
            "'('",
            "'\\''",
            "'✓'",
            "b\"by ( tes\"",
            "\"héllo → ✓ (: \"",
        ];
        /// Field names as written, and as named in paths.
        const FIELDS: &[(&str, &str)] = &[
            ("name", "name"),
            ("per_hour", "per_hour"),
            ("r#type", "type"),
            ("mean_s", "mean_s"),
            ("skills", "skills"),
            ("target", "target"),
        ];
        const NAMES: &[&str] = &["Scenario", "CallType", "Poisson", "Range"];
        const TRIVIA: &[&str] = &[
            "",
            "",
            "",
            " ",
            "  ",
            "\n",
            "\r\n",
            "\t",
            " // c ( [ { \" : ,\n",
            "/* a /* ( [ */ ) : */",
            "/**/",
            "\n    ",
        ];

        fn map_key(i: usize) -> (String, PathSeg) {
            match i % 3 {
                0 => (
                    format!("\"k\\\"{i} (\""),
                    PathSeg::Field(format!("k\"{i} (")),
                ),
                1 => (format!("{i}"), PathSeg::Index(i)),
                _ => (format!("r#\"k{i}\"#"), PathSeg::Field(format!("k{i}"))),
            }
        }

        fn gen_value() -> impl Strategy<Value = G> {
            let leaf = proptest::sample::select(LEAVES).prop_map(G::Leaf);
            leaf.prop_recursive(5, 64, 6, |inner| {
                let name = proptest::option::of(proptest::sample::select(NAMES));
                prop_oneof![
                    (
                        name.clone(),
                        prop::collection::vec(inner.clone(), 1..=FIELDS.len())
                    )
                        .prop_map(|(n, v)| G::Struct(n, v)),
                    (name, prop::collection::vec(inner.clone(), 2..4))
                        .prop_map(|(n, v)| G::Tuple(n, v)),
                    prop::collection::vec(inner.clone(), 0..5).prop_map(G::List),
                    prop::collection::vec(inner.clone(), 0..4).prop_map(G::Map),
                    inner.prop_map(|g| G::Some(Box::new(g))),
                ]
            })
        }

        /// What `locate` must answer for one path.
        struct Expect {
            path: Vec<PathSeg>,
            offset: usize,
            /// Where a path that continues past this value must stop.
            deep: usize,
        }

        struct Emitter {
            out: String,
            rng: u64,
            expects: Vec<Expect>,
        }

        impl Emitter {
            fn next(&mut self) -> u64 {
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                self.rng
            }

            fn trivia(&mut self) {
                let i = usize::try_from(self.next() % TRIVIA.len() as u64).unwrap_or(0);
                self.out.push_str(TRIVIA[i]);
            }

            fn tok(&mut self, text: &str) {
                self.trivia();
                self.out.push_str(text);
            }

            fn sep(&mut self, i: usize, len: usize) {
                if i + 1 < len || self.next().is_multiple_of(2) {
                    self.tok(",");
                }
            }

            /// Emits `g`; returns its `deep` offset.
            fn emit(&mut self, g: &G, path: &mut Vec<PathSeg>, record: bool) -> usize {
                self.trivia();
                let start = self.out.len();
                let deep = match g {
                    G::Leaf(text) => {
                        self.out.push_str(text);
                        start
                    }
                    G::Struct(name, fields) | G::Tuple(name, fields) => {
                        if let Some(name) = name {
                            self.out.push_str(name);
                            self.tok("(");
                        } else {
                            self.out.push('(');
                        }
                        let is_struct = matches!(g, G::Struct(..));
                        for (i, f) in fields.iter().enumerate() {
                            if is_struct {
                                self.tok(FIELDS[i].0);
                                self.tok(":");
                                path.push(PathSeg::Field(FIELDS[i].1.to_owned()));
                            } else {
                                path.push(PathSeg::Index(i));
                            }
                            self.emit(f, path, true);
                            path.pop();
                            self.sep(i, fields.len());
                        }
                        self.tok(")");
                        start
                    }
                    G::List(items) => {
                        self.out.push('[');
                        for (i, item) in items.iter().enumerate() {
                            path.push(PathSeg::Index(i));
                            self.emit(item, path, true);
                            path.pop();
                            self.sep(i, items.len());
                        }
                        self.tok("]");
                        start
                    }
                    G::Map(values) => {
                        self.out.push('{');
                        for (i, value) in values.iter().enumerate() {
                            let (key, seg) = map_key(i);
                            self.tok(&key);
                            self.tok(":");
                            path.push(seg);
                            self.emit(value, path, true);
                            path.pop();
                            self.sep(i, values.len());
                        }
                        self.tok("}");
                        start
                    }
                    G::Some(inner) => {
                        self.out.push_str("Some");
                        self.tok("(");
                        let deep = self.emit(inner, path, false);
                        self.tok(")");
                        deep
                    }
                };
                if record {
                    self.expects.push(Expect {
                        path: path.clone(),
                        offset: start,
                        deep,
                    });
                }
                deep
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Generated documents (checked to be valid RON by ron itself)
            /// with random comments and line endings: every value is found
            /// where it was written, and paths that run out stop at the
            /// deepest existing value.
            #[test]
            fn finds_every_generated_value(g in gen_value(), seed in 1u64..) {
                let mut e = Emitter { out: String::new(), rng: seed, expects: Vec::new() };
                e.emit(&g, &mut Vec::new(), true);
                e.trivia();
                let src = e.out;
                prop_assert!(ron::from_str::<ron::Value>(&src).is_ok(), "invalid RON: {src}");
                for x in &e.expects {
                    prop_assert_eq!(locate_offset(&src, &x.path), Some(x.offset),
                        "path {} in {}", path_to_string(&x.path), src);
                    for extra in [PathSeg::Field("zz_missing".into()), PathSeg::Index(99)] {
                        let mut longer = x.path.clone();
                        longer.push(extra);
                        prop_assert_eq!(locate_offset(&src, &longer), Some(x.deep),
                            "path {} in {}", path_to_string(&longer), src);
                    }
                    prop_assert_eq!(locate(&src, &x.path), Some(position_of_offset(&src, x.offset)));
                }
            }

            /// Arbitrary text made of RON's significant characters.
            #[test]
            fn never_panics_on_noise(
                chars in prop::collection::vec(
                    proptest::sample::select(&[
                        '(', ')', '[', ']', '{', '}', '"', '\'', '/', '*', ':', ',', '#', '!',
                        'r', 'b', 'a', 'e', '1', '.', '-', '+', '\\', ' ', '\n', '\r', 'é',
                        '\u{FEFF}',
                    ][..]),
                    0..200,
                ),
                path in prop::collection::vec(
                    prop_oneof![
                        (0usize..3).prop_map(PathSeg::Index),
                        proptest::sample::select(&["a", "r", "b", "1"][..])
                            .prop_map(|s| PathSeg::Field(s.to_owned())),
                    ],
                    0..6,
                ),
            ) {
                let src: String = chars.into_iter().collect();
                exercise(&src);
                if let Some(offset) = locate_offset(&src, &path) {
                    prop_assert!(src.is_char_boundary(offset));
                }
            }

            /// Arbitrary Unicode text and byte offsets.
            #[test]
            fn never_panics_on_any_string(src in ".*", offset in 0usize..2000) {
                exercise(&src);
                let pos = position_of_offset(&src, offset);
                prop_assert!(pos.line >= 1 && pos.col >= 1);
            }
        }
    }
}
