//! A small XML well-formedness checker for the report's tests (no
//! dependency): balanced tags, quoted and unique attributes, only the
//! five predefined entities and character references, no `<` or `&` loose
//! in text. It returns the element tree, so tests can look inside.

/// An element: its name, attributes in order, child elements and text.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every element below (and including) this one, depth first.
    pub(crate) fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.descendants());
        }
        out
    }

    /// Descendants named `name` whose `class` attribute is `class`.
    pub(crate) fn find<'a>(&'a self, name: &str, class: &str) -> Vec<&'a Element> {
        self.descendants()
            .into_iter()
            .filter(|e| e.name == name && e.attr("class") == Some(class))
            .collect()
    }

    /// The text of the first `<title>` child.
    pub(crate) fn title(&self) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == "title")
            .map(|c| c.text.as_str())
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

/// Decodes the entities of `s`, or says which one is invalid.
fn decode(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find(';')
            .ok_or_else(|| format!("unterminated entity in {s:?}"))?;
        let name = &rest[i + 1..i + end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(h) = name.strip_prefix("#x") {
                    u32::from_str_radix(h, 16).ok()
                } else if let Some(d) = name.strip_prefix('#') {
                    d.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid entity &{name}; in {s:?}"))?
            }
        };
        out.push(c);
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `doc` (a leading `<!DOCTYPE ...>` allowed) into its root
/// element, or says where it is not well-formed.
pub(crate) fn parse(doc: &str) -> Result<Element, String> {
    let mut s = doc.trim_start();
    if s.starts_with("<!DOCTYPE") {
        let end = s.find('>').ok_or("unterminated doctype")?;
        s = &s[end + 1..];
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut pos = 0;
    let bytes = s;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unterminated end tag")?;
            let name = after[..end].trim();
            let open = stack
                .pop()
                .ok_or_else(|| format!("end tag </{name}> with nothing open"))?;
            if open.name != name {
                return Err(format!("</{name}> closes <{}>", open.name));
            }
            match stack.last_mut() {
                Some(parent) => parent.children.push(open),
                None if root.is_none() => root = Some(open),
                None => return Err("two root elements".into()),
            }
            pos += 2 + end + 1;
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unterminated start tag")?;
            let mut inner = &after[..end];
            let empty = inner.ends_with('/');
            if empty {
                inner = &inner[..inner.len() - 1];
            }
            let name_len = inner
                .find(|c: char| !is_name_char(c))
                .unwrap_or(inner.len());
            let name = &inner[..name_len];
            if name.is_empty() {
                return Err(format!("bad tag <{inner}>"));
            }
            let mut el = Element {
                name: name.to_owned(),
                attrs: Vec::new(),
                children: Vec::new(),
                text: String::new(),
            };
            let mut a = inner[name_len..].trim_start();
            while !a.is_empty() {
                let eq = a
                    .find('=')
                    .ok_or_else(|| format!("attribute without value in <{name} {a}>"))?;
                let an = a[..eq].trim();
                if an.is_empty() || !an.chars().all(is_name_char) {
                    return Err(format!("bad attribute name {an:?} in <{name}>"));
                }
                let v = a[eq + 1..].trim_start();
                let q = v.chars().next().filter(|c| *c == '"' || *c == '\'');
                let q = q.ok_or_else(|| format!("unquoted attribute {an} in <{name}>"))?;
                let close = v[1..]
                    .find(q)
                    .ok_or_else(|| format!("unterminated attribute {an} in <{name}>"))?;
                let raw = &v[1..1 + close];
                if raw.contains('<') {
                    return Err(format!("`<` in attribute {an} of <{name}>"));
                }
                if el.attrs.iter().any(|(n, _)| n == an) {
                    return Err(format!("attribute {an} twice in <{name}>"));
                }
                el.attrs.push((an.to_owned(), decode(raw)?));
                a = v[1 + close + 1..].trim_start();
            }
            if empty {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Err("an empty root element".into()),
                }
            } else {
                stack.push(el);
            }
            pos += 1 + end + 1;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if text.contains('>') && stack.last().is_none_or(|e| e.name != "style") {
                return Err(format!("`>` loose in text {text:?}"));
            }
            match stack.last_mut() {
                Some(e) => e.text.push_str(&decode(text)?),
                None if text.trim().is_empty() => {}
                None => return Err(format!("text outside the root: {text:?}")),
            }
            pos += end;
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no root element".into())
}

#[test]
fn the_checker_catches_what_it_should() {
    assert!(parse("<a x=\"1\"><b/>t &amp; u</a>").is_ok());
    assert!(parse("<a><b></a>").is_err(), "unbalanced");
    assert!(parse("<a x=1></a>").is_err(), "unquoted");
    assert!(parse("<a x=\"1\" x=\"2\"></a>").is_err(), "twice");
    assert!(parse("<a>&nbsp;</a>").is_err(), "not an XML entity");
    assert!(parse("<a>x & y</a>").is_err(), "loose &");
    assert!(parse("<a></a><b></b>").is_err(), "two roots");
    assert!(parse("<a>").is_err(), "never closed");
    let e = parse("<!DOCTYPE html>\n<a><b c=\"&lt;&#39;\">x</b></a>").unwrap();
    assert_eq!(e.children[0].attr("c"), Some("<'"));
}
