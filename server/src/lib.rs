//! Belfry's server: configuration, the HTTP router, sessions, and the edges to Postgres and AWS.
//! The binary (`main.rs`) only parses the command line and calls into here, so integration
//! tests start exactly the server that users run.
// The playground's view types are deep; rendering them needs more than the default 128.
#![recursion_limit = "512"]
pub mod api;
pub mod aws;
pub mod cli;
pub mod cron_cli;
pub mod csrf;
pub mod http;
pub mod reconciler;
pub mod sessions;
pub mod state;
pub mod telemetry;

use cli::{DatabaseArgs, ServeArgs};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;
use tokio::net::TcpListener;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Connects to Postgres. Fails fast when the database is not there, with the reason.
pub async fn connect(database: &DatabaseArgs) -> Result<PgPool, Error> {
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&database.database_url)
        .await
        .map_err(|error| format!("cannot connect to the database in DATABASE_URL: {error}"))?;
    Ok(pool)
}

/// `belfry migrate`: apply the migrations and stop.
pub async fn migrate(database: DatabaseArgs) -> Result<(), Error> {
    let pool = connect(&database).await?;
    app::db::MIGRATOR.run(&pool).await?;
    tracing::info!("migrations applied");
    Ok(())
}

/// `belfry serve`: migrate, then serve until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> Result<(), Error> {
    let listener = TcpListener::bind(args.site_addr)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", args.site_addr))?;
    let aws = aws::Aws::from_environment().await;
    let running = start(args, listener, aws).await?;
    tracing::info!(address = %running.address, "Belfry is listening on http://{}", running.address);
    running.task.await??;
    Ok(())
}

/// `belfry plan`: what applying would do for the team, as text or JSON.
pub async fn plan(args: cli::PlanArgs, out: &mut impl std::io::Write) -> Result<(), Error> {
    let pool = connect(&args.database).await?;
    app::db::MIGRATOR.run(&pool).await?;
    let team = find_team(&pool, args.team.as_deref()).await?;
    let plan = app::api::resources::ssr::plan(&pool, team).await?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &plan)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", cli::plan_text(&plan))?;
    }
    Ok(())
}

/// `belfry apply`: releases the team's plan and runs the workers here until it is done.
pub async fn apply(
    args: cli::PlanArgs,
    aws: aws::Aws,
    out: &mut impl std::io::Write,
) -> Result<(), Error> {
    let pool = connect(&args.database).await?;
    app::db::MIGRATOR.run(&pool).await?;
    let team = find_team(&pool, args.team.as_deref()).await?;
    let plan = app::api::resources::ssr::plan(&pool, team).await?;
    write!(out, "{}", cli::plan_text(&plan))?;
    let released = app::db::resources::release_planned(&pool, team, None).await?;
    let reconciler = reconciler::Reconciler::new(pool.clone(), aws);
    reconciler.drain(Duration::from_secs(120)).await?;
    let rows = app::db::resources::all_of_team(&pool, team).await?;
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.status == "error" || r.status == "pending")
        .collect();
    writeln!(out, "applied {released} change(s)")?;
    for row in &failed {
        writeln!(
            out,
            "  {} {}: {} ({})",
            row.kind,
            row.name,
            row.status,
            row.last_error.as_deref().unwrap_or("")
        )?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} resource(s) not in sync", failed.len()).into())
    }
}

/// The team named (or with this id), or the only team when there is one.
async fn find_team(pool: &PgPool, team: Option<&str>) -> Result<uuid::Uuid, Error> {
    let teams: Vec<(uuid::Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM teams ORDER BY created_at")
            .fetch_all(pool)
            .await?;
    match team {
        Some(wanted) => teams
            .iter()
            .find(|(id, name)| name == wanted || id.to_string() == wanted)
            .map(|(id, _)| *id)
            .ok_or_else(|| format!("no team named {wanted}").into()),
        None if teams.len() == 1 => Ok(teams[0].0),
        None => Err(format!(
            "there are {} teams: name one with --team ({})",
            teams.len(),
            teams
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into()),
    }
}

/// A server started on a listener, for `serve` and for tests (which bind port 0).
pub struct Running {
    pub address: std::net::SocketAddr,
    pub task: tokio::task::JoinHandle<Result<(), std::io::Error>>,
}

pub async fn start(
    args: ServeArgs,
    listener: TcpListener,
    aws: aws::Aws,
) -> Result<Running, Error> {
    let pool = connect(&args.database).await?;
    app::db::MIGRATOR.run(&pool).await?;
    if args.workers {
        let mut reconciler = reconciler::Reconciler::new(pool.clone(), aws.clone());
        reconciler.lease_seconds = args.lease_seconds.max(1);
        let every = Duration::from_secs(args.resync_seconds.max(1));
        tokio::spawn(reconciler.run(every));
    }
    let state = state::AppState::new(&args, pool, aws);
    let router = http::router(state, &args).await?;
    let address = listener.local_addr()?;
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    });
    Ok(Running { address, task })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
