//! Managed resources, their reconcile jobs and their history (shared/DESIGN.md, "State").
//! Every change a person makes writes the spec, an audit row and a job in one transaction.
use super::identity::audit;
use crate::domain::plan::Kind;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ResourceRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub kind: String,
    pub name: String,
    pub spec: Value,
    pub version: i32,
    pub generation: i64,
    pub observed_generation: i64,
    pub status: String,
    pub last_error: Option<String>,
    pub aws_id: Option<String>,
    pub create_started_at: Option<DateTime<Utc>>,
    pub observed: Option<Value>,
    pub observed_at: Option<DateTime<Utc>>,
    pub drift: Option<Value>,
    pub management: String,
    pub deletion: String,
    pub deleted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl ResourceRow {
    pub fn kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }
}

macro_rules! select_resources {
    ($tail:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            ResourceRow,
            r#"SELECT id, team_id, kind, name, spec, version, generation, observed_generation,
                      status, last_error, aws_id,
                      create_started_at AS "create_started_at: DateTime<Utc>",
                      observed, observed_at AS "observed_at: DateTime<Utc>", drift,
                      management, deletion, deleted_at AS "deleted_at: DateTime<Utc>",
                      updated_at AS "updated_at: DateTime<Utc>"
                 FROM resources "# + $tail,
            $($arg),*
        )
    };
}

/// When a queued job may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// A person's change: planned, held until the team applies the plan.
    OnApply,
    /// Now (apply, self-heal).
    Now,
}

