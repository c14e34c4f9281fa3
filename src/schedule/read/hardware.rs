//! Reading a schedule file's `hardware` back into [`HardwareOut`]: the
//! hardware's own keys ([`Hardware`]) and the word sizes after them, in
//! one JSON object.
//!
//! serde's `flatten` would split the object, but it buffers the entries,
//! so a flattened struct can neither refuse an unknown key nor say where a
//! bad value is. Instead the object's entries go one by one to
//! `Hardware`'s own reader, and the word sizes are taken out on the way:
//! every error is raised where the JSON reader stands, as a plain struct's
//! would be, and an unknown key names every key of the object.

use super::super::types::HardwareOut;
use crate::hw::Hardware;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};
use std::fmt;

/// The keys after the hardware's own, in [`HardwareOut`]'s order.
const WORD_KEYS: [&str; 4] = [
    "regf_words",
    "gbuf_words",
    "bus_width_words",
    "dram_bandwidth_words_per_cycle",
];

impl<'de> Deserialize<'de> for HardwareOut {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("HardwareOut", &WORD_KEYS, HardwareOutVisitor)
    }
}

/// The word sizes, as far as read.
#[derive(Default)]
struct Words {
    regf: Option<u64>,
    gbuf: Option<u64>,
    bus: Option<Option<u64>>,
    dram: Option<Option<f64>>,
}

impl Words {
    /// Reads the value of `WORD_KEYS[key]` from `map`; a key given twice
    /// is refused, as for the hardware's own keys.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: usize, map: &mut A) -> Result<(), A::Error> {
        fn once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
            slot: &mut Option<T>,
            key: &'static str,
            map: &mut A,
        ) -> Result<(), A::Error> {
            if slot.is_some() {
                return Err(de::Error::duplicate_field(key));
            }
            *slot = Some(map.next_value()?);
            Ok(())
        }
        match key {
            0 => once(&mut self.regf, WORD_KEYS[0], map),
            1 => once(&mut self.gbuf, WORD_KEYS[1], map),
            2 => once(&mut self.bus, WORD_KEYS[2], map),
            _ => once(&mut self.dram, WORD_KEYS[3], map),
        }
    }
}

/// A required word size, or the error a missing key gives.
fn required<T, E: de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(key))
}

struct HardwareOutVisitor;

impl<'de> Visitor<'de> for HardwareOutVisitor {
    type Value = HardwareOut;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct HardwareOut")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HardwareOut, A::Error> {
        let mut words = Words::default();
        let file = Hardware::deserialize(Entries {
            map: &mut map,
            words: &mut words,
            fields: &[],
        })?;
        // Like a plain struct's missing keys, `Option`s may be left out.
        Ok(HardwareOut {
            file,
            regf_words: required(words.regf, WORD_KEYS[0])?,
            gbuf_words: required(words.gbuf, WORD_KEYS[1])?,
            bus_width_words: words.bus.unwrap_or_default(),
            dram_bandwidth_words_per_cycle: words.dram.unwrap_or_default(),
        })
    }
}

/// The object's entries as `Hardware`'s reader sees them: the word sizes
/// taken out into `words`, the hardware's own keys passed on, any other
/// key refused. `fields` are the hardware's keys (what its reader asks
/// for).
struct Entries<'a, A> {
    map: &'a mut A,
    words: &'a mut Words,
    fields: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Entries<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(Entries { fields, ..self })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut seed = seed;
        loop {
            let fields = self.fields;
            match self.map.next_key_seed(KeyOf { fields, seed })? {
                None => return Ok(None),
                Some(Key::Own(key)) => return Ok(Some(key)),
                Some(Key::Word(i, unused)) => {
                    self.words.read(i, self.map)?;
                    seed = unused;
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A key of the object: one of the hardware's own, read by its reader's
/// `seed`, or a word size (the `seed` given back, unused).
enum Key<K, T> {
    Own(T),
    Word(usize, K),
}

/// Reads a key of the object. It is read inside the JSON reader's own key
/// step, so an unknown key is refused there: the error's path names the
/// key, as a plain struct's does.
struct KeyOf<K> {
    fields: &'static [&'static str],
    seed: K,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeyOf<K> {
    type Value = Key<K, K::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, K: DeserializeSeed<'de>> Visitor<'de> for KeyOf<K> {
    type Value = Key<K, K::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        if let Some(i) = WORD_KEYS.iter().position(|&k| k == key) {
            Ok(Key::Word(i, self.seed))
        } else if self.fields.contains(&key) {
            self.seed.deserialize(key.into_deserializer()).map(Key::Own)
        } else {
            Err(unknown(key, self.fields))
        }
    }
}

/// serde's message for an unknown key, naming every key of the object
/// (the hardware's `fields` and the word sizes), so that a did-you-mean
/// finds the word sizes too.
fn unknown<E: de::Error>(key: &str, fields: &[&str]) -> E {
    let expected: Vec<String> = fields
        .iter()
        .chain(&WORD_KEYS)
        .map(|k| format!("`{k}`"))
        .collect();
    E::custom(format_args!(
        "unknown field `{key}`, expected one of {}",
        expected.join(", ")
    ))
}
