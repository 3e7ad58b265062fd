//! sqlx queries, shared by the server functions and the workers (server only).
pub mod identity;
pub mod resources;

use sqlx::PgPool;

/// Every migration in `migrations/`, applied at start-up and by `belfry migrate`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// When this database was set up for Belfry; an error when it is unreachable or not migrated.
pub async fn installed_at(pool: &PgPool) -> Result<chrono::DateTime<chrono::Utc>, sqlx::Error> {
    // The override names chrono's type: tower-sessions' store turns on sqlx's `time` feature
    // too, and the macros would otherwise pick `time::OffsetDateTime`.
    sqlx::query_scalar!(
        r#"SELECT installed_at AS "installed_at: chrono::DateTime<chrono::Utc>" FROM installation"#
    )
    .fetch_one(pool)
    .await
}