/// Queues a reconcile of the resource, in the caller's transaction. A job already queued (or
/// held by a worker) is marked as newer, so the worker leaves it for another run.
pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    resource_id: Uuid,
    release: Release,
) -> Result<(), sqlx::Error> {
    let held = release == Release::OnApply;
    sqlx::query!(
        r#"INSERT INTO jobs (resource_id, run_after)
           VALUES ($1, CASE WHEN $2 THEN 'infinity'::timestamptz ELSE now() END)
           ON CONFLICT (resource_id) DO UPDATE
             SET seq = nextval('jobs_seq'), enqueued_at = clock_timestamp(),
                 -- A job held for the plan stays held: only applying releases a person's change.
                 run_after = CASE WHEN jobs.run_after = 'infinity'::timestamptz
                                  THEN jobs.run_after ELSE EXCLUDED.run_after END,
                 attempts = 0, last_error = NULL"#,
        resource_id,
        held
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Releases every held job of the team: the plan is applied. Returns how many.
pub async fn release_planned(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let released = sqlx::query!(
        r#"UPDATE jobs SET run_after = now()
            WHERE run_after = 'infinity'::timestamptz
              AND resource_id IN (SELECT id FROM resources WHERE team_id = $1)"#,
        team_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if released > 0 {
        audit(
            &mut tx,
            Some(team_id),
            user_id,
            "plan.apply",
            None,
            None,
            Some(serde_json::json!({ "resources": released })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(released)
}

/// The resources whose change waits for apply (their ids).
pub async fn planned(pool: &PgPool, team_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT j.resource_id FROM jobs j JOIN resources r ON r.id = j.resource_id
            WHERE r.team_id = $1 AND j.run_after = 'infinity'::timestamptz"#,
        team_id
    )
    .fetch_all(pool)
    .await
}

/// One line of a resource's history.
pub async fn event(
    executor: impl sqlx::PgExecutor<'_>,
    team_id: Uuid,
    resource_id: Uuid,
    what: &str,
    detail: Option<Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (team_id, resource_id, what, detail) VALUES ($1, $2, $3, $4)",
        team_id,
        resource_id,
        what,
        detail
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Declares a new resource. None when the team has one of this kind and name already.
pub async fn create(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    kind: Kind,
    name: &str,
    spec: Value,
) -> Result<Option<Uuid>, sqlx::Error> {
    insert(pool, team_id, user_id, kind, name, spec, None).await
}

/// Takes over a resource that exists in AWS already: its spec is what AWS has, so applying it
/// changes nothing. None on a name conflict.
pub async fn adopt(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    kind: Kind,
    name: &str,
    spec: Value,
    aws_id: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    insert(pool, team_id, user_id, kind, name, spec, Some(aws_id)).await
}

/// A new row (with its AWS id when adopted), its audit row, its held job and its first
/// event, in one transaction.
async fn insert(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    kind: Kind,
    name: &str,
    spec: Value,
    aws_id: Option<&str>,
) -> Result<Option<Uuid>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO resources (team_id, kind, name, spec, aws_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (team_id, kind, name) DO NOTHING RETURNING id"#,
        team_id,
        kind.as_str(),
        name,
        spec,
        aws_id,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let verb = if aws_id.is_some() { "adopt" } else { "create" };
    let action = format!("{}.{verb}", kind.as_str());
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        &action,
        Some(id),
        None,
        Some(spec),
    )
    .await?;
    enqueue(&mut tx, id, Release::OnApply).await?;
    let (what, detail) = match aws_id {
        Some(aws_id) => ("adopted", Some(serde_json::json!({ "aws_id": aws_id }))),
        None => ("declared", None),
    };
    event(&mut *tx, team_id, id, what, detail).await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub enum Edit {
    Done,
    NotFound,
    /// Someone else changed it since `version`: their change is kept, this one refused.
    Stale {
        current: i32,
    },
}

/// Replaces the spec (and the name, which the spec may change) when the resource is still
/// at `version`. A name another resource of the kind has is a unique violation.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    kind: Kind,
    version: i32,
    name: &str,
    spec: Value,
) -> Result<Edit, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query!(
        "SELECT kind, spec, version FROM resources WHERE id = $1 AND team_id = $2 AND kind = $3 AND deleted_at IS NULL FOR UPDATE",
        id,
        team_id,
        kind.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(current) = current else {
        return Ok(Edit::NotFound);
    };
    if current.version != version {
        return Ok(Edit::Stale {
            current: current.version,
        });
    }
    if current.spec == spec {
        return Ok(Edit::Done);
    }
    sqlx::query!(
        r#"UPDATE resources SET spec = $2, name = $3, version = version + 1,
                  generation = generation + 1, status = 'pending', updated_at = now()
            WHERE id = $1"#,
        id,
        spec,
        name
    )
    .execute(&mut *tx)
    .await?;
    let action = format!("{}.update", current.kind);
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        &action,
        Some(id),
        Some(current.spec),
        Some(spec),
    )
    .await?;
    enqueue(&mut tx, id, Release::OnApply).await?;
    event(&mut *tx, team_id, id, "changed", None).await?;
    tx.commit().await?;
    Ok(Edit::Done)
}

/// Asks for the resource to go: deleted from AWS first (then forgotten), or, with `orphan`,
/// forgotten and left in AWS.
pub async fn request_delete(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    orphan: bool,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let before = sqlx::query!(
        r#"UPDATE resources SET deleted_at = now(), deletion = $3, status = 'deleting',
                  generation = generation + 1, updated_at = now()
            WHERE id = $1 AND team_id = $2 AND deleted_at IS NULL
            RETURNING kind, spec"#,
        id,
        team_id,
        if orphan { "orphan" } else { "delete" }
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = before else {
        return Ok(false);
    };
    let action = format!(
        "{}.{}",
        before.kind,
        if orphan { "orphan" } else { "delete" }
    );
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        &action,
        Some(id),
        Some(before.spec),
        None,
    )
    .await?;
    enqueue(&mut tx, id, Release::OnApply).await?;
    event(&mut *tx, team_id, id, "deletion requested", None).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn list(
    pool: &PgPool,
    team_id: Uuid,
    kind: Kind,
) -> Result<Vec<ResourceRow>, sqlx::Error> {
    select_resources!(
        "WHERE team_id = $1 AND kind = $2 ORDER BY name",
        team_id,
        kind.as_str()
    )
    .fetch_all(pool)
    .await
}

/// One page of the team's resources of a kind, by name.
pub async fn list_page(
    pool: &PgPool,
    team_id: Uuid,
    kind: Kind,
    limit: i64,
    offset: i64,
) -> Result<Vec<ResourceRow>, sqlx::Error> {
    select_resources!(
        "WHERE team_id = $1 AND kind = $2 ORDER BY name LIMIT $3 OFFSET $4",
        team_id,
        kind.as_str(),
        limit,
        offset
    )
    .fetch_all(pool)
    .await
}

/// How many resources of a kind the team has.
pub async fn count(pool: &PgPool, team_id: Uuid, kind: Kind) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM resources WHERE team_id = $1 AND kind = $2"#,
        team_id,
        kind.as_str()
    )
    .fetch_one(pool)
    .await
}

pub async fn all_of_team(pool: &PgPool, team_id: Uuid) -> Result<Vec<ResourceRow>, sqlx::Error> {
    select_resources!("WHERE team_id = $1 ORDER BY kind, name", team_id)
        .fetch_all(pool)
        .await
}

/// A resource of the team; another team's id is None, as if it did not exist.
pub async fn get(
    pool: &PgPool,
    team_id: Uuid,
    id: Uuid,
) -> Result<Option<ResourceRow>, sqlx::Error> {
    select_resources!("WHERE id = $1 AND team_id = $2", id, team_id)
        .fetch_optional(pool)
        .await
}

/// For workers, which act for every team.
pub async fn get_for_worker(pool: &PgPool, id: Uuid) -> Result<Option<ResourceRow>, sqlx::Error> {
    select_resources!("WHERE id = $1", id)
        .fetch_optional(pool)
        .await
}

/// The ARNs of the team's topics that exist in AWS, by resource id.
pub async fn topic_arns(pool: &PgPool, team_id: Uuid) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, aws_id AS "aws_id!" FROM resources
            WHERE team_id = $1 AND kind = 'topic' AND aws_id IS NOT NULL AND deleted_at IS NULL"#,
        team_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.aws_id)).collect())
}

