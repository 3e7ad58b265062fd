//! The reconciler (shared/DESIGN.md, "State: spec, status, plan, apply"): workers claim jobs,
//! read AWS, compare with the pure diff, and apply; a periodic resync marks drift.
//!
//! Every step is idempotent, so a run that dies anywhere is repaired by the next: alarms are
//! put by name, topics created by name, subscriptions made by topic and endpoint, each of which
//! AWS answers with the existing resource instead of a second one. Before a create call the
//! worker commits a marker (`create_started_at`); after it, the status write clears it.
mod balancer;
pub mod budget;
pub mod resync;

use crate::aws::{Aws, AwsError, Tags, cloudwatch, elbv2, eventbridge, lambda, scheduler, sns};
use app::db::resources::{self as db, Claimed, ResourceRow};
use app::domain::alarm::{AlarmSpec, diff};
use app::domain::plan::Kind;
use app::domain::rule::{RuleConfig, RuleSpec, TargetConfig, TargetRef};
use app::domain::schedule::ScheduleSpec;
use app::domain::topic::{SubscriptionSpec, TopicSpec};
use budget::Budget;
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Places where a test can make the worker stop as if the process died there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    /// The AWS create call succeeded; the status write has not happened.
    AfterCreateCall,
}

/// Returns true to "crash" at that point. Tests only; production has none.
pub type FaultHook = Arc<dyn Fn(FaultPoint, Kind) -> bool + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The stored spec does not parse: a person must fix it.
    #[error("{0}")]
    Invalid(String),
    /// The fault hook fired: stop without writing anything more.
    #[error("stopped by a test fault at {0:?}")]
    Crashed(FaultPoint),
}

/// What one job's run came to.
enum Outcome {
    Done,
    /// Something it depends on is not there yet (a topic without an ARN).
    Waiting(String),
    /// Something in AWS takes its time (targets draining): run again after this many
    /// milliseconds.
    Later(String, i64),
}

#[derive(Clone)]
pub struct Reconciler {
    pub pool: PgPool,
    /// The server's own AWS configuration; a team's connection refines it.
    pub aws: Aws,
    pub worker_id: String,
    pub lease_seconds: i64,
    pub budget: Budget,
    /// Retry backoff: `base * 2^attempts`, capped, with jitter.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How long to wait before looking again at targets that drain.
    pub drain_check: Duration,
    pub fault: Option<FaultHook>,
}

impl Reconciler {
    pub fn new(pool: PgPool, aws: Aws) -> Self {
        Reconciler {
            pool,
            aws,
            worker_id: format!("{}-{}", hostname(), Uuid::new_v4().simple()),
            lease_seconds: 120,
            budget: Budget::default(),
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(300),
            drain_check: Duration::from_secs(15),
            fault: None,
        }
    }

    /// Runs jobs and resyncs until the task is dropped.
    pub async fn run(self, resync_every: Duration) {
        let mut last_resync = tokio::time::Instant::now();
        loop {
            match self.run_once().await {
                Ok(0) => tokio::time::sleep(Duration::from_millis(500)).await,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "reconciler: claiming jobs failed; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
            if last_resync.elapsed() >= resync_every {
                last_resync = tokio::time::Instant::now();
                if let Err(error) = self.resync_all().await {
                    tracing::warn!(%error, "resync failed");
                }
            }
        }
    }

    /// Claims the due jobs and runs them; returns how many it ran.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        let jobs = db::claim(&self.pool, &self.worker_id, self.lease_seconds, 16).await?;
        let count = jobs.len();
        // Topics before what names them, deletions of topics after.
        let mut rows = Vec::with_capacity(count);
        for job in jobs {
            let row = db::get_for_worker(&self.pool, job.resource_id).await?;
            rows.push((job, row));
        }
        rows.sort_by_key(|(_, row)| {
            row.as_ref().map_or((false, 0), |row| {
                let rank = row.kind().map_or(0, |k| k as i32);
                let deleting = row.deleted_at.is_some();
                (deleting, if deleting { -rank } else { rank })
            })
        });
        for (job, _) in rows {
            // The lease is renewed before each job, and the row read again: a job whose lease
            // ran out while earlier ones ran may be another worker's now.
            if !db::renew(&self.pool, &job, &self.worker_id, self.lease_seconds).await? {
                continue;
            }
            let row = db::get_for_worker(&self.pool, job.resource_id).await?;
            self.run_job(job, row).await?;
        }
        Ok(count)
    }

