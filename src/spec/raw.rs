//! The spec file as TOML says it, with the span of every value, before validation.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub pou: RawPou,
    pub scan: Option<RawScan>,
    #[serde(default)]
    pub assume: Vec<RawAssume>,
    #[serde(default)]
    pub property: Vec<RawProperty>,
    #[serde(default)]
    pub test: Vec<RawTest>,
    /// ST `TYPE … END_TYPE` declarations of the derived types the interface uses.
    pub types: Option<Spanned<String>>,
}

/// `Start = "BOOL"` or `StopNC = { type = "BOOL", init = "TRUE", doc = "…" }`, read as TOML
/// values (serde's untagged enums lose the spans inside them).
pub type Params = IndexMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawPou {
    pub name: Spanned<String>,
    pub kind: Spanned<String>,
    pub return_type: Option<Spanned<String>>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub inputs: Params,
    #[serde(default)]
    pub outputs: Params,
    #[serde(default)]
    pub in_outs: Params,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawScan {
    pub cycle: Spanned<String>,
    pub cycle_min: Option<Spanned<String>>,
    pub cycle_max: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawAssume {
    pub expr: Spanned<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawProperty {
    pub name: Spanned<String>,
    pub assert: Option<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    pub then: Option<Spanned<String>>,
    pub within: Option<Spanned<toml::Value>>,
    pub description: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default)]
    pub set: IndexMap<Spanned<String>, Spanned<RawValue>>,
    pub wait: Option<Spanned<String>>,
    pub at: Option<Spanned<String>>,
    #[serde(default)]
    pub expect: IndexMap<Spanned<String>, Spanned<RawValue>>,
}

/// A value of a test step with the span of every element and field inside it, so a mistake
/// deep in an array or structure is reported where it is written (`toml::Value` keeps no
/// spans, and serde's untagged enums lose them: hence a visitor of its own).
#[derive(Debug)]
pub enum RawValue {
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    Array(Vec<Spanned<RawValue>>),
    /// Field names, reported at their values.
    Table(IndexMap<String, Spanned<RawValue>>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawValueVisitor)
    }
}

struct RawValueVisitor;

impl<'de> serde::de::Visitor<'de> for RawValueVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a boolean, number, string, array or inline table")
    }

    fn visit_bool<E>(self, b: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<RawValue, E> {
        Ok(RawValue::Integer(i))
    }

    fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<RawValue, E> {
        i64::try_from(u)
            .map(RawValue::Integer)
            .map_err(|_| E::custom(format!("{u} is too large")))
    }

    fn visit_f64<E>(self, f: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<RawValue, E> {
        Ok(RawValue::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<RawValue, E> {
        Ok(RawValue::String(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
            items.push(item);
        }
        Ok(RawValue::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut fields = IndexMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Spanned<RawValue>>()?;
            fields.insert(key, value);
        }
        Ok(RawValue::Table(fields))
    }
}
