//! The part of Go's `encoding/gob` wire format that Hydra's session cookie uses: one
//! `map[interface{}]interface{}` (gorilla/sessions' `Values`) whose entries Oxydra reads when
//! both key and value are strings. Anything else in the stream — another top-level type, a
//! custom registered type, a malformed count — makes the whole value unreadable (`None`); a
//! non-string entry is skipped by its byte count, as gob frames every interface value.
//!
//! Wire facts (gob's package documentation): a stream is messages `uint(len) int(type id)
//! body`; a negative id defines a type (a `wireType` struct), a positive one carries a value.
//! Unsigned integers below 128 are one byte, larger ones a negated byte count then big-endian
//! bytes; a signed integer is its unsigned zig-zag form (`i << 1`, complemented when negative).
//! Structs are field-number deltas ending with 0; a non-struct top-level value is preceded by
//! a 0 delta. An interface value is `string(concrete type name)`, `int(type id)`, `uint(byte
//! count)`, then the value encoded as a top-level value.

use std::collections::BTreeMap;

/// gob's predeclared type id of `string`.
const STRING_ID: i64 = 6;
/// gob's predeclared type id of `interface{}`.
const INTERFACE_ID: i64 = 8;
/// The first id gob gives a user type (ids below it are predeclared).
const FIRST_USER_ID: i64 = 65;
/// The field of `wireType` that holds a map type: `ArrayT, SliceT, StructT, MapT`.
const WIRE_TYPE_MAP_FIELD: u64 = 3;
/// More entries than a session cookie (at most 4 KiB) could hold are refused outright.
const MAX_ENTRIES: u64 = 256;

/// The string entries of a gob-encoded `map[interface{}]interface{}`, or `None` when `bytes`
/// is not exactly one such map.
pub fn decode_string_map(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut stream = Reader::new(bytes);
    let mut map_type = None;
    while !stream.is_empty() {
        let len = usize::try_from(stream.uint()?).ok()?;
        let mut message = Reader::new(stream.take(len)?);
        let id = message.int()?;
        if id < 0 {
            // A type definition; only the interface map is understood.
            if map_type.is_some() || !defines_interface_map(&mut message)? || !message.is_empty() {
                return None;
            }
            map_type = Some(-id);
            continue;
        }
        if Some(id) != map_type || !stream.is_empty() {
            return None;
        }
        let entries = map_value(&mut message)?;
        return message.is_empty().then_some(entries);
    }
    None
}

/// A one-map gob stream of `entries`, byte for byte as Go's encoder writes it (the map's
/// iteration order aside). Builds Hydra-shaped cookies for tests and fixtures.
pub fn encode_string_map(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut definition = Vec::new();
    put_int(&mut definition, -FIRST_USER_ID);
    // wireType{MapT: &mapType{CommonType{Id: 65}, Key: 8, Elem: 8}}
    put_uint(&mut definition, WIRE_TYPE_MAP_FIELD + 1);
    put_uint(&mut definition, 1); // mapType.CommonType
    put_uint(&mut definition, 2); // CommonType.Id (Name is empty: left out)
    put_int(&mut definition, FIRST_USER_ID);
    put_uint(&mut definition, 0);
    put_uint(&mut definition, 1); // mapType.Key
    put_int(&mut definition, INTERFACE_ID);
    put_uint(&mut definition, 1); // mapType.Elem
    put_int(&mut definition, INTERFACE_ID);
    put_uint(&mut definition, 0);
    put_uint(&mut definition, 0);

    let mut value = Vec::new();
    put_int(&mut value, FIRST_USER_ID);
    put_uint(&mut value, 0);
    put_uint(&mut value, entries.len() as u64);
    for (key, val) in entries {
        put_interface_string(&mut value, key);
        put_interface_string(&mut value, val);
    }

    let mut out = Vec::new();
    for message in [definition, value] {
        put_uint(&mut out, message.len() as u64);
        out.extend_from_slice(&message);
    }
    out
}

