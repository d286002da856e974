//! The guarded reader: turns the bytes of a message into a small element tree, refusing
//! anything a declaration never needs and an attacker could use.
//!
//! Refused before anything is built: bytes that are not UTF-8, an encoding other than UTF-8,
//! any document type declaration (so no entity is ever declared, let alone expanded, and no
//! external resource is named), entity references other than the five predefined ones, nesting
//! deeper than `MAX_DEPTH`, more than `MAX_ELEMENTS` elements or `MAX_ITEMS` goods items, and
//! a root that is not a DEC-DMS declaration. The tree keeps, for every element, its local name,
//! whether it belongs to the DEC-DMS namespace, its place among same-named siblings, its
//! unprefixed attributes and its text.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;

use super::error::{Position, XmlError};
use super::{DEC_NAMESPACE, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_ITEMS, METADATA_NAMESPACE};

/// Elements that are always written with their index in a path, because our JSON numbers them:
/// goods items (`$.items[i]`) and their documents (`$.items[i].documents[j]`).
const ALWAYS_INDEXED: [&str; 2] = ["GovernmentAgencyGoodsItem", "AdditionalDocument"];

/// One element of the message.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Local name, without prefix.
    pub(crate) name: String,
    /// True when the element is in the DEC-DMS namespace; only those are ever read.
    pub(crate) dec: bool,
    /// Place among the siblings of the same name, from 1.
    pub(crate) index: usize,
    /// Byte offset of the start tag in the message as received.
    pub(crate) at: usize,
    /// Attributes without a prefix (`currencyID`, `unitCode`, `formatCode`), values unescaped.
    pub(crate) attrs: Vec<(String, String)>,
    /// Character data directly inside the element, references resolved.
    pub(crate) text: String,
    /// Child elements in document order.
    pub(crate) children: Vec<Node>,
}

impl Node {
    /// The first DEC-DMS child called `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.dec && c.name == name)
    }

    /// Every DEC-DMS child called `name`, in document order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.dec && c.name == name)
    }

    /// The element's text, trimmed; `None` when there is none.
    pub(crate) fn value(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// The trimmed text of the first child called `name`, if it has any.
    pub(crate) fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).and_then(Node::value)
    }

    /// The value of the unprefixed attribute `name`, trimmed.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
    }

    /// This element's step in a path: `Name`, or `Name[n]` when it is not the first of its
    /// name or is a goods item or document.
    pub(crate) fn step(&self) -> String {
        step(&self.name, self.index)
    }
}

/// The path step of the `index`-th element called `name` (a name longer than any of the
/// schema's is cut, so that a refusal does not repeat a huge one).
fn step(name: &str, index: usize) -> String {
    let name: String =
        if name.chars().count() > 64 { name.chars().take(63).chain(['…']).collect() } else { name.to_string() };
    if index > 1 || ALWAYS_INDEXED.contains(&name.as_str()) {
        format!("{name}[{index}]")
    } else {
        name
    }
}

/// The declaration element of a message and where the message is.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    /// The message as received (for positions).
    pub(crate) input: &'a [u8],
    /// The `Declaration` element.
    pub(crate) declaration: Node,
    /// Its path: `/Declaration`, or `/MetaData/Declaration` inside the envelope.
    pub(crate) path: String,
}

impl Tree<'_> {
    /// The position of a node's start tag.
    pub(crate) fn at(&self, node: &Node) -> Position {
        Position::at(self.input, node.at)
    }
}

/// Reads a message into its declaration element, applying every guard.
pub(crate) fn read(input: &[u8]) -> Result<Tree<'_>, XmlError> {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = input.get(bom..).unwrap_or_default();
    let text = std::str::from_utf8(body)
        .map_err(|e| XmlError::InvalidUtf8 { at: Position::at(input, bom + e.valid_up_to()) })?;
    let mut reader = Reader { input, bom, stack: Vec::new(), counts: Vec::new(), root: None, elements: 0, items: 0 };
    reader.run(text)?;
    let root = reader.root.ok_or_else(|| XmlError::Malformed {
        message: "the message holds no element".to_string(),
        path: "/".to_string(),
        at: Position::at(input, input.len()),
    })?;
    if root.name == "Declaration" {
        return Ok(Tree { input, declaration: root, path: "/Declaration".to_string() });
    }
    // The envelope: its first element called Declaration must be the DEC-DMS one.
    let at = Position::at(input, root.at);
    let Some(position) = root.children.iter().position(|c| c.name == "Declaration") else {
        return Err(XmlError::WrongRoot { found: "MetaData without a Declaration element".to_string(), at });
    };
    let mut children = root.children;
    let declaration = children.swap_remove(position);
    if !declaration.dec {
        return Err(XmlError::WrongNamespace {
            found: String::new(),
            path: format!("/MetaData/{}", declaration.step()),
            at: Position::at(input, declaration.at),
        });
    }
    Ok(Tree { input, declaration, path: "/MetaData/Declaration".to_string() })
}

