use super::exit;
use super::output::out;
use crate::diagnostics::Code;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A diagnostic code such as S007 (case does not matter).
    code: Option<String>,
}

pub fn run(args: Args) -> i32 {
    match args.code {
        None => {
            for code in Code::ALL {
                let info = code.info();
                out(&format!(
                    "{code}  {:<7}  {:<7}  {}\n",
                    info.family.name(),
                    info.severity.name(),
                    info.title
                ));
            }
            exit::OK
        }
        Some(name) => match Code::parse(&name) {
            Some(code) => {
                out(code.info().explanation);
                exit::OK
            }
            None => {
                eprintln!(
                    "stforge: `{name}` is not a diagnostic code; `stforge explain` lists them"
                );
                exit::USAGE
            }
        },
    }
}
