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
    let team_id = insert_team_with_admin(&mut tx, user_id, team).await?;
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

/// The user as a member of the team, with when their password last changed (Unix seconds),
/// or None when they are not (any more) a member.
pub async fn member(
    pool: &PgPool,
    user_id: Uuid,
    team_id: Uuid,
) -> Result<Option<(Me, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.email, t.name AS team_name, m.role,
                  floor(extract(epoch FROM u.password_changed_at))::bigint AS "password_changed!"
           FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id
           WHERE m.user_id = $1 AND m.team_id = $2"#,
        user_id,
        team_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|row| {
        let me = Me {
            user_id,
            email: row.email,
            team_id,
            team_name: row.team_name,
            role: Role::parse(&row.role).ok()?,
        };
        Some((me, row.password_changed))
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

/// A team the user belongs to, for the switcher.
#[derive(Debug, Clone)]
pub struct TeamChoice {
    pub id: Uuid,
    pub name: String,
    pub role: String,
}

pub async fn teams_of(pool: &PgPool, user_id: Uuid) -> Result<Vec<TeamChoice>, sqlx::Error> {
    sqlx::query_as!(
        TeamChoice,
        r#"SELECT t.id, t.name, m.role FROM memberships m JOIN teams t ON t.id = m.team_id
           WHERE m.user_id = $1 ORDER BY t.name, t.id"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// Inserts a team and makes `user_id` its admin, in the caller's transaction.
async fn insert_team_with_admin(
    tx: &mut Transaction<'_, Postgres>,
    user_id: Uuid,
    name: &TeamName,
) -> Result<Uuid, sqlx::Error> {
    let team_id = sqlx::query_scalar!(
        "INSERT INTO teams (name) VALUES ($1) RETURNING id",
        name.as_str()
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'admin')",
        team_id,
        user_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(team_id)
}

/// A new team with `user_id` as its admin, audited in the same transaction.
pub async fn create_team(
    pool: &PgPool,
    user_id: Uuid,
    name: &TeamName,
) -> Result<Uuid, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let team_id = insert_team_with_admin(&mut tx, user_id, name).await?;
    let after = serde_json::json!({ "name": name.as_str() });
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "team.create",
        Some(team_id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(team_id)
}

pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub role: String,
}

pub async fn members(pool: &PgPool, team_id: Uuid) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as!(
        MemberRow,
        r#"SELECT u.id AS user_id, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.team_id = $1 ORDER BY m.created_at, u.email"#,
        team_id
    )
    .fetch_all(pool)
    .await
}

/// Stores an invitation (only the token's SHA-256) and audits it, in one transaction.
pub async fn create_invitation(
    pool: &PgPool,
    team_id: Uuid,
    invited_by: Uuid,
    token_sha256: &[u8],
    role: Role,
    valid_seconds: i64,
) -> Result<Uuid, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO invitations (team_id, token_sha256, role, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 second') RETURNING id"#,
        team_id,
        token_sha256,
        role.as_str(),
        invited_by,
        valid_seconds
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = serde_json::json!({ "role": role.as_str(), "valid_seconds": valid_seconds });
    audit(
        &mut tx,
        Some(team_id),
        Some(invited_by),
        "invitation.create",
        Some(id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub struct Invitation {
    pub id: Uuid,
    pub team_id: Uuid,
    pub team_name: String,
    pub role: String,
    pub usable: bool,
}

/// The invitation for a token (by its hash), with whether it can still be used.
pub async fn invitation(
    pool: &PgPool,
    token_sha256: &[u8],
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as!(
        Invitation,
        r#"SELECT i.id, i.team_id, t.name AS team_name, i.role,
                  (i.accepted_at IS NULL AND i.expires_at > now()) AS "usable!"
           FROM invitations i JOIN teams t ON t.id = i.team_id WHERE i.token_sha256 = $1"#,
        token_sha256
    )
    .fetch_optional(pool)
    .await
}

/// Uses an invitation: optionally creates the user first, then the membership, then marks the
/// invitation accepted, all or nothing. None when it was used up or expired meanwhile.
pub async fn accept_invitation(
    pool: &PgPool,
    invitation_id: Uuid,
    existing_user: Option<Uuid>,
    new_user: Option<(&Email, &str)>,
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query!(
        r#"SELECT team_id, role FROM invitations
           WHERE id = $1 AND accepted_at IS NULL AND expires_at > now() FOR UPDATE"#,
        invitation_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let user_id = match (existing_user, new_user) {
        (Some(user_id), _) => user_id,
        (None, Some((email, password_hash))) => {
            sqlx::query_scalar!(
                "INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id",
                email.as_str(),
                password_hash
            )
            .fetch_one(&mut *tx)
            .await?
        }
        (None, None) => return Ok(None),
    };
    sqlx::query!(
        r#"INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (team_id, user_id) DO NOTHING"#,
        row.team_id,
        user_id,
        row.role
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE invitations SET accepted_by = $2, accepted_at = now() WHERE id = $1",
        invitation_id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({ "user_id": user_id, "role": row.role });
    audit(
        &mut tx,
        Some(row.team_id),
        Some(user_id),
        "member.join",
        Some(invitation_id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((user_id, row.team_id)))
}

pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub email: Option<String>,
    pub action: String,
    pub resource_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The team's audit log, newest first, optionally only actions starting with `prefix`.
pub async fn audit_log(
    pool: &PgPool,
    team_id: Uuid,
    prefix: &str,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as!(
        AuditRow,
        r#"SELECT a.at AS "at: DateTime<Utc>", u.email AS "email?", a.action, a.resource_id, a.before, a.after
           FROM audit a LEFT JOIN users u ON u.id = a.user_id
           WHERE a.team_id = $1 AND a.action LIKE $2 || '%'
           ORDER BY a.at DESC, a.id DESC LIMIT $3"#,
        team_id,
        prefix,
        limit
    )
    .fetch_all(pool)
    .await
}

pub struct AwsConnectionRow {
    pub region: String,
    pub role_arn: Option<String>,
    pub external_id: String,
    pub endpoint_url: Option<String>,
}

pub async fn aws_connection(
    pool: &PgPool,
    team_id: Uuid,
) -> Result<Option<AwsConnectionRow>, sqlx::Error> {
    sqlx::query_as!(
        AwsConnectionRow,
        "SELECT region, role_arn, external_id, endpoint_url FROM aws_connections WHERE team_id = $1",
        team_id
    )
    .fetch_optional(pool)
    .await
}

/// Saves the team's connection; the external id is set once (`new_external_id` is used only
/// when there is none yet). Audited with before and after, in one transaction.
pub async fn save_aws_connection(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    region: &str,
    role_arn: Option<&str>,
    endpoint_url: Option<&str>,
    new_external_id: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let before = sqlx::query_scalar!(
        r#"SELECT to_jsonb(c) - 'team_id' - 'updated_at' AS "row!" FROM aws_connections c WHERE team_id = $1 FOR UPDATE"#,
        team_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let after = sqlx::query_scalar!(
        r#"INSERT INTO aws_connections (team_id, region, role_arn, external_id, endpoint_url)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (team_id) DO UPDATE
             SET region = excluded.region, role_arn = excluded.role_arn,
                 endpoint_url = excluded.endpoint_url, updated_at = now()
           RETURNING jsonb_build_object('region', region, 'role_arn', role_arn,
                     'external_id', external_id, 'endpoint_url', endpoint_url) AS "row!""#,
        team_id,
        region,
        role_arn,
        new_external_id,
        endpoint_url
    )
    .fetch_one(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "aws_connection.save",
        Some(team_id),
        before,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password hash and audits it (never the hash itself).
pub async fn set_password(
    pool: &PgPool,
    user_id: Uuid,
    team_id: Uuid,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1",
        user_id,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "user.password_change",
        Some(user_id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn password_hash(pool: &PgPool, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_optional(pool)
        .await
}