/// The state of one reading.
struct Reader<'a> {
    input: &'a [u8],
    /// Length of a byte-order mark skipped before the text.
    bom: usize,
    /// Open elements, outermost first.
    stack: Vec<Node>,
    /// For each open element, how many children of each name it has had so far (kept apart
    /// from the children so that numbering a child costs the same however many came before).
    counts: Vec<HashMap<String, usize>>,
    /// The root element once closed.
    root: Option<Node>,
    elements: usize,
    items: usize,
}

impl Reader<'_> {
    fn run(&mut self, text: &str) -> Result<(), XmlError> {
        let mut xml = NsReader::from_str(text);
        xml.resolver_mut().set_max_declarations_per_element(MAX_ATTRIBUTES);
        xml.config_mut().check_end_names = true;
        xml.config_mut().expand_empty_elements = false;
        loop {
            let start = self.bom + usize::try_from(xml.buffer_position()).unwrap_or(usize::MAX);
            let (ns, event) = match xml.read_resolved_event() {
                Ok((ns, event)) => (namespace(&ns), event),
                Err(quick_xml::Error::Namespace(quick_xml::name::NamespaceError::TooManyDeclarations(_))) => {
                    // The element is refused before its name is known: name where it starts.
                    let path = format!("{}/*", self.path_str());
                    return Err(XmlError::TooManyAttributes { limit: MAX_ATTRIBUTES, path, at: self.pos(start) });
                }
                Err(e) => {
                    let at = self.bom + usize::try_from(xml.error_position()).unwrap_or(usize::MAX);
                    return Err(self.malformed(e.to_string(), at));
                }
            };
            match event {
                Event::Decl(decl) => self.declaration(&decl, start)?,
                Event::DocType(_) => return Err(XmlError::Doctype { at: self.pos(start) }),
                Event::Start(e) => self.open(&e, ns, start)?,
                Event::Empty(e) => {
                    self.open(&e, ns, start)?;
                    self.close(start)?;
                }
                Event::End(_) => self.close(start)?,
                Event::Text(t) => {
                    let t = t.xml10_content().map_err(|e| self.malformed(e.to_string(), start))?;
                    self.text(&t, start)?;
                }
                Event::CData(c) => {
                    let t = c.decode().map_err(|e| self.malformed(e.to_string(), start))?;
                    self.text(&t, start)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            _ => return Err(self.malformed("a character reference names no character", start)),
                        }
                    } else {
                        let name = r.decode().map_err(|e| self.malformed(e.to_string(), start))?;
                        match predefined(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(XmlError::UndefinedEntity {
                                    name: name.chars().take(40).collect(),
                                    path: self.path(),
                                    at: self.pos(start),
                                })
                            }
                        }
                    };
                    self.text(&resolved, start)?;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(open) = self.stack.last() {
            let message = format!("the element {} is not closed", open.name);
            return Err(self.malformed(message, self.input.len()));
        }
        Ok(())
    }

    /// Only UTF-8 may be declared, and the declaration must come first.
    fn declaration(&self, decl: &quick_xml::events::BytesDecl<'_>, start: usize) -> Result<(), XmlError> {
        if !self.stack.is_empty() || self.root.is_some() {
            return Err(self.malformed("an XML declaration may only open the message", start));
        }
        match decl.encoding() {
            None => Ok(()),
            Some(Ok(enc)) if enc.eq_ignore_ascii_case(b"utf-8") || enc.eq_ignore_ascii_case(b"utf8") => Ok(()),
            Some(Ok(enc)) => Err(XmlError::UnsupportedEncoding {
                encoding: String::from_utf8_lossy(&enc).chars().take(40).collect(),
                at: self.pos(start),
            }),
            Some(Err(e)) => Err(self.malformed(e.to_string(), start)),
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, ns: Ns, start: usize) -> Result<(), XmlError> {
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let index = self.counts.last().and_then(|c| c.get(&name)).map_or(1, |n| n + 1);
        if self.stack.len() >= MAX_DEPTH {
            return Err(XmlError::TooDeep {
                limit: MAX_DEPTH,
                path: self.child_path(&name, index),
                at: self.pos(start),
            });
        }
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(XmlError::TooManyElements {
                limit: MAX_ELEMENTS,
                path: self.child_path(&name, index),
                at: self.pos(start),
            });
        }
        let dec = match ns {
            Ns::Bound(ref uri) => uri == DEC_NAMESPACE,
            Ns::None => false,
            Ns::UnknownPrefix(ref prefix) => {
                let message = format!("the prefix {prefix:?} of element {name} is not declared");
                return Err(self.malformed(message, start));
            }
        };
        match self.stack.last() {
            None if self.root.is_some() => {
                return Err(self.malformed("a second root element follows the first", start));
            }
            None => self.check_root(&name, &ns, start)?,
            Some(parent) => {
                if dec && name == "GovernmentAgencyGoodsItem" && parent.name == "GoodsShipment" {
                    self.items += 1;
                    if self.items > MAX_ITEMS {
                        return Err(XmlError::TooManyItems {
                            limit: MAX_ITEMS,
                            path: self.child_path(&name, index),
                            at: self.pos(start),
                        });
                    }
                }
            }
        }
        let mut attrs = Vec::new();
        for (n, attr) in e.attributes().enumerate() {
            if n >= MAX_ATTRIBUTES {
                return Err(XmlError::TooManyAttributes {
                    limit: MAX_ATTRIBUTES,
                    path: self.child_path(&name, index),
                    at: self.pos(start),
                });
            }
            let attr = attr.map_err(|err| self.malformed(err.to_string(), start))?;
            let key = attr.key;
            if key.as_namespace_binding().is_some() || key.prefix().is_some() {
                continue;
            }
            let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|err| match err {
                quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, entity)) => {
                    XmlError::UndefinedEntity {
                        name: entity.chars().take(40).collect(),
                        path: self.child_path(&name, index),
                        at: self.pos(start),
                    }
                }
                other => self.malformed(other.to_string(), start),
            })?;
            attrs.push((String::from_utf8_lossy(key.local_name().as_ref()).into_owned(), value.into_owned()));
        }
        if let Some(counts) = self.counts.last_mut() {
            counts.insert(name.clone(), index);
        }
        self.counts.push(HashMap::new());
        self.stack.push(Node { name, dec, index, at: start, attrs, ..Node::default() });
        Ok(())
    }

    /// The root must be a DEC-DMS `Declaration` or the metadata envelope.
    fn check_root(&self, name: &str, ns: &Ns, start: usize) -> Result<(), XmlError> {
        let uri = match ns {
            Ns::Bound(uri) => uri.as_str(),
            _ => "",
        };
        match (name, uri) {
            ("Declaration", DEC_NAMESPACE) | ("MetaData", METADATA_NAMESPACE) => Ok(()),
            ("Declaration", other) => Err(XmlError::WrongNamespace {
                found: other.chars().take(100).collect(),
                path: "/Declaration".to_string(),
                at: self.pos(start),
            }),
            (other, "") => Err(XmlError::WrongRoot { found: other.chars().take(60).collect(), at: self.pos(start) }),
            (other, uri) => Err(XmlError::WrongRoot {
                found: format!(
                    "{} of namespace {}",
                    other.chars().take(60).collect::<String>(),
                    uri.chars().take(100).collect::<String>()
                ),
                at: self.pos(start),
            }),
        }
    }

    fn close(&mut self, start: usize) -> Result<(), XmlError> {
        let node = self.stack.pop().ok_or_else(|| self.malformed("an end tag closes no element", start))?;
        self.counts.pop();
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => self.root = Some(node),
        }
        Ok(())
    }

    fn text(&mut self, text: &str, start: usize) -> Result<(), XmlError> {
        match self.stack.last_mut() {
            Some(node) => {
                node.text.push_str(text);
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(self.malformed("text outside the root element", start)),
        }
    }

    /// The path of a new child of the innermost open element.
    fn child_path(&self, name: &str, index: usize) -> String {
        format!("{}/{}", self.path_str(), step(name, index))
    }

    fn pos(&self, offset: usize) -> Position {
        Position::at(self.input, offset)
    }

    fn path_str(&self) -> String {
        self.stack.iter().map(|n| format!("/{}", n.step())).collect()
    }

    fn path(&self) -> String {
        let p = self.path_str();
        if p.is_empty() {
            "/".to_string()
        } else {
            p
        }
    }

    /// A well-formedness refusal; the reader's message is cut, since it may quote the input.
    fn malformed(&self, message: impl Into<String>, offset: usize) -> XmlError {
        let message: String = message.into().chars().take(200).collect();
        XmlError::Malformed { message, path: self.path(), at: self.pos(offset) }
    }
}

/// An element's namespace, owned so that the reader can go on.
enum Ns {
    Bound(String),
    None,
    UnknownPrefix(String),
}

fn namespace(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(uri) => Ns::Bound(String::from_utf8_lossy(uri.as_ref()).into_owned()),
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(prefix) => Ns::UnknownPrefix(String::from_utf8_lossy(prefix).chars().take(40).collect()),
    }
}

/// The replacement text of the five entities every XML document knows.
fn predefined(name: &str) -> Option<&'static str> {
    match name {
        "lt" => Some("<"),
        "gt" => Some(">"),
        "amp" => Some("&"),
        "quot" => Some("\""),
        "apos" => Some("'"),
        _ => None,
    }
}
