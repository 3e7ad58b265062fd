//! `belfry`: the server and its command line.
use clap::Parser;
use server::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the Tokio runtime could not start")
        .block_on(run())
}

/// glibc's malloc gives a thread that meets contention an arena of its own, up to eight per
/// core, and each arena keeps what it has freed. Under load the server's memory then follows
/// the arenas rather than the work: `scripts/bench-ssr` (10,000 alarms, 200 connections then
/// 64) peaked at 154 MB with glibc's default and at 103 MB with two arenas, at the same
/// throughput. A `MALLOC_ARENA_MAX` in the environment still wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a tunable, and no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

async fn run() -> ExitCode {
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