/// Reads a `wireType` body; true when it is `MapT` with interface keys and values.
fn defines_interface_map(r: &mut Reader<'_>) -> Option<bool> {
    if r.uint()? != WIRE_TYPE_MAP_FIELD + 1 {
        return Some(false);
    }
    let (mut key, mut elem) = (None, None);
    let mut field: u64 = 0;
    let mut first = true;
    loop {
        let delta = r.uint()?;
        if delta == 0 {
            break;
        }
        field = if first { delta - 1 } else { field + delta };
        first = false;
        match field {
            0 => skip_common_type(r)?,
            1 => key = Some(r.int()?),
            2 => elem = Some(r.int()?),
            _ => return None,
        }
    }
    // The end of wireType.
    if r.uint()? != 0 {
        return None;
    }
    Some(key == Some(INTERFACE_ID) && elem == Some(INTERFACE_ID))
}

/// Skips a `CommonType{Name string; Id int}` struct.
fn skip_common_type(r: &mut Reader<'_>) -> Option<()> {
    let mut field: i64 = -1;
    loop {
        let delta = r.uint()?;
        if delta == 0 {
            return Some(());
        }
        field = field.checked_add(i64::try_from(delta).ok()?)?;
        match field {
            0 => {
                r.string()?;
            }
            1 => {
                r.int()?;
            }
            _ => return None,
        }
    }
}

/// The map value after its type id: a 0 delta, the count, then key/value interface pairs.
fn map_value(r: &mut Reader<'_>) -> Option<BTreeMap<String, String>> {
    if r.uint()? != 0 {
        return None;
    }
    let count = r.uint()?;
    if count > MAX_ENTRIES {
        return None;
    }
    let mut entries = BTreeMap::new();
    for _ in 0..count {
        let key = interface_string(r)?;
        let value = interface_string(r)?;
        if let (Some(key), Some(value)) = (key, value) {
            entries.insert(key, value);
        }
    }
    Some(entries)
}

/// One interface value: `Some(Some(s))` for a string, `Some(None)` for nil or a predeclared
/// non-string type (skipped by its byte count), `None` for a malformed value or a user type.
fn interface_string(r: &mut Reader<'_>) -> Option<Option<String>> {
    let name = r.string()?;
    if name.is_empty() {
        return Some(None);
    }
    let id = r.int()?;
    if !(1..FIRST_USER_ID).contains(&id) {
        return None;
    }
    let len = usize::try_from(r.uint()?).ok()?;
    let mut body = Reader::new(r.take(len)?);
    if id != STRING_ID {
        return Some(None);
    }
    if body.uint()? != 0 {
        return None;
    }
    let text = body.string()?;
    body.is_empty().then_some(Some(text))
}

