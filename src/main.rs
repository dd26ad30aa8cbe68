use clap::Parser;

/// Parsing allocates many small tree nodes from several threads at once; with mimalloc the
/// parallel parse is about a quarter faster than with glibc's allocator (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack for the command's thread: recursive passes over the tree stay within it for any
/// input the parser accepts (nesting is bounded by the parser, see S009).
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() {
    let cli = stforge::cli::Cli::parse();
    rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build_global()
        .expect("the global thread pool is configured once");
    let code = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || stforge::cli::run(cli))
        .expect("the main thread can be started")
        .join()
        .unwrap_or(stforge::cli::exit::USAGE);
    std::process::exit(code);
}
