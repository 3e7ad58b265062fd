//! `belfry`: the server and its command line.
use clap::Parser;
use server::cli::{Cli, Command};
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc. Profiled under `scripts/bench-ssr`'s page load, glibc's
/// malloc and free took about 30 % of the server's CPU, and its arenas (up to eight a core,
/// each keeping what it freed) put the peak memory anywhere between 119 and 154 MB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    server::telemetry::init(cli.log_format);
    let outcome = match cli.command.unwrap_or_default() {
        Command::Serve(args) => server::serve(args).await,
        Command::Migrate(args) => server::migrate(args).await,
        Command::Plan(args) => server::plan(args, &mut std::io::stdout()).await,
        Command::Apply(args) => {
            let aws = server::aws::Aws::from_environment().await;
            server::apply(args, aws, &mut std::io::stdout()).await
        }
        Command::Cron(command) => {
            return server::cron_cli::run(command, &mut std::io::stdout(), &mut std::io::stderr());
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "belfry stopped");
            eprintln!("belfry: {error}");
            ExitCode::FAILURE
        }
    }
}
