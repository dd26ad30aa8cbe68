//! The command backend: any program is a generator. It is run through `sh -c`, gets the prompt
//! on stdin and answers with the completion on stdout; a script around another tool, a person
//! at a keyboard or an experiment plugs in without touching stforge.
//!
//! The request's settings reach it in the environment: `STFORGE_SEED`, `STFORGE_TEMPERATURE`,
//! `STFORGE_MAX_TOKENS`, and `STFORGE_GRAMMAR` (the path of a file holding the Lark grammar,
//! when there is one). A command that exits non-zero or runs past its timeout is G006.

use super::{Backend, Completion, Finish, LlmError, OnText, Request};
use crate::diagnostics::Code;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct CommandBackend {
    command: String,
    timeout: Duration,
}

impl CommandBackend {
    pub fn new(command: &str, timeout: Duration) -> CommandBackend {
        CommandBackend {
            command: command.to_string(),
            timeout,
        }
    }
}

impl Backend for CommandBackend {
    fn describe(&self) -> String {
        format!("command `{}`", self.command)
    }

    fn enforces_grammar(&self) -> bool {
        false
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_text: OnText<'_>,
    ) -> Result<Completion, LlmError> {
        let fail = |message: String| LlmError::new(Code::G006, message);
        let grammar_file = match request.grammar {
            Some(g) => {
                let mut file = tempfile::NamedTempFile::new()
                    .map_err(|e| fail(format!("no temporary file for the grammar: {e}")))?;
                file.write_all(g.as_bytes())
                    .map_err(|e| fail(format!("the grammar could not be written: {e}")))?;
                Some(file)
            }
            None => None,
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&self.command)
            .env("STFORGE_SEED", request.seed.to_string())
            .env("STFORGE_TEMPERATURE", request.temperature.to_string())
            .env("STFORGE_MAX_TOKENS", request.max_tokens.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(file) = &grammar_file {
            cmd.env("STFORGE_GRAMMAR", file.path());
        }
        // Its own process group, so that a timeout ends the command and everything it started.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("`{}` could not be started: {e}", self.command)))?;

        // Writing, reading and waiting each in their own place, so that a command that does
        // not read its input, or writes more than a pipe holds, cannot block stforge.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let prompt = request.prompt.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(prompt.as_bytes());
        });
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let stderr_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (sender, pieces) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 || sender.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });

        let mut output = Vec::new();
        let mut shown = 0;
        let mut first: Option<Instant> = None;
        let deadline = started + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match pieces.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok(piece) => {
                    first.get_or_insert_with(Instant::now);
                    output.extend(piece);
                    let valid = match std::str::from_utf8(&output[shown..]) {
                        Ok(s) => s.len(),
                        Err(e) => e.valid_up_to(),
                    };
                    if valid > 0 {
                        on_text(std::str::from_utf8(&output[shown..shown + valid]).unwrap_or(""));
                        shown += valid;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() >= deadline {
                kill_group(&mut child);
                return Err(fail(format!(
                    "`{}` gave no complete answer within {} s",
                    self.command,
                    self.timeout.as_secs_f64()
                )));
            }
        }
        // Stdout is closed; the process ends soon after (or is ended at the deadline).
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    kill_group(&mut child);
                    return Err(fail(format!(
                        "`{}` did not exit within {} s",
                        self.command,
                        self.timeout.as_secs_f64()
                    )));
                }
            }
        };
        let errors = stderr_reader.join().unwrap_or_default();
        if !status.success() {
            let last = errors
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let code = status
                .code()
                .map_or("a signal".to_string(), |c| format!("status {c}"));
            let detail = if last.is_empty() {
                String::new()
            } else {
                format!(": {}", last.trim())
            };
            return Err(fail(format!(
                "`{}` exited with {code}{detail}",
                self.command
            )));
        }
        let text = String::from_utf8_lossy(&output).into_owned();
        let first = first.unwrap_or_else(Instant::now);
        Ok(Completion {
            completion_tokens: text.split_whitespace().count() as u32,
            text,
            prompt_tokens: 0,
            prompt_time: first.saturating_duration_since(started),
            generation_time: first.elapsed(),
            finish: Finish::Stop,
        })
    }
}

/// Ends a command's whole process group (the shell and what it started), then reaps it.
///
/// By the system call, not the `kill` program: procps-ng 4.0's `kill -KILL -PGID` parses the
/// group as an option and signals -1, every process the user may signal (it took the
/// developer's whole session down).
fn kill_group(child: &mut std::process::Child) {
    if let Ok(group) = libc::pid_t::try_from(child.id())
        && group > 1
    {
        // SAFETY: kill(2) with a negative process group id only sends a signal; the group is
        // the one the child leads (`process_group(0)` at spawn), never -1 or 0.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