    /// Runs jobs until none is due (for the CLI and tests). Jobs waiting for a retry later
    /// than `patience` from now are left.
    pub async fn drain(&self, patience: Duration) -> Result<(), sqlx::Error> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let ran = self.run_once().await?;
            if ran == 0 {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM jobs WHERE run_after <> 'infinity'::timestamptz",
                )
                .fetch_one(&self.pool)
                .await?;
                if waiting == 0 || tokio::time::Instant::now() >= deadline {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    async fn run_job(&self, job: Claimed, row: Option<ResourceRow>) -> Result<(), sqlx::Error> {
        let Some(row) = row else {
            return db::finish(&self.pool, &job, &self.worker_id).await;
        };
        let result = self.apply(&row).await;
        match result {
            Ok(Outcome::Done) => db::finish(&self.pool, &job, &self.worker_id).await,
            Ok(Outcome::Waiting(reason)) => {
                db::record_error(&self.pool, row.id, row.generation, "pending", &reason).await?;
                let delay = self.backoff_ms(job.attempts);
                db::retry(&self.pool, &job, &self.worker_id, delay, &reason).await
            }
            Ok(Outcome::Later(reason, delay)) => {
                db::record_waiting(&self.pool, row.id, row.generation, &reason).await?;
                db::retry(&self.pool, &job, &self.worker_id, delay, &reason).await
            }
            Err(ApplyError::Crashed(point)) => {
                tracing::warn!(resource = %row.id, ?point, "test fault: the worker stops here");
                Ok(())
            }
            Err(ApplyError::Database(error)) => Err(error),
            Err(error) => {
                let message = error.to_string();
                tracing::info!(resource = %row.id, kind = %row.kind, error = %message, "apply failed; will retry");
                db::record_error(&self.pool, row.id, row.generation, "error", &message).await?;
                db::event(
                    &self.pool,
                    row.team_id,
                    row.id,
                    "apply failed",
                    Some(json!({ "error": message })),
                )
                .await?;
                let delay = self.backoff_ms(job.attempts);
                db::retry(&self.pool, &job, &self.worker_id, delay, &message).await
            }
        }
    }

    fn backoff_ms(&self, attempts: i32) -> i64 {
        backoff_ms(
            self.backoff_base,
            self.backoff_cap,
            attempts,
            rand::random(),
        )
    }

    fn crash(&self, point: FaultPoint, kind: Kind) -> Result<(), ApplyError> {
        match &self.fault {
            Some(hook) if hook(point, kind) => Err(ApplyError::Crashed(point)),
            _ => Ok(()),
        }
    }

    /// The AWS configuration for the team: its connection's region, endpoint and role, or the
    /// server's own when it has none.
    pub async fn aws_for(&self, team_id: Uuid) -> Result<Aws, sqlx::Error> {
        let connection = app::db::identity::aws_connection(&self.pool, team_id).await?;
        Ok(match connection {
            Some(c) => {
                self.aws
                    .for_team(
                        &c.region,
                        c.endpoint_url.as_deref(),
                        c.role_arn
                            .as_deref()
                            .map(|arn| (arn, c.external_id.as_str())),
                    )
                    .await
            }
            None => self.aws.clone(),
        })
    }

    /// Takes a token of the shared budget for this API call.
    async fn spend(&self, aws: &Aws, api: &str) -> Result<(), sqlx::Error> {
        let key = format!(
            "{}|{}|{}|{}",
            aws.endpoint_url().unwrap_or("aws"),
            aws.identity().unwrap_or("server"),
            aws.region().unwrap_or_default(),
            api
        );
        self.budget.take(&self.pool, &key).await
    }

    async fn apply(&self, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let aws = self.aws_for(row.team_id).await?;
        match row.kind() {
            Some(Kind::Alarm) => self.apply_alarm(&aws, row).await,
            Some(Kind::Topic) => self.apply_topic(&aws, row).await,
            Some(Kind::Subscription) => self.apply_subscription(&aws, row).await,
            Some(Kind::Rule) => self.apply_rule(&aws, row).await,
            Some(Kind::Schedule) => self.apply_schedule(&aws, row).await,
            Some(Kind::LoadBalancer) => self.apply_balancer(&aws, row).await,
            None => Err(ApplyError::Invalid(format!("unknown kind {}", row.kind))),
        }
    }

    async fn topic_arns(&self, team_id: Uuid) -> Result<HashMap<Uuid, String>, sqlx::Error> {
        Ok(db::topic_arns(&self.pool, team_id)
            .await?
            .into_iter()
            .collect())
    }

    async fn apply_alarm(&self, aws: &Aws, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let client = aws.cloudwatch();
        if row.deleted_at.is_some() {
            // Without an AWS id, a create that started (the marker) may still have made it:
            // the name it was made under is the spec's.
            let name = row.aws_id.clone().or_else(|| {
                row.create_started_at?;
                parse_spec::<AlarmSpec>(row).ok().map(|spec| spec.name)
            });
            if row.deletion == "delete"
                && let Some(name) = name
            {
                self.spend(aws, "cloudwatch:DeleteAlarms").await?;
                cloudwatch::delete(&client, std::slice::from_ref(&name)).await?;
            }
            return self.forget(row).await;
        }
        let spec: AlarmSpec = parse_spec(row)?;
        let spec = spec
            .validate()
            .map_err(|e| ApplyError::Invalid(e.to_string()))?;
        let arns = self.topic_arns(row.team_id).await?;
        let Some(desired) = spec.resolve(|id| arns.get(&id).cloned()) else {
            return Ok(Outcome::Waiting(
                "Waiting for a topic it notifies to be created.".to_owned(),
            ));
        };
        let tags = Tags {
            team: row.team_id,
            resource: row.id,
        };
        self.spend(aws, "cloudwatch:DescribeAlarms").await?;
        let observed = cloudwatch::describe(&client, std::slice::from_ref(&desired.name))
            .await?
            .into_iter()
            .next();
        match observed {
            None => {
                db::mark_create_started(&self.pool, row.id).await?;
                self.spend(aws, "cloudwatch:PutMetricAlarm").await?;
                cloudwatch::put(&client, &desired, &tags).await?;
                self.crash(FaultPoint::AfterCreateCall, Kind::Alarm)?;
                db::event(&self.pool, row.team_id, row.id, "created", None).await?;
            }
            Some(observed) => {
                // Declared, never applied, yet an alarm of that name exists: unless it carries
                // this resource's tag (a create that died before its status write), it is
                // someone else's, and putting ours would take it over.
                if row.aws_id.is_none()
                    && let Some(arn) = &observed.arn
                {
                    self.spend(aws, "cloudwatch:ListTagsForResource").await?;
                    let ours = cloudwatch::tags(&client, arn)
                        .await?
                        .iter()
                        .any(|(k, v)| k == "belfry-resource" && *v == row.id.to_string());
                    if !ours {
                        return Err(ApplyError::Invalid(format!(
                            "An alarm named {} exists in AWS and is not this one: adopt it from Import, or choose another name.",
                            desired.name
                        )));
                    }
                }
                let changes = diff(&desired, &observed.config);
                if !changes.is_empty() {
                    self.spend(aws, "cloudwatch:PutMetricAlarm").await?;
                    cloudwatch::put(&client, &desired, &tags).await?;
                    db::event(
                        &self.pool,
                        row.team_id,
                        row.id,
                        "updated",
                        Some(serde_json::to_value(&changes).unwrap_or_default()),
                    )
                    .await?;
                }
                // Adopted: Belfry found it rather than made it. Tag it as managed.
                if row.observed_generation == 0
                    && row.create_started_at.is_none()
                    && let Some(arn) = &observed.arn
                {
                    self.spend(aws, "cloudwatch:TagResource").await?;
                    cloudwatch::tag(&client, arn, &tags).await?;
                }
            }
        }
        // A rename: the alarm under the old name goes once the new one exists.
        if let Some(old) = row.aws_id.as_ref().filter(|old| **old != desired.name) {
            self.spend(aws, "cloudwatch:DeleteAlarms").await?;
            cloudwatch::delete(&client, std::slice::from_ref(old)).await?;
        }
        let observed = serde_json::to_value(&desired).unwrap_or_default();
        db::record_in_sync(&self.pool, row.id, row.generation, &desired.name, &observed).await?;
        Ok(Outcome::Done)
    }

    async fn apply_topic(&self, aws: &Aws, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let client = aws.sns();
        if row.deleted_at.is_some() {
            let mut arn = row.aws_id.clone();
            if arn.is_none() && row.create_started_at.is_some() && row.deletion == "delete" {
                // A create that started may have made it: find it by name.
                let name = parse_spec::<TopicSpec>(row)?.name;
                self.spend(aws, "sns:ListTopics").await?;
                arn = sns::list_topics(&client)
                    .await?
                    .into_iter()
                    .find(|a| a.rsplit(':').next() == Some(name.as_str()));
            }
            if row.deletion == "delete"
                && let Some(arn) = &arn
            {
                self.spend(aws, "sns:DeleteTopic").await?;
                sns::delete_topic(&client, arn).await?;
            }
            return self.forget(row).await;
        }
        let spec: TopicSpec = parse_spec(row)?;
        let spec = spec
            .validate()
            .map_err(|e| ApplyError::Invalid(e.to_string()))?;
        let existing = match &row.aws_id {
            Some(arn) => {
                self.spend(aws, "sns:GetTopicAttributes").await?;
                sns::topic(&client, arn).await?
            }
            None => None,
        };
        let arn = match existing {
            Some(topic) => {
                if topic.display_name != spec.display_name {
                    self.spend(aws, "sns:SetTopicAttributes").await?;
                    sns::set_display_name(&client, &topic.arn, &spec.display_name).await?;
                }
                // Adopted: Belfry found it rather than made it. Tag it as managed.
                if row.observed_generation == 0 && row.create_started_at.is_none() {
                    self.spend(aws, "sns:TagResource").await?;
                    let tags = Tags {
                        team: row.team_id,
                        resource: row.id,
                    };
                    sns::tag_topic(&client, &topic.arn, &tags).await?;
                }
                topic.arn
            }
            None => {
                db::mark_create_started(&self.pool, row.id).await?;
                self.spend(aws, "sns:CreateTopic").await?;
                let tags = Tags {
                    team: row.team_id,
                    resource: row.id,
                };
                let arn = sns::create_topic(&client, &spec.name, &spec.display_name, &tags).await?;
                self.crash(FaultPoint::AfterCreateCall, Kind::Topic)?;
                db::event(&self.pool, row.team_id, row.id, "created", None).await?;
                arn
            }
        };
        let observed = json!({ "arn": arn, "display_name": spec.display_name });
        db::record_in_sync(&self.pool, row.id, row.generation, &arn, &observed).await?;
        Ok(Outcome::Done)
    }

    async fn apply_subscription(
        &self,
        aws: &Aws,
        row: &ResourceRow,
    ) -> Result<Outcome, ApplyError> {
        let client = aws.sns();
        let spec: SubscriptionSpec = parse_spec(row)?;
        let arns = self.topic_arns(row.team_id).await?;
        if row.deleted_at.is_some() {
            match row.aws_id.as_deref() {
                Some(arn) if row.deletion == "delete" && arn.starts_with("arn:") => {
                    self.spend(aws, "sns:Unsubscribe").await?;
                    sns::unsubscribe(&client, arn).await?;
                }
                Some(_) if row.deletion == "delete" => {
                    // SNS cannot remove a subscription that was never confirmed: it lapses
                    // when its token expires. Say so in the history.
                    db::event(
                        &self.pool,
                        row.team_id,
                        row.id,
                        "left pending in AWS",
                        Some(json!({ "reason": "SNS cannot unsubscribe a pending confirmation; it lapses within about two days, or goes with its topic." })),
                    )
                    .await?;
                }
                _ => {}
            }
            return self.forget(row).await;
        }
        let spec = spec
            .validate()
            .map_err(|e| ApplyError::Invalid(e.to_string()))?;
        let Some(topic_arn) = arns.get(&spec.topic).cloned() else {
            return Ok(Outcome::Waiting(
                "Waiting for its topic to be created.".to_owned(),
            ));
        };
        self.spend(aws, "sns:ListSubscriptionsByTopic").await?;
        let existing = sns::subscriptions(&client, &topic_arn)
            .await?
            .into_iter()
            .find(|s| s.protocol == spec.protocol.as_str() && s.endpoint == spec.endpoint);
        let resend = row
            .observed
            .as_ref()
            .and_then(|o| o.get("resend"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let previous_request = row
            .observed
            .as_ref()
            .and_then(|o| o.get("requested_at"))
            .cloned();
        let (arn, requested_at) = match existing {
            Some(found) if found.arn.is_some() || !resend => (
                found.arn,
                previous_request.unwrap_or_else(|| json!(chrono::Utc::now())),
            ),
            _ => {
                if row.aws_id.is_none() {
                    db::mark_create_started(&self.pool, row.id).await?;
                }
                self.spend(aws, "sns:Subscribe").await?;
                let arn =
                    sns::subscribe(&client, &topic_arn, spec.protocol, &spec.endpoint).await?;
                self.crash(FaultPoint::AfterCreateCall, Kind::Subscription)?;
                let what = if resend {
                    "confirmation sent again"
                } else {
                    "subscribed"
                };
                db::event(&self.pool, row.team_id, row.id, what, None).await?;
                (arn, json!(chrono::Utc::now()))
            }
        };
        let pending = arn.is_none();
        let aws_id = arn.unwrap_or_else(|| sns::PENDING.to_owned());
        let observed = json!({
            "topic_arn": topic_arn,
            "pending": pending,
            "requested_at": requested_at,
        });
        db::record_in_sync(&self.pool, row.id, row.generation, &aws_id, &observed).await?;
        Ok(Outcome::Done)
    }

    async fn apply_rule(&self, aws: &Aws, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let client = aws.eventbridge();
        let spec: RuleSpec = parse_spec(row)?;
        // The targets of the last apply: what AWS had when Belfry last looked.
        let last_applied: Vec<TargetConfig> = row
            .observed
            .clone()
            .and_then(|o| serde_json::from_value::<RuleConfig>(o).ok())
            .map(|c| c.targets)
            .unwrap_or_default();
        if row.deleted_at.is_some() {
            // The rule in AWS is under the name it was applied with (a rename may wait in
            // the plan), or the spec's when a create started and died before its status.
            let name = row
                .aws_id
                .clone()
                .or_else(|| row.create_started_at.map(|_| spec.name.clone()));
            if row.deletion == "delete"
                && let Some(name) = name
            {
                let mut functions: Vec<String> =
                    last_applied.iter().map(|t| t.arn.clone()).collect();
                functions.extend(spec.targets.iter().filter_map(|t| match &t.target {
                    TargetRef::Lambda(arn) => Some(arn.clone()),
                    _ => None,
                }));
                self.remove_rule(aws, &name, functions).await?;
            }
            return self.forget(row).await;
        }
        // Checked again here, against the clock of the apply: still a schedule that runs.
        let spec = spec
            .validate(chrono::Utc::now())
            .map_err(|e| ApplyError::Invalid(e.to_string()))?;
        let arns = self.topic_arns(row.team_id).await?;
        let Some(desired) = spec.resolve(|id| arns.get(&id).cloned()) else {
            return Ok(Outcome::Waiting(
                "Waiting for a topic it targets to be created.".to_owned(),
            ));
        };
        self.spend(aws, "events:DescribeRule").await?;
        let observed = eventbridge::describe(&client, &desired.name).await?;
        let tags = Tags {
            team: row.team_id,
            resource: row.id,
        };
        let rule_differs = observed
            .as_ref()
            .is_none_or(|o| desired.rule_differs(&o.config));
        let mut rule_arn = observed.as_ref().map(|o| o.arn.clone());
        if rule_differs {
            if observed.is_none() {
                db::mark_create_started(&self.pool, row.id).await?;
            }
            self.spend(aws, "events:PutRule").await?;
            rule_arn = Some(eventbridge::put_rule(&client, &desired, &tags).await?);
            self.crash(FaultPoint::AfterCreateCall, Kind::Rule)?;
        }
        let rule_arn = rule_arn.unwrap_or_default();
        let have = observed.map(|o| o.config.targets).unwrap_or_default();
        // A function this rule no longer targets (its target removed, or pointed elsewhere
        // under the same id) loses the permission Belfry gave it. Revoked before the targets
        // change, from what AWS has and what the last apply left, so that a failure half-way
        // leaves the revoke to the retry.
        let lambda = aws.lambda();
        let sid = lambda::statement_id(&desired.name);
        let mut revoked: Vec<&str> = have
            .iter()
            .chain(&last_applied)
            .map(|t| t.arn.as_str())
            .filter(|arn| is_function(arn) && !desired.targets.iter().any(|d| d.arn == *arn))
            .collect();
        revoked.sort_unstable();
        revoked.dedup();
        for function in revoked {
            self.spend(aws, "lambda:RemovePermission").await?;
            lambda::revoke(&lambda, function, &sid).await?;
        }
        // Targets that should not be there (also ones added outside Belfry).
        let extra: Vec<&TargetConfig> = have
            .iter()
            .filter(|t| !desired.targets.iter().any(|d| d.id == t.id))
            .collect();
        let ids: Vec<String> = extra.iter().map(|t| t.id.clone()).collect();
        self.spend(aws, "events:RemoveTargets").await?;
        eventbridge::remove_targets(&client, &desired.name, &ids).await?;
        // EventBridge can invoke a function only if the function's policy lets it: checked
        // on every apply, so a statement removed by hand comes back.
        let mut functions: Vec<&str> = desired
            .targets
            .iter()
            .map(|t| t.arn.as_str())
            .filter(|arn| is_function(arn))
            .collect();
        functions.sort_unstable();
        functions.dedup();
        for function in functions {
            self.spend(aws, "lambda:GetPolicy").await?;
            if !lambda::has_statement(&lambda, function, &sid).await? {
                self.spend(aws, "lambda:AddPermission").await?;
                lambda::allow_rule(&lambda, function, &sid, &rule_arn).await?;
                db::event(
                    &self.pool,
                    row.team_id,
                    row.id,
                    "allowed EventBridge to invoke",
                    Some(json!({ "function": function })),
                )
                .await?;
            }
        }
        let changed: Vec<_> = desired
            .targets
            .iter()
            .filter(|d| !have.iter().any(|h| h.same_as(d)))
            .cloned()
            .collect();
        self.spend(aws, "events:PutTargets").await?;
        eventbridge::put_targets(&client, &desired.name, &changed).await?;
        // A rename: the old rule goes once the new one exists.
        if let Some(old) = row.aws_id.as_ref().filter(|old| **old != desired.name) {
            let functions = last_applied.iter().map(|t| t.arn.clone()).collect();
            self.remove_rule(aws, old, functions).await?;
        }
        if rule_differs || !extra.is_empty() || !changed.is_empty() {
            db::event(&self.pool, row.team_id, row.id, "applied", None).await?;
        }
        let observed = serde_json::to_value(&desired).unwrap_or_default();
        db::record_in_sync(&self.pool, row.id, row.generation, &desired.name, &observed).await?;
        Ok(Outcome::Done)
    }

    /// Deletes a rule: first the permission Belfry gave each function it targets or may
    /// have targeted (`functions`, from the spec and the last apply), then its targets (AWS
    /// refuses to delete a rule that has any), then the rule. Each step is repeatable, so a
    /// failure anywhere is finished by the retry.
    async fn remove_rule(
        &self,
        aws: &Aws,
        name: &str,
        mut functions: Vec<String>,
    ) -> Result<(), ApplyError> {
        let client = aws.eventbridge();
        self.spend(aws, "events:DescribeRule").await?;
        let found = eventbridge::describe(&client, name).await?;
        if let Some(found) = &found {
            functions.extend(found.config.targets.iter().map(|t| t.arn.clone()));
        }
        functions.retain(|arn| is_function(arn));
        functions.sort_unstable();
        functions.dedup();
        let lambda = aws.lambda();
        let sid = lambda::statement_id(name);
        for function in &functions {
            self.spend(aws, "lambda:RemovePermission").await?;
            lambda::revoke(&lambda, function, &sid).await?;
        }
        let Some(found) = found else {
            return Ok(());
        };
        let ids: Vec<String> = found.config.targets.iter().map(|t| t.id.clone()).collect();
        self.spend(aws, "events:RemoveTargets").await?;
        eventbridge::remove_targets(&client, name, &ids).await?;
        self.spend(aws, "events:DeleteRule").await?;
        eventbridge::delete_rule(&client, name).await?;
        Ok(())
    }

    /// A Scheduler schedule: created, or updated with every field (UpdateSchedule replaces
    /// them all) when AWS differs; a change of name or group makes the new one, then removes
    /// the old. Scheduler has no tags on schedules: one found under the name that Belfry never
    /// applied nor started to create is someone else's, and is left alone.
    async fn apply_schedule(&self, aws: &Aws, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let client = aws.scheduler();
        let spec: ScheduleSpec = parse_spec(row)?;
        let split = |id: &str| -> Option<(String, String)> {
            let (group, name) = id.split_once('/')?;
            Some((group.to_owned(), name.to_owned()))
        };
        // A schedule found under the spec's name is Belfry's when Belfry applied it, or when
        // AWS made it after Belfry's create started (Scheduler keeps no tags to tell).
        let made_by_us = |observed: &scheduler::ObservedSchedule| {
            row.create_started_at.is_some_and(|started| {
                observed
                    .created
                    .is_some_and(|created| created >= started - chrono::TimeDelta::minutes(5))
            })
        };
        if row.deleted_at.is_some() {
            if row.deletion == "delete" {
                let applied = match row.aws_id.as_deref().and_then(split) {
                    Some(applied) => Some(applied),
                    None if row.create_started_at.is_some() => {
                        self.spend(aws, "scheduler:GetSchedule").await?;
                        scheduler::get(&client, &spec.group, &spec.name)
                            .await?
                            .filter(|found| made_by_us(found))
                            .map(|_| (spec.group.clone(), spec.name.clone()))
                    }
                    None => None,
                };
                if let Some((group, name)) = applied {
                    self.spend(aws, "scheduler:DeleteSchedule").await?;
                    scheduler::delete(&client, &group, &name).await?;
                }
            }
            return self.forget(row).await;
        }
        let now = chrono::Utc::now();
        let desired = spec
            .check(now)
            .map_err(|problems| {
                let text: Vec<String> = problems.iter().map(|(_, e)| e.to_string()).collect();
                ApplyError::Invalid(text.join(" "))
            })?
            .as_sent(now);
        let id = desired.id();
        self.spend(aws, "scheduler:GetSchedule").await?;
        match scheduler::get(&client, &desired.group, &desired.name).await? {
            None => {
                self.spend(aws, "scheduler:GetScheduleGroup").await?;
                if scheduler::ensure_group(&client, &desired.group).await? {
                    db::event(
                        &self.pool,
                        row.team_id,
                        row.id,
                        "schedule group created",
                        Some(json!({ "group": desired.group })),
                    )
                    .await?;
                }
                db::mark_create_started(&self.pool, row.id).await?;
                self.spend(aws, "scheduler:CreateSchedule").await?;
                scheduler::create(&client, &desired).await?;
                self.crash(FaultPoint::AfterCreateCall, Kind::Schedule)?;
                db::event(&self.pool, row.team_id, row.id, "created", None).await?;
            }
            Some(observed) => {
                if row.aws_id.as_deref() != Some(id.as_str()) && !made_by_us(&observed) {
                    return Err(ApplyError::Invalid(format!(
                        "A schedule {id} exists in AWS and is not this one: adopt it from Import, or choose another name."
                    )));
                }
                let changes = desired.diff(&observed.spec.as_sent(now));
                if !changes.is_empty() {
                    self.spend(aws, "scheduler:UpdateSchedule").await?;
                    scheduler::update(&client, &desired).await?;
                    db::event(
                        &self.pool,
                        row.team_id,
                        row.id,
                        "updated",
                        Some(serde_json::to_value(&changes).unwrap_or_default()),
                    )
                    .await?;
                }
            }
        }
        if let Some((group, name)) = row
            .aws_id
            .as_deref()
            .filter(|old| *old != id)
            .and_then(split)
        {
            self.spend(aws, "scheduler:DeleteSchedule").await?;
            scheduler::delete(&client, &group, &name).await?;
        }
        let observed = serde_json::to_value(&desired).unwrap_or_default();
        db::record_in_sync(&self.pool, row.id, row.generation, &id, &observed).await?;
        Ok(Outcome::Done)
    }

    async fn forget(&self, row: &ResourceRow) -> Result<Outcome, ApplyError> {
        let what = if row.deletion == "orphan" {
            "orphaned: left in AWS"
        } else {
            "deleted from AWS"
        };
        db::event(&self.pool, row.team_id, row.id, what, None).await?;
        db::forget(&self.pool, row.id).await?;
        Ok(Outcome::Done)
    }
}

/// Capped exponential backoff with jitter: a delay in the upper half of
/// `min(cap, base * 2^attempts)`, picked by `random`, so that replicas retrying together
/// spread out.
pub fn backoff_ms(base: Duration, cap: Duration, attempts: i32, random: u64) -> i64 {
    let exponent = attempts.clamp(0, 30) as u32;
    let ceiling = base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(cap)
        .as_millis() as i64;
    let half = ceiling / 2;
    half + (random % (half.max(1) as u64 + 1)) as i64
}

fn is_function(arn: &str) -> bool {
    app::domain::aws::is_arn_of(arn, "lambda", "function:")
}

fn parse_spec<T: serde::de::DeserializeOwned>(row: &ResourceRow) -> Result<T, ApplyError> {
    serde_json::from_value(row.spec.clone())
        .map_err(|e| ApplyError::Invalid(format!("the stored spec does not parse: {e}")))
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "belfry".to_owned())
}

/// The pages' explicit AWS reads go through the same per-team configuration and budget.
impl app::api::guard::Catalog for Reconciler {
    fn alarms(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<app::api::guard::LiveAlarm>, String>> {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "cloudwatch:DescribeAlarms")
                .await?;
            let alarms = cloudwatch::list_all(&aws.cloudwatch())
                .await
                .map_err(|e| e.message)?;
            Ok(alarms.into_iter().map(live).collect())
        })
    }

