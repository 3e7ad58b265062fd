//! Users, teams, memberships, the login throttle's attempts, and the audit log.
use crate::api::Me;
use crate::domain::{Email, Role, TeamName};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

pub async fn user_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(pool)
        .await
}

/// Creates the first user as admin of a new team, in one transaction with its audit rows.
/// Returns None when a user already exists (the check holds under concurrent sign-ups: it
/// runs under a transaction-scoped advisory lock).
pub async fn create_first_admin(
    pool: &PgPool,
    email: &Email,
    password_hash: &str,
    team: &TeamName,
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('belfry:first-user'))")
        .execute(&mut *tx)
        .await?;
    let existing: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Ok(None);
    }
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id",
        email.as_str(),
        password_hash
    )
    .fetch_one(&mut *tx)
    .await?;
    let team_id = sqlx::query_scalar!(
        "INSERT INTO teams (name) VALUES ($1) RETURNING id",
        team.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'admin')",
        team_id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let after =
        serde_json::json!({ "email": email.as_str(), "team": team.as_str(), "role": "admin" });
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "user.signup",
        Some(user_id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((user_id, team_id)))
}

pub struct Credentials {
    pub user_id: Uuid,
    pub password_hash: String,
}

pub async fn credentials(pool: &PgPool, email: &str) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        "SELECT id AS user_id, password_hash FROM users WHERE lower(email) = lower($1)",
        email
    )
    .fetch_optional(pool)
    .await
}

/// The team a user lands in after login: the one they joined first.
pub async fn first_team(pool: &PgPool, user_id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT team_id FROM memberships WHERE user_id = $1 ORDER BY created_at, team_id LIMIT 1",
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// The user as a member of the team, or None when they are not (any more) one.
pub async fn member(
    pool: &PgPool,
    user_id: Uuid,
    team_id: Uuid,
) -> Result<Option<Me>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.email, t.name AS team_name, m.role
           FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id
           WHERE m.user_id = $1 AND m.team_id = $2"#,
        user_id,
        team_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|row| {
        Some(Me {
            user_id,
            email: row.email,
            team_id,
            team_name: row.team_name,
            role: Role::parse(&row.role).ok()?,
        })
    }))
}

pub async fn record_login_attempt(
    pool: &PgPool,
    email: &str,
    client: Option<std::net::IpAddr>,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    let client = client.map(sqlx::types::ipnetwork::IpNetwork::from);
    sqlx::query!(
        "INSERT INTO login_attempts (email, client_addr, succeeded) VALUES ($1, $2, $3)",
        email,
        client,
        succeeded
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Failed logins in the last `window_seconds`, for this email and for this client address, with the time
/// of the oldest of each (to say when the throttle lifts).
pub struct RecentFailures {
    pub for_email: i64,
    pub oldest_for_email: Option<DateTime<Utc>>,
    pub for_client: i64,
    pub oldest_for_client: Option<DateTime<Utc>>,
}

pub async fn recent_failures(
    pool: &PgPool,
    email: &str,
    client: Option<std::net::IpAddr>,
    window_seconds: i64,
) -> Result<RecentFailures, sqlx::Error> {
    let client = client.map(sqlx::types::ipnetwork::IpNetwork::from);
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE lower(email) = lower($1)) AS "for_email!",
             min(at) FILTER (WHERE lower(email) = lower($1)) AS "oldest_for_email: DateTime<Utc>",
             count(*) FILTER (WHERE client_addr = $2) AS "for_client!",
             min(at) FILTER (WHERE client_addr = $2) AS "oldest_for_client: DateTime<Utc>"
           FROM login_attempts
           WHERE NOT succeeded AND at > now() - $3::bigint * interval '1 second' AND (lower(email) = lower($1) OR client_addr = $2)"#,
        email,
        client,
        window_seconds
    )
    .fetch_one(pool)
    .await?;
    Ok(RecentFailures {
        for_email: row.for_email,
        oldest_for_email: row.oldest_for_email,
        for_client: row.for_client,
        oldest_for_client: row.oldest_for_client,
    })
}

/// One audit row, in the caller's transaction: it commits or rolls back with the change.
pub async fn audit(
    tx: &mut Transaction<'_, Postgres>,
    team_id: Option<Uuid>,
    user_id: Option<Uuid>,
    action: &str,
    resource_id: Option<Uuid>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit (team_id, user_id, action, resource_id, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
        team_id,
        user_id,
        action,
        resource_id,
        before,
        after
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
