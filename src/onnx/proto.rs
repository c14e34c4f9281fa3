//! The protobuf wire format, as far as ONNX files need it: a reader of
//! tagged fields (varint, 64-bit, length-delimited, 32-bit). Why our own:
//! an ONNX model is a handful of nested messages, and decoding the few
//! fields the importer reads takes less code than any protobuf crate's
//! generated types; it also keeps the front end free of build scripts.
//! Reference: the protobuf "Encoding" guide (wire types 0, 1, 2, 5).

use super::ImportError;

/// One field's payload, by wire type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wire<'a> {
    /// Wire type 0: integers, booleans, enums.
    Varint(u64),
    /// Wire type 1: `fixed64`, `double`.
    Fixed64(u64),
    /// Wire type 2: strings, bytes, messages, packed repeated scalars.
    Bytes(&'a [u8]),
    /// Wire type 5: `fixed32`, `float`.
    Fixed32(u32),
}

/// Reads the fields of one message, in file order. It knows where the
/// message sits in the file (its first byte's offset) and its field path
/// from the model (`graph.node[12].attribute[1]`), so that an error names
/// the byte of the file and the field it is in.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The offset in the file of `buf`'s first byte.
    base: usize,
    /// The message's field path from the model; empty for the model.
    path: String,
}

impl<'a> Reader<'a> {
    /// A reader over the bytes of a whole file's message (the model).
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
            path: String::new(),
        }
    }

    /// A reader over `field`, the payload of a field of this message
    /// (a slice of its bytes), named `name` in the field path
    /// (`node[12]`).
    pub(crate) fn nested(&self, field: &'a [u8], name: &str) -> Reader<'a> {
        // Why addresses: a field's payload is a slice of the message's
        // bytes, so its distance from their start is its offset inside.
        let inside = (field.as_ptr() as usize).saturating_sub(self.buf.as_ptr() as usize);
        Reader {
            buf: field,
            pos: 0,
            base: self.base + inside.min(self.buf.len()),
            path: if self.path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.path)
            },
        }
    }

    /// An error about the message at the reader's place: the byte of the
    /// file and the field path.
    pub(crate) fn malformed(&self, what: &str) -> ImportError {
        let within = if self.path.is_empty() {
            String::new()
        } else {
            format!(" (in {})", self.path)
        };
        ImportError::Malformed(format!(
            "{what} at byte {} of the file{within}",
            self.base + self.pos
        ))
    }

    fn varint(&mut self) -> Result<u64, ImportError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.malformed("truncated varint"));
            };
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.malformed("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ImportError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.malformed("field runs past the end"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next field: its number and payload; `None` at the end.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, Wire<'a>)>, ImportError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).map_err(|_| self.malformed("field number too big"))?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                let b = self.take(8)?;
                Wire::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            }
            2 => {
                let n = usize::try_from(self.varint()?)
                    .map_err(|_| self.malformed("length too big"))?;
                Wire::Bytes(self.take(n)?)
            }
            5 => {
                let b = self.take(4)?;
                Wire::Fixed32(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
            }
            t => return Err(self.malformed(&format!("unknown wire type {t}"))),
        };
        Ok(Some((number, wire)))
    }
}

/// A string field's text (ONNX strings are UTF-8; anything else is
/// replaced, as it only ever names things).
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Appends the integers of a repeated `int64` field `name` of the message
/// `at` reads, written either packed (one length-delimited run) or one
/// varint per element.
pub(crate) fn push_ints(
    at: &Reader<'_>,
    name: &str,
    out: &mut Vec<i64>,
    w: Wire<'_>,
) -> Result<(), ImportError> {
    match w {
        // Why the cast: protobuf's int64 is the varint's two's complement.
        Wire::Varint(v) => out.push(v as i64),
        Wire::Bytes(b) => {
            let mut r = at.nested(b, name);
            while r.pos < b.len() {
                out.push(r.varint()? as i64);
            }
        }
        _ => return Err(at.malformed(&format!("`{name}`: an int64 list with a wrong wire type"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_four_wire_types() {
        // field 1 varint 150; field 2 bytes "hi"; field 3 fixed32 1.0f;
        // field 4 fixed64 7.
        let mut buf = vec![0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d];
        buf.extend_from_slice(&1.0f32.to_le_bytes());
        buf.push(0x21);
        buf.extend_from_slice(&7u64.to_le_bytes());
        let mut r = Reader::new(&buf);
        assert_eq!(r.next_field().ok().flatten(), Some((1, Wire::Varint(150))));
        assert_eq!(r.next_field().ok().flatten(), Some((2, Wire::Bytes(b"hi"))));
        assert_eq!(
            r.next_field().ok().flatten(),
            Some((3, Wire::Fixed32(1.0f32.to_bits())))
        );
        assert_eq!(r.next_field().ok().flatten(), Some((4, Wire::Fixed64(7))));
        assert_eq!(r.next_field().ok().flatten(), None);
    }

    #[test]
    fn packed_and_unpacked_ints_agree_and_negatives_survive() {
        let packed = [
            0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        let at = Reader::new(&packed);
        let mut a = Vec::new();
        push_ints(&at, "ints", &mut a, Wire::Varint(3)).ok();
        push_ints(&at, "ints", &mut a, Wire::Varint(u64::MAX)).ok();
        let mut b = Vec::new();
        push_ints(&at, "ints", &mut b, Wire::Bytes(&packed)).ok();
        assert_eq!(a, vec![3, -1]);
        assert_eq!(a, b);
    }

    /// An error inside a nested message names the byte of the file, not
    /// of the message, and the field path.
    #[test]
    fn errors_give_the_offset_in_the_file_and_the_path() {
        // field 7 (5 bytes): field 1 (3 bytes): a varint cut short.
        let file = [0x08, 0x01, 0x3a, 0x05, 0x0a, 0x03, 0x08, 0x80, 0x80];
        let mut model = Reader::new(&file);
        assert_eq!(
            model.next_field().ok().flatten(),
            Some((1, Wire::Varint(1)))
        );
        let Ok(Some((7, Wire::Bytes(graph)))) = model.next_field() else {
            panic!("no field 7");
        };
        let mut graph = model.nested(graph, "graph");
        let Ok(Some((1, Wire::Bytes(node)))) = graph.next_field() else {
            panic!("no field 1");
        };
        let mut node = graph.nested(node, "node[0]");
        let Err(ImportError::Malformed(why)) = node.next_field() else {
            panic!("no error");
        };
        assert_eq!(
            why,
            "truncated varint at byte 9 of the file (in graph.node[0])"
        );
    }

    #[test]
    fn truncation_is_an_error_not_a_panic() {
        for buf in [&[0x08u8][..], &[0x12, 0x05, b'a'], &[0x1d, 0, 0], &[0x0b]] {
            let mut r = Reader::new(buf);
            assert!(r.next_field().is_err(), "{buf:?}");
        }
    }
}
