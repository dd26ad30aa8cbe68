use super::exit;
use super::output::{Color, out, rendered, unreadable};
use super::project::ProjectArgs;
use crate::diagnostics::Diagnostic;
use crate::testrun::{self, Options, Outcome, junit, report};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The spec file (`NAME.spec.toml`) whose tests to run.
    spec: PathBuf,
    /// The implementation: ST files or folders (searched recursively for `.st` files; spec files
    /// found there are left out). One of them declares the spec's POU.
    #[arg(required = true)]
    implementation: Vec<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format: `text` for people; `junit` for CI servers (JUnit XML on stdout, one
    /// testsuite named after the POU, a testcase per test, `<failure>` for a failed expectation,
    /// `<error>` for a run-time fault or when the tests could not run).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// After each failed test, a table of the scans that led to the failure: the inputs,
    /// every output, and the locals and function block states (a timer's Q and ET) the failed
    /// expectations depend on; a row where a value other than a time changed, where a step
    /// begins, and the last scan (the latest 12 rows).
    #[arg(long)]
    trace: bool,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The most scans one test may run; a test whose steps add up to more fails with P008
    /// without running. Raise it for long simulated waits.
    #[arg(long, value_name = "N", default_value_t = testrun::DEFAULT_MAX_SCANS)]
    max_scans: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Text,
    Junit,
}

pub fn run(args: Args) -> i32 {
    stop_on_ctrl_c();
    let options = Options {
        dialect: args.project.dialect,
        max_scans: args.max_scans,
    };
    let run = testrun::run(
        &args.spec,
        &args.implementation,
        &args.project.libraries,
        options,
    );
    let color = args.color.enabled();
    let status = match (&run.outcome, args.format) {
        (Outcome::NotRun(diagnostics), format) => {
            match format {
                Format::Text => out(&rendered(diagnostics, &run.files, color)),
                // stdout is the XML document; the diagnostics go beside it.
                Format::Junit => {
                    eprint!("{}", rendered(diagnostics, &run.files, false));
                    out(&junit::xml(&run));
                }
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "stforge: the tests did not run: {errors} error{}",
                if errors == 1 { "" } else { "s" }
            );
            not_run_status(diagnostics)
        }
        (Outcome::Ran(results), format) => {
            match format {
                Format::Text => out(&report::text(&run, results, color, args.trace)),
                Format::Junit => out(&junit::xml(&run)),
            }
            if results.iter().all(|r| r.verdict.passed()) {
                exit::OK
            } else {
                exit::FINDINGS
            }
        }
    };
    if testrun::stop_requested() {
        eprintln!("stforge: interrupted");
        return exit::INTERRUPTED;
    }
    status
}

/// The first Ctrl-C stops the tests at their next scan, so the report still says where each
/// one was; a second ends the process at once (for a wait outside the scan loop).
fn stop_on_ctrl_c() {
    let installed = ctrlc::set_handler(|| {
        if testrun::stop_requested() {
            std::process::exit(exit::INTERRUPTED);
        }
        testrun::request_stop();
    });
    // Without the handler (one already set), Ctrl-C keeps its default: it ends the process.
    drop(installed);
}

/// An input that cannot be read at all is a usage error, as for `stforge check`; anything else
/// that kept the tests from running is a finding.
fn not_run_status(diagnostics: &[Diagnostic]) -> i32 {
    if diagnostics.iter().any(unreadable) {
        exit::USAGE
    } else {
        exit::FINDINGS
    }
}