    fn alarms_named(
        &self,
        team_id: Uuid,
        names: Vec<String>,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<app::api::guard::LiveAlarm>, String>> {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "cloudwatch:DescribeAlarms")
                .await?;
            let alarms = cloudwatch::describe(&aws.cloudwatch(), &names)
                .await
                .map_err(|e| e.message)?;
            Ok(alarms.into_iter().map(live).collect())
        })
    }

    fn topics(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<(String, String)>, String>> {
        Box::pin(async move {
            let aws = self.catalog_aws(team_id, "sns:ListTopics").await?;
            let client = aws.sns();
            let mut found = Vec::new();
            for arn in sns::list_topics(&client).await.map_err(|e| e.message)? {
                self.spend(&aws, "sns:GetTopicAttributes")
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some(topic) = sns::topic(&client, &arn).await.map_err(|e| e.message)? {
                    found.push((topic.arn, topic.display_name));
                }
            }
            Ok(found)
        })
    }

    fn schedules(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<ScheduleSpec>, String>> {
        Box::pin(async move {
            let aws = self.catalog_aws(team_id, "scheduler:ListSchedules").await?;
            let client = aws.scheduler();
            let mut found = Vec::new();
            for (group, name) in scheduler::list(&client).await.map_err(|e| e.message)? {
                self.spend(&aws, "scheduler:GetSchedule")
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some(schedule) = scheduler::get(&client, &group, &name)
                    .await
                    .map_err(|e| e.message)?
                {
                    found.push(schedule.spec);
                }
            }
            Ok(found)
        })
    }

    fn schedule(
        &self,
        team_id: Uuid,
        group: String,
        name: String,
    ) -> app::api::guard::BoxFuture<'_, Result<Option<app::api::guard::FoundSchedule>, String>>
    {
        Box::pin(async move {
            let aws = self.catalog_aws(team_id, "scheduler:GetSchedule").await?;
            let found = scheduler::get(&aws.scheduler(), &group, &name)
                .await
                .map_err(|e| e.message)?;
            Ok(found.map(|f| {
                (
                    f.spec,
                    f.unmodeled.iter().map(|u| (*u).to_owned()).collect(),
                )
            }))
        })
    }

    fn functions(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<(String, String)>, String>> {
        Box::pin(async move {
            let aws = self.catalog_aws(team_id, "lambda:ListFunctions").await?;
            lambda::list_functions(&aws.lambda())
                .await
                .map_err(|e| e.message)
        })
    }

    fn metrics(
        &self,
        team_id: Uuid,
        namespace: Option<String>,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<app::api::resources::MetricChoice>, String>>
    {
        Box::pin(self.metrics_for(team_id, namespace))
    }

    fn metric_data(
        &self,
        team_id: Uuid,
        config: app::domain::alarm::AlarmConfig,
        hours: i64,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<app::api::guard::Point>, String>> {
        Box::pin(self.metric_data_for(team_id, config, hours))
    }

    fn test_notification(
        &self,
        team_id: Uuid,
        name: String,
    ) -> app::api::guard::BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "cloudwatch:SetAlarmState")
                .await?;
            cloudwatch::set_state(
                &aws.cloudwatch(),
                &name,
                "ALARM",
                "A test notification sent from Belfry; the alarm returns to its real state at its next evaluation.",
            )
            .await
            .map_err(|e| e.message)
        })
    }

    fn network(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<app::domain::balancer::NetworkChoices, String>> {
        Box::pin(async move {
            let aws = self.catalog_aws(team_id, "ec2:DescribeNetwork").await?;
            aws.ec2().network().await.map_err(|e| e.message)
        })
    }

    fn balancer_live(
        &self,
        team_id: Uuid,
        arn: String,
        groups: Vec<(String, String)>,
    ) -> app::api::guard::BoxFuture<'_, Result<app::domain::balancer::BalancerLive, String>> {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "elasticloadbalancing:DescribeLoadBalancers")
                .await?;
            let client = aws.elbv2();
            let lb = elbv2::find_balancer(&client, Some(&arn), "")
                .await
                .map_err(|e| e.message)?
                .ok_or_else(|| "The load balancer is not in AWS any more.".to_owned())?;
            let mut live = app::domain::balancer::BalancerLive {
                dns_name: lb.dns_name,
                state: lb.state,
                groups: Vec::new(),
            };
            for (name, group_arn) in groups {
                self.spend(&aws, "elasticloadbalancing:DescribeTargetHealth")
                    .await
                    .map_err(|e| e.to_string())?;
                let health = elbv2::target_health(&client, &group_arn)
                    .await
                    .map_err(|e| e.message)?
                    .unwrap_or_default();
                live.groups.push((name, health));
            }
            Ok(live)
        })
    }

    fn balancers(
        &self,
        team_id: Uuid,
    ) -> app::api::guard::BoxFuture<'_, Result<Vec<app::api::guard::BalancerFound>, String>> {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "elasticloadbalancing:DescribeLoadBalancers")
                .await?;
            let client = aws.elbv2();
            let found = elbv2::list_balancers(&client)
                .await
                .map_err(|e| e.message)?;
            let arns: Vec<String> = found.iter().map(|(arn, _)| arn.clone()).collect();
            self.spend(&aws, "elasticloadbalancing:DescribeTags")
                .await
                .map_err(|e| e.to_string())?;
            let tags = elbv2::tags_of(&client, &arns)
                .await
                .map_err(|e| e.message)?;
            Ok(found
                .into_iter()
                .map(|(arn, name)| {
                    let tag = tags
                        .get(&arn)
                        .and_then(|t| t.get("belfry-resource"))
                        .cloned();
                    (arn, name, tag)
                })
                .collect())
        })
    }

    fn balancer(
        &self,
        team_id: Uuid,
        arn: String,
    ) -> app::api::guard::BoxFuture<'_, Result<Option<app::api::guard::FoundBalancer>, String>>
    {
        Box::pin(async move {
            let aws = self
                .catalog_aws(team_id, "elasticloadbalancing:DescribeLoadBalancers")
                .await?;
            let client = aws.elbv2();
            let Some(lb) = elbv2::find_balancer(&client, Some(&arn), "")
                .await
                .map_err(|e| e.message)?
            else {
                return Ok(None);
            };
            self.spend(&aws, "elasticloadbalancing:DescribeListeners")
                .await
                .map_err(|e| e.to_string())?;
            let observed = elbv2::observe(&client, &lb, &[])
                .await
                .map_err(|e| e.message)?;
            Ok(Some((observed.setup, observed.unmodeled)))
        })
    }
}

