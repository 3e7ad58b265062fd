//! The command line. Every option also reads the standard environment variable, so any tool
//! (the README's scripts, systemd, a container) starts Belfry the same way.
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "belfry",
    version,
    about = "Declare CloudWatch alarms, EventBridge schedules and load balancers; Belfry keeps AWS in step"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Log lines as human text or as JSON objects.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the API (the default).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Check, evaluate, describe and convert schedule expressions (no database needed).
    #[command(subcommand)]
    Cron(crate::cron_cli::CronCommand),
}

impl Default for Command {
    fn default() -> Self {
        // `belfry` with no subcommand serves, with every option from the environment.
        Command::Serve(ServeArgs::parse_from(["serve"]))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Postgres connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
}

#[derive(Debug, Clone, Parser)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// Folder with the built site (`pkg/` with the wasm, JS and CSS; public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Mark cookies Secure. Turn on when Belfry is served over https, also behind a proxy
    /// that terminates TLS.
    #[arg(long, env = "BELFRY_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// A session with no request for this many seconds ends.
    #[arg(long, env = "BELFRY_SESSION_IDLE_SECONDS", default_value_t = 60 * 60)]
    pub session_idle_seconds: u64,

    /// A session ends this many seconds after login, however busy.
    #[arg(long, env = "BELFRY_SESSION_ABSOLUTE_SECONDS", default_value_t = 12 * 60 * 60)]
    pub session_absolute_seconds: u64,

    /// How many proxies (a load balancer, say) in front of Belfry append the client's address
    /// to X-Forwarded-For. 0 trusts no header: the login throttle counts per socket address.
    #[arg(long, env = "BELFRY_TRUSTED_PROXY_HOPS", default_value_t = 0)]
    pub trusted_proxy_hops: usize,
}

impl ServeArgs {
    pub fn session_policy(&self) -> app::api::guard::SessionPolicy {
        app::api::guard::SessionPolicy {
            idle: std::time::Duration::from_secs(self.session_idle_seconds.max(1)),
            absolute: std::time::Duration::from_secs(self.session_absolute_seconds.max(1)),
        }
    }
}