/// A job a worker holds until `claimed_until`.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub resource_id: Uuid,
    /// The job's sequence when claimed: a newer change has a higher one.
    pub seq: i64,
    pub attempts: i32,
}

/// Claims up to `limit` due jobs for `worker`. `SKIP LOCKED` lets every replica claim at once
/// without waiting on each other; the lease lets another worker take over a crashed one's job.
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    lease_seconds: i64,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        r#"UPDATE jobs SET claimed_by = $1, claimed_until = now() + $2::bigint * interval '1 second'
            WHERE resource_id IN (
                SELECT resource_id FROM jobs
                 WHERE run_after <= now() AND (claimed_until IS NULL OR claimed_until < now())
                 ORDER BY run_after
                 LIMIT $3
                 FOR UPDATE SKIP LOCKED)
            RETURNING resource_id, seq, attempts"#,
        worker,
        lease_seconds,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The job is done: removed, unless a newer change arrived while it ran (then released, to
/// run again at once).
pub async fn finish(pool: &PgPool, job: &Claimed, worker: &str) -> Result<(), sqlx::Error> {
    let deleted = sqlx::query!(
        "DELETE FROM jobs WHERE resource_id = $1 AND seq = $2 AND claimed_by = $3",
        job.resource_id,
        job.seq,
        worker
    )
    .execute(pool)
    .await?;
    if deleted.rows_affected() == 0 {
        release(pool, job, worker).await?;
    }
    Ok(())
}

/// Gives the job back (unclaimed) if this worker still holds it.
async fn release(pool: &PgPool, job: &Claimed, worker: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL WHERE resource_id = $1 AND claimed_by = $2",
        job.resource_id,
        worker
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Extends the lease on a claimed job before running it; false when the lease ran out and
/// another worker took the job (then this one must leave it alone).
pub async fn renew(
    pool: &PgPool,
    job: &Claimed,
    worker: &str,
    lease_seconds: i64,
) -> Result<bool, sqlx::Error> {
    let renewed = sqlx::query!(
        r#"UPDATE jobs SET claimed_until = now() + $3::bigint * interval '1 second'
            WHERE resource_id = $1 AND claimed_by = $2"#,
        job.resource_id,
        worker,
        lease_seconds
    )
    .execute(pool)
    .await?;
    Ok(renewed.rows_affected() > 0)
}

/// Runs the job again after `delay_ms`, unless a newer change already re-queued it.
pub async fn retry(
    pool: &PgPool,
    job: &Claimed,
    worker: &str,
    delay_ms: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE jobs SET attempts = attempts + 1,
                  run_after = now() + $4::bigint * interval '1 millisecond',
                  claimed_by = NULL, claimed_until = NULL, last_error = $5
            WHERE resource_id = $1 AND seq = $2 AND claimed_by = $3"#,
        job.resource_id,
        job.seq,
        worker,
        delay_ms,
        error
    )
    .execute(pool)
    .await?;
    // A newer change arrived meanwhile: leave it to run as queued.
    release(pool, job, worker).await
}

/// The marker written (and committed) before an AWS create call.
pub async fn mark_create_started(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE resources SET create_started_at = now() WHERE id = $1 AND create_started_at IS NULL",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// AWS now matches `generation` of the spec.
pub async fn record_in_sync(
    pool: &PgPool,
    id: Uuid,
    generation: i64,
    aws_id: &str,
    observed: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        // The AWS id is kept even when a deletion was asked for meanwhile: the delete job
        // needs it to remove what was just made. Only the status waits for deleted_at.
        r#"UPDATE resources
              SET status = CASE WHEN deleted_at IS NULL AND generation = $2 THEN 'in_sync'
                                ELSE status END,
                  observed_generation = CASE WHEN deleted_at IS NULL
                                             THEN greatest(observed_generation, $2)
                                             ELSE observed_generation END,
                  aws_id = $3, observed = $4, observed_at = now(),
                  drift = CASE WHEN deleted_at IS NULL THEN NULL ELSE drift END,
                  last_error = CASE WHEN deleted_at IS NULL THEN NULL ELSE last_error END,
                  create_started_at = NULL
            WHERE id = $1"#,
        id,
        generation,
        aws_id,
        observed
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The apply failed (or waits on something): the status says so, with the reason.
/// Only for the generation that failed: a newer edit keeps its own status.
pub async fn record_error(
    pool: &PgPool,
    id: Uuid,
    generation: i64,
    status: &str,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE resources SET status = $3, last_error = $4 WHERE id = $1 AND generation = $2 AND deleted_at IS NULL",
        id,
        generation,
        status,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether a resource with this id exists, in any team.
pub async fn exists(pool: &PgPool, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM resources WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await
}

/// The apply waits on AWS (targets draining): say so, also on a resource being deleted,
/// whose status stays as it is.
pub async fn record_waiting(
    pool: &PgPool,
    id: Uuid,
    generation: i64,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE resources SET last_error = $3,
                status = CASE WHEN deleted_at IS NULL THEN 'pending' ELSE status END
          WHERE id = $1 AND generation = $2",
    )
    .bind(id)
    .bind(generation)
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// What a resync found. Writes only when something changed, so that a resync of resources
/// in sync writes nothing.
/// Only when the resource is still at the generation the resync compared against, and that
/// generation is applied: a resync never judges a newer spec by an older one.
pub async fn record_drift(
    pool: &PgPool,
    id: Uuid,
    generation: i64,
    drift: Option<&Value>,
    observed: Option<&Value>,
) -> Result<bool, sqlx::Error> {
    let status = if drift.is_some() {
        "drifted"
    } else {
        "in_sync"
    };
    let updated = sqlx::query!(
        r#"UPDATE resources SET status = $2, drift = $3, observed = coalesce($4, observed), observed_at = now()
            WHERE id = $1 AND deleted_at IS NULL AND status IN ('in_sync', 'drifted')
              AND generation = $5 AND observed_generation = generation
              AND (status <> $2 OR drift IS DISTINCT FROM $3)"#,
        id,
        status,
        drift,
        observed,
        generation
    )
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// The resource is gone from AWS (or orphaned): Belfry forgets it. Its history stays.
pub async fn forget(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM resources WHERE id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn self_heal(pool: &PgPool, team_id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query_scalar!("SELECT self_heal FROM teams WHERE id = $1", team_id)
            .fetch_optional(pool)
            .await?
            .unwrap_or(false),
    )
}

/// Re-queues a drifted resource (self-heal), outside a person's change: only while it is
/// still drifted at the generation the resync saw (a held change stays held, see enqueue).
pub async fn requeue(pool: &PgPool, id: Uuid, generation: i64) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let still = sqlx::query_scalar!(
        r#"SELECT id FROM resources
            WHERE id = $1 AND generation = $2 AND status = 'drifted' AND deleted_at IS NULL
            FOR UPDATE"#,
        id,
        generation
    )
    .fetch_optional(&mut *tx)
    .await?;
    if still.is_none() {
        return Ok(false);
    }
    enqueue(&mut tx, id, Release::Now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Teams with anything to resync.
pub async fn teams_with_resources(pool: &PgPool) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT DISTINCT team_id FROM resources")
        .fetch_all(pool)
        .await
}

/// Marks a pending subscription for its confirmation to be sent again, and runs it now.
pub async fn request_resend(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let found = sqlx::query!(
        r#"UPDATE resources SET observed = coalesce(observed, '{}'::jsonb) || '{"resend": true}'::jsonb
            WHERE id = $1 AND team_id = $2 AND kind = 'subscription' AND deleted_at IS NULL"#,
        id,
        team_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if !found {
        return Ok(false);
    }
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "subscription.resend",
        Some(id),
        None,
        None,
    )
    .await?;
    enqueue(&mut tx, id, Release::Now).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn set_self_heal(
    pool: &PgPool,
    team_id: Uuid,
    user_id: Uuid,
    on: bool,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let before = sqlx::query_scalar!(
        "SELECT self_heal FROM teams WHERE id = $1 FOR UPDATE",
        team_id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("UPDATE teams SET self_heal = $2 WHERE id = $1", team_id, on)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(team_id),
        Some(user_id),
        "team.self_heal",
        None,
        Some(serde_json::json!({ "self_heal": before })),
        Some(serde_json::json!({ "self_heal": on })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