impl Reconciler {
    /// The team's AWS configuration with a token of the budget taken for `api`: the start
    /// of every read the pages ask for.
    async fn catalog_aws(&self, team_id: Uuid, api: &str) -> Result<Aws, String> {
        let aws = self.aws_for(team_id).await.map_err(|e| e.to_string())?;
        self.spend(&aws, api).await.map_err(|e| e.to_string())?;
        Ok(aws)
    }

    async fn metrics_for(
        &self,
        team_id: Uuid,
        namespace: Option<String>,
    ) -> Result<Vec<app::api::resources::MetricChoice>, String> {
        let aws = self.catalog_aws(team_id, "cloudwatch:ListMetrics").await?;
        let found = cloudwatch::list_metrics(&aws.cloudwatch(), namespace.as_deref(), 200)
            .await
            .map_err(|e| e.message)?;
        Ok(found
            .into_iter()
            .map(
                |(namespace, metric_name, dimensions)| app::api::resources::MetricChoice {
                    namespace,
                    metric_name,
                    dimensions,
                },
            )
            .collect())
    }

    async fn metric_data_for(
        &self,
        team_id: Uuid,
        config: app::domain::alarm::AlarmConfig,
        hours: i64,
    ) -> Result<Vec<(chrono::DateTime<chrono::Utc>, f64)>, String> {
        let aws = self
            .catalog_aws(team_id, "cloudwatch:GetMetricData")
            .await?;
        cloudwatch::metric_data(&aws.cloudwatch(), &config, hours)
            .await
            .map_err(|e| e.message)
    }
}

fn live(alarm: cloudwatch::ObservedAlarm) -> app::api::guard::LiveAlarm {
    app::api::guard::LiveAlarm {
        config: alarm.config,
        state: alarm.state,
        reason: alarm.state_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_in_its_upper_half() {
        let (base, cap) = (Duration::from_millis(500), Duration::from_secs(300));
        let bounds = |attempts| {
            (
                backoff_ms(base, cap, attempts, 0),
                backoff_ms(base, cap, attempts, u64::MAX),
            )
        };
        assert_eq!(bounds(0), (250, 250 + (u64::MAX % 251) as i64));
        for attempts in 0..40 {
            let ceiling = (500_i64 << attempts.min(20)).min(300_000);
            for random in [0, 1, 7, 12345, u64::MAX] {
                let delay = backoff_ms(base, cap, attempts, random);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{attempts}: {delay}"
                );
            }
        }
        // Different random numbers spread the delays.
        let spread: std::collections::HashSet<i64> =
            (0..50).map(|r| backoff_ms(base, cap, 6, r * 997)).collect();
        assert!(spread.len() > 10);
    }
}
