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
    /// Show what applying would change in AWS for a team.
    Plan(PlanArgs),
    /// Apply a team's plan: make AWS match what the team declared, and wait until done.
    Apply(PlanArgs),
}

#[derive(Debug, Clone, Parser)]
pub struct PlanArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The team, by name or id (not needed when there is one team).
    #[arg(long)]
    pub team: Option<String>,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The plan as a person reads it: a headline, then one line per resource.
pub fn plan_text(plan: &app::api::resources::PlanView) -> String {
    use app::domain::plan::Op;
    use std::fmt::Write;
    let s = plan.summary;
    let mut text = String::new();
    if s.is_empty() {
        text.push_str("No changes: AWS matches what the team declared.\n");
        return text;
    }
    let _ = writeln!(
        text,
        "{} to create, {} to change, {} to delete, {} to adopt",
        s.create, s.change, s.delete, s.adopt
    );
    for step in &plan.steps {
        let (sign, what) = match &step.op {
            Op::Create => ("+", String::new()),
            Op::Update(changes) => ("~", describe(changes)),
            Op::Delete => ("-", String::new()),
            Op::Orphan => ("-", " (left in AWS)".to_owned()),
            Op::Adopt(changes) => ("=", describe(changes)),
        };
        let _ = writeln!(text, "  {sign} {} {}{what}", step.kind.as_str(), step.name);
    }
    text
}

fn describe(changes: &[app::domain::alarm::FieldChange]) -> String {
    if changes.is_empty() {
        String::new()
    } else {
        format!(
            ": {}",
            changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
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

    /// Run the reconciler's workers in this process (turn off for a web-only replica).
    #[arg(long, env = "BELFRY_WORKERS", default_value_t = true, action = clap::ArgAction::Set)]
    pub workers: bool,

    /// Seconds between resyncs that read AWS and mark drift.
    #[arg(long, env = "BELFRY_RESYNC_SECONDS", default_value_t = 300)]
    pub resync_seconds: u64,

    /// Seconds a worker holds a job it claimed: the jobs of a replica that died wait this
    /// long before another takes them. Longer than any one apply takes.
    #[arg(long, env = "BELFRY_LEASE_SECONDS", default_value_t = 120)]
    pub lease_seconds: i64,

    /// Pages rendered at once; more wait their turn (up to 10 s, then 503). Rendering is
    /// CPU work, so more at once than a few per core only adds memory.
    #[arg(long, env = "BELFRY_MAX_RENDERS", default_value_t = 16)]
    pub max_renders: usize,
}

impl ServeArgs {
    pub fn session_policy(&self) -> app::api::guard::SessionPolicy {
        app::api::guard::SessionPolicy {
            idle: std::time::Duration::from_secs(self.session_idle_seconds.max(1)),
            absolute: std::time::Duration::from_secs(self.session_absolute_seconds.max(1)),
        }
    }
}