fn put_interface_string(out: &mut Vec<u8>, text: &str) {
    put_bytes(out, b"string");
    put_int(out, STRING_ID);
    let mut body = Vec::new();
    put_uint(&mut body, 0);
    put_bytes(&mut body, text.as_bytes());
    put_uint(out, body.len() as u64);
    out.extend_from_slice(&body);
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_uint(out: &mut Vec<u8>, n: u64) {
    if n < 0x80 {
        out.push(n as u8);
        return;
    }
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push((-((8 - skip) as i8)) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn put_int(out: &mut Vec<u8>, i: i64) {
    let u = if i < 0 {
        !((i as u64) << 1)
    } else {
        (i as u64) << 1
    };
    put_uint(out, u);
}

/// A cursor over gob bytes; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    fn uint(&mut self) -> Option<u64> {
        let first = *self.take(1)?.first()?;
        if first < 0x80 {
            return Some(u64::from(first));
        }
        let len = usize::from(first.wrapping_neg());
        if len > 8 {
            return None;
        }
        let bytes = self.take(len)?;
        Some(bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
    }

    fn int(&mut self) -> Option<i64> {
        let u = self.uint()?;
        let magnitude = (u >> 1) as i64;
        Some(if u & 1 == 1 { !magnitude } else { magnitude })
    }

    fn string(&mut self) -> Option<String> {
        let len = usize::try_from(self.uint()?).ok()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by Go 1.19 (`fixtures/hydra_session_cookie.go`)'s `encoding/gob` (`gob.NewEncoder(buf).Encode(m)` with `m` a
    /// `map[interface{}]interface{}`), as gorilla/sessions serializes a session's values.
    const GO_SID: &str = "0eff81040102ff820001100110000041ff82000106737472696e670c05000373696406737472696e670c26002435613264386534632d316630622d346333652d396437612d326236663165386339613031";
    /// `{"sid": ""}`: the cookie after Hydra's logout.
    const GO_EMPTY_SID: &str = "0eff81040102ff82000110011000001dff82000106737472696e670c05000373696406737472696e670c020000";
    /// `{"n": 7, "sid": "abc"}`: an int value beside the string.
    const GO_MIXED: &str = "0eff81040102ff820001100110000034ff82000206737472696e670c0300016e03696e740402000e06737472696e670c05000373696406737472696e670c050003616263";
    /// `{1: "abc"}`: an int key.
    const GO_INT_KEY: &str =
        "0eff81040102ff82000110011000001aff82000103696e740402000206737472696e670c050003616263";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_what_go_wrote() {
        let sid = "5a2d8e4c-1f0b-4c3e-9d7a-2b6f1e8c9a01";
        assert_eq!(decode_string_map(&hex(GO_SID)), Some(map(&[("sid", sid)])));
        assert_eq!(
            decode_string_map(&hex(GO_EMPTY_SID)),
            Some(map(&[("sid", "")]))
        );
        assert_eq!(
            decode_string_map(&hex(GO_MIXED)),
            Some(map(&[("sid", "abc")]))
        );
        assert_eq!(decode_string_map(&hex(GO_INT_KEY)), Some(map(&[])));
    }

    #[test]
    fn writes_what_go_writes() {
        assert_eq!(
            encode_string_map(&[("sid", "5a2d8e4c-1f0b-4c3e-9d7a-2b6f1e8c9a01")]),
            hex(GO_SID)
        );
        assert_eq!(encode_string_map(&[("sid", "")]), hex(GO_EMPTY_SID));
        let long = "x".repeat(300);
        assert_eq!(
            decode_string_map(&encode_string_map(&[("sid", &long)])),
            Some(map(&[("sid", &long)]))
        );
    }

    #[test]
    fn every_truncation_and_trailing_byte_is_refused_without_panicking() {
        let whole = hex(GO_MIXED);
        for end in 0..whole.len() {
            assert_eq!(
                decode_string_map(&whole[..end]),
                None,
                "prefix of {end} bytes"
            );
        }
        let mut longer = whole.clone();
        longer.push(0);
        assert_eq!(decode_string_map(&longer), None);
        // Every single-byte change either still parses or is refused: never a panic.
        for i in 0..whole.len() {
            for b in [0x00, 0x7f, 0x80, 0xf7, 0xff] {
                let mut changed = whole.clone();
                changed[i] = b;
                let _ = decode_string_map(&changed);
            }
        }
    }

    #[test]
    fn other_types_are_refused() {
        // A map of string to string is a different type: keys are not interfaces.
        let mut stream = hex(GO_SID);
        // Key type id 8 (interface) -> 6 (string) in the definition (bytes 9 and 10 hold
        // the Key field's delta and id).
        assert_eq!(stream[10], 0x10);
        stream[10] = 0x0c;
        assert_eq!(decode_string_map(&stream), None);
        // A value message for an undefined type.
        assert_eq!(decode_string_map(&hex("0403ff8200")), None);
        assert_eq!(decode_string_map(&[]), None);
    }
}
