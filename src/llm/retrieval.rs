//! The solved examples a prompt shows: the tasks of `corpus/tasks/` (a spec and its
//! `solution.st` per folder) most similar to the spec being generated.
//!
//! Similarity is BM25 over each task's description and interface (names, types, docs), with
//! identifiers split at case changes and underscores (`StopNC` → `stop`, `nc`). Why BM25: the
//! corpus is small (tens of tasks), the signal is lexical (the same plant words — pump, level,
//! alarm, timer — and the same I/O names recur), it needs no model and no index on disk, and it
//! ranks in microseconds. A task is never its own example (leave-one-out): a corpus task with
//! the spec's file, or the spec's POU name, is skipped.

use crate::source::FileId;
use crate::spec::{self, Spec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One solved task.
#[derive(Clone, Debug)]
pub struct Example {
    /// The task's folder name, e.g. `motor_latch`.
    pub name: String,
    pub spec_path: PathBuf,
    pub spec: Spec,
    /// The reference solution, as written.
    pub solution: String,
}

/// The solved tasks and their BM25 index.
pub struct Corpus {
    pub examples: Vec<Example>,
    docs: Vec<HashMap<String, u32>>,
    lengths: Vec<f64>,
    document_frequency: HashMap<String, u32>,
}

// BM25's usual constants: term-frequency saturation and length normalisation.
const K1: f64 = 1.2;
const B: f64 = 0.75;

impl Corpus {
    /// Loads every `*/…spec.toml` with a `solution.st` beside it under `dir`. Folders without
    /// both, or with an invalid spec, are skipped: examples are optional help.
    pub fn load(dir: &Path) -> Corpus {
        let mut examples = Vec::new();
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for folder in folders {
            let Ok(solution) = std::fs::read_to_string(folder.join("solution.st")) else {
                continue;
            };
            let Some(spec_path) = std::fs::read_dir(&folder)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .find(|p| spec::is_spec_file(p))
            else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(&spec_path) else {
                continue;
            };
            let (Some(spec), _) = spec::load(FileId(0), &text) else {
                continue;
            };
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            examples.push(Example {
                name,
                spec_path,
                spec,
                solution,
            });
        }
        Corpus::new(examples)
    }

    pub fn new(examples: Vec<Example>) -> Corpus {
        let docs: Vec<HashMap<String, u32>> = examples
            .iter()
            .map(|e| term_counts(&document(&e.spec)))
            .collect();
        let lengths = docs
            .iter()
            .map(|d| d.values().sum::<u32>() as f64)
            .collect();
        let mut document_frequency = HashMap::new();
        for doc in &docs {
            for term in doc.keys() {
                *document_frequency.entry(term.clone()).or_insert(0) += 1;
            }
        }
        Corpus {
            examples,
            docs,
            lengths,
            document_frequency,
        }
    }

    /// The `k` examples most similar to `spec`, best first, with their scores; never the
    /// spec's own task (same file, or same POU name).
    pub fn most_similar(
        &self,
        spec: &Spec,
        spec_path: Option<&Path>,
        k: usize,
    ) -> Vec<(&Example, f64)> {
        let query = term_counts(&document(spec));
        let n = self.docs.len() as f64;
        let average = self.lengths.iter().sum::<f64>() / n.max(1.0);
        let own_path = spec_path.and_then(|p| p.canonicalize().ok());
        let own_name = spec.pou.name.text.to_ascii_uppercase();
        let mut scored: Vec<(&Example, f64)> = self
            .examples
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let same_file = own_path.is_some() && e.spec_path.canonicalize().ok() == own_path;
                !same_file && e.spec.pou.name.text.to_ascii_uppercase() != own_name
            })
            .map(|(i, e)| {
                let doc = &self.docs[i];
                let length = self.lengths[i];
                let score: f64 = query
                    .keys()
                    .filter_map(|term| {
                        let tf = *doc.get(term)? as f64;
                        let df = *self.document_frequency.get(term).unwrap_or(&0) as f64;
                        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                        Some(idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average)))
                    })
                    .sum();
                (e, score)
            })
            .collect();
        // Ties go to the name, so that the choice never depends on the folder listing.
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        scored.truncate(k);
        scored
    }
}

/// The text a task is found by: its description and its interface (names, types, docs).
fn document(spec: &Spec) -> String {
    format!("{}\n{}", spec.pou.description, spec.interface_st())
}

/// Words that say nothing about a task.
const STOP_WORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "is", "it", "in", "on", "at", "by", "for", "as",
    "be", "are", "when", "while", "then", "if", "its", "this", "that", "with", "from", "not",
    "var", "end", "input", "output", "bool", "function", "block", "program",
];

/// Lower-case terms: words and the parts of identifiers split at case changes, digits and
/// underscores.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        if word.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        let mut current = String::new();
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = c == '_'
                || (c.is_ascii_uppercase()
                    && i > 0
                    && (chars[i - 1].is_ascii_lowercase()
                        || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                            && chars[i - 1].is_ascii_uppercase()));
            if boundary && !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            if c != '_' {
                current.push(c.to_ascii_lowercase());
            }
        }
        if !current.is_empty() {
            parts.push(current);
        }
        for part in parts {
            if part.len() > 1 && !STOP_WORDS.contains(&part.as_str()) {
                out.push(part);
            }
        }
    }
    out
}

fn term_counts(text: &str) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for term in terms(text) {
        *counts.entry(term).or_insert(0) += 1;
    }
    counts
}

/// Where the solved examples are by default: `corpus/tasks` under the current folder, else
/// the one of the source tree stforge was built from (for a development build).
pub fn default_corpus_dir() -> Option<PathBuf> {
    let here = PathBuf::from("corpus/tasks");
    if here.is_dir() {
        return Some(here);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tasks");
    built.is_dir().then_some(built)
}
