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
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    pub name: Spanned<String>,
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default)]
    pub set: IndexMap<Spanned<String>, Spanned<toml::Value>>,
    pub wait: Option<Spanned<String>>,
    #[serde(default)]
    pub expect: IndexMap<Spanned<String>, Spanned<toml::Value>>,
}
