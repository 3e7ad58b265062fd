//! Alarms, topics and subscriptions: declare, change, delete; the plan and its apply. Every
//! change writes the spec, an audit row and a held reconcile job in one transaction; applying
//! the plan releases the team's held jobs to the workers.
use super::AppError;
#[cfg(feature = "ssr")]
use super::{FieldProblem, Problem};
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::domain::alarm::{AlarmForm, FieldChange};
use crate::domain::plan::{Kind, Step, Summary};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A resource as the lists show it: what it is, and how AWS stands against it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceView {
    pub id: Uuid,
    pub kind: Kind,
    pub name: String,
    /// One line: "AWS/EBS VolumeWriteBytes Sum > 100000", "email ops@example.com".
    pub summary: String,
    pub status: String,
    pub last_error: Option<String>,
    pub drift: Vec<FieldChange>,
    pub version: i32,
    /// A change waits for apply.
    pub planned: bool,
    pub aws_id: Option<String>,
    /// Subscriptions: waiting for the endpoint to confirm, and since when.
    #[serde(default, deserialize_with = "super::when::utc_opt")]
    pub pending_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Hours since then, counted on the server (a page must not read the clock while it
    /// renders: the browser's differs, and hydration keeps the server's text).
    pub pending_hours: Option<i64>,
    #[serde(deserialize_with = "super::when::utc")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Rules on a schedule: its expression, and its next runs counted on the server.
    #[serde(default)]
    pub schedule: Option<String>,
    /// That expression in words, in each language of the UI: described on the server, so the
    /// schedules' list does not download the cron parser and describer (about 14 KB brotli)
    /// to say what the server can say once.
    #[serde(default)]
    pub described: Option<crate::api::Said>,
    #[serde(default, deserialize_with = "super::when::utc_list")]
    pub next_runs: Vec<chrono::DateTime<chrono::Utc>>,
    /// Rules: declared disabled.
    #[serde(default)]
    pub disabled: bool,
    /// Rules written in a local zone: (zone, the schedule as written).
    #[serde(default)]
    pub written_in: Option<(String, String)>,
    /// Load balancers: the DNS name AWS gave at the last apply.
    #[serde(default)]
    pub dns_name: Option<String>,
}

/// The rule form's data: the form (a template's, or the stored rule's), the version an edit
/// must name, and the team's topics to pick from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFormData {
    pub form: crate::domain::rule::RuleForm,
    pub version: Option<i32>,
    pub topics: Vec<(Uuid, String)>,
}

/// A metric CloudWatch has, as the alarm form's picker offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricChoice {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<crate::domain::alarm::Dimension>,
}

/// An alarm's metric over the last hours, with its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    #[serde(deserialize_with = "super::when::points")]
    pub points: Vec<(chrono::DateTime<chrono::Utc>, f64)>,
    pub threshold: f64,
    pub hours: i64,
}

/// The plan, and its headline counts.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub steps: Vec<Step>,
    pub summary: Summary,
}

/// Counts for the team's home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub by_kind: Vec<(Kind, StatusCounts)>,
    pub planned: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub in_sync: usize,
    pub pending: usize,
    pub drifted: usize,
    pub error: usize,
    pub deleting: usize,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::db::resources::{self as db, ResourceRow};
    use crate::domain::alarm::{AlarmConfig, AlarmSpec, diff};
    use crate::domain::plan::{Op, order};
    use crate::domain::topic::{SubscriptionSpec, TopicSpec};
    use std::collections::{HashMap, HashSet};

    /// The team's resource `id` of `kind`: its spec, and the version an edit must name. 404
    /// when the team has none by that id, or its kind is another.
    pub async fn spec_of<T: serde::de::DeserializeOwned>(
        pool: &sqlx::PgPool,
        team_id: Uuid,
        kind: Kind,
        id: Uuid,
    ) -> Result<(T, i32), AppError> {
        let row = db::get(pool, team_id, id)
            .await?
            .filter(|r| r.kind() == Some(kind))
            .ok_or(AppError::NotFound)?;
        let spec = serde_json::from_value(row.spec).map_err(|_| AppError::Internal)?;
        Ok((spec, row.version))
    }
    pub fn summary(row: &ResourceRow, topics: &HashMap<Uuid, String>) -> String {
        match row.kind() {
            Some(Kind::Alarm) => serde_json::from_value::<AlarmSpec>(row.spec.clone())
                .map(|s| {
                    format!(
                        "{} {} {} {} {}",
                        s.namespace,
                        s.metric_name,
                        s.statistic.as_str(),
                        s.comparison.symbol(),
                        crate::domain::alarm::number(s.threshold)
                    )
                })
                .unwrap_or_default(),
            Some(Kind::Rule) => {
                serde_json::from_value::<crate::domain::rule::RuleSpec>(row.spec.clone())
                    .map(|s| {
                        let state = if s.enabled { "" } else { " (disabled)" };
                        let trigger = match &s.event_pattern {
                            Some(pattern) => format!("events {pattern}"),
                            None => s.schedule.clone(),
                        };
                        format!("{trigger}{state} → {} target(s)", s.targets.len())
                    })
                    .unwrap_or_default()
            }
            Some(Kind::Schedule) => {
                serde_json::from_value::<crate::domain::schedule::ScheduleSpec>(row.spec.clone())
                    .map(|s| {
                        let state = if s.enabled { "" } else { " (disabled)" };
                        format!(
                            "{} in {}{state} → {}",
                            s.expression, s.timezone, s.target_arn
                        )
                    })
                    .unwrap_or_default()
            }
            Some(Kind::LoadBalancer) => serde_json::from_value::<
                crate::domain::balancer::BalancerSetup,
            >(row.spec.clone())
            .map(|s| {
                let listeners: Vec<String> = s.listeners.iter().map(|l| l.describe()).collect();
                format!(
                    "{} · {} subnets · {}",
                    s.balancer.kind.as_str(),
                    s.balancer.subnets.len(),
                    listeners.join("; ")
                )
            })
            .unwrap_or_default(),
            Some(Kind::Topic) => serde_json::from_value::<TopicSpec>(row.spec.clone())
                .map(|s| s.display_name)
                .unwrap_or_default(),
            Some(Kind::Subscription) => {
                serde_json::from_value::<SubscriptionSpec>(row.spec.clone())
                    .map(|s| {
                        let topic = topics.get(&s.topic).cloned().unwrap_or_default();
                        format!("{} {} → {}", s.protocol.as_str(), s.endpoint, topic)
                    })
                    .unwrap_or_default()
            }
            None => String::new(),
        }
    }

    pub fn view(row: &ResourceRow, planned: bool, topics: &HashMap<Uuid, String>) -> ResourceView {
        let observed = row.observed.as_ref();
        let pending = observed
            .and_then(|o| o.get("pending"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let pending_since = pending
            .then(|| observed.and_then(|o| o.get("requested_at")).cloned())
            .flatten()
            .and_then(|v| serde_json::from_value(v).ok());
        let rule = (row.kind() == Some(Kind::Rule))
            .then(|| serde_json::from_value::<crate::domain::rule::RuleSpec>(row.spec.clone()).ok())
            .flatten();
        let scheduled = (row.kind() == Some(Kind::Schedule))
            .then(|| {
                serde_json::from_value::<crate::domain::schedule::ScheduleSpec>(row.spec.clone())
                    .ok()
            })
            .flatten();
        ResourceView {
            id: row.id,
            kind: row.kind().unwrap_or(Kind::Alarm),
            name: row.name.clone(),
            summary: summary(row, topics),
            status: row.status.clone(),
            last_error: row.last_error.clone(),
            drift: row
                .drift
                .clone()
                .and_then(|d| serde_json::from_value(d).ok())
                .unwrap_or_default(),
            version: row.version,
            planned,
            aws_id: row.aws_id.clone(),
            pending_hours: pending_since.map(|since: chrono::DateTime<chrono::Utc>| {
                (chrono::Utc::now() - since).num_hours().max(0)
            }),
            pending_since,
            updated_at: row.updated_at,
            schedule: rule.as_ref().and_then(|r| {
                (r.event_pattern.is_none() && !r.schedule.is_empty()).then(|| r.schedule.clone())
            }),
            described: rule
                .as_ref()
                .filter(|r| r.event_pattern.is_none())
                .and_then(|r| r.schedule.parse::<crate::cron::Schedule>().ok())
                .map(|schedule| crate::api::Said {
                    en: schedule.describe(crate::cron::Lang::En),
                    ko: schedule.describe(crate::cron::Lang::Ko),
                }),
            disabled: rule.as_ref().is_some_and(|r| !r.enabled)
                || scheduled.as_ref().is_some_and(|s| !s.enabled),
            written_in: rule
                .as_ref()
                .and_then(|r| r.written_in.clone())
                .map(|w| (w.zone, w.schedule)),
            dns_name: observed
                .and_then(|o| o.get("dns_name"))
                .and_then(serde_json::Value::as_str)
                .filter(|_| row.kind() == Some(Kind::LoadBalancer))
                .map(str::to_owned),
            // A disabled rule does not run.
            next_runs: match rule {
                Some(r) if r.enabled => r.next_runs(chrono::Utc::now(), 3),
                Some(_) => Vec::new(),
                None => scheduled
                    .filter(|s| s.enabled)
                    .map(|s| s.next_runs(chrono::Utc::now(), 3))
                    .unwrap_or_default(),
            },
        }
    }

    /// What applying would do for each resource with a held job: the same plan the CLI
    /// prints. It compares the spec with what Belfry last observed in AWS (at its last apply
    /// or resync), so it never waits on AWS.
    pub fn steps(
        rows: &[ResourceRow],
        planned: &HashSet<Uuid>,
        topic_arns: &HashMap<Uuid, String>,
    ) -> Vec<Step> {
        let mut steps: Vec<Step> = rows
            .iter()
            .filter(|row| planned.contains(&row.id))
            .filter_map(|row| {
                let kind = row.kind()?;
                let op = if row.deleted_at.is_some() {
                    if row.deletion == "orphan" {
                        Op::Orphan
                    } else {
                        Op::Delete
                    }
                } else if row.aws_id.is_none() {
                    Op::Create
                } else {
                    let changes = changes(kind, row, topic_arns);
                    if row.observed_generation == 0 && row.create_started_at.is_none() {
                        Op::Adopt(changes)
                    } else if changes.is_empty() {
                        return None;
                    } else {
                        Op::Update(changes)
                    }
                };
                Some(Step {
                    resource_id: row.id,
                    kind,
                    name: row.name.clone(),
                    op,
                })
            })
            .collect();
        order(&mut steps);
        steps
    }

    fn changes(
        kind: Kind,
        row: &ResourceRow,
        topic_arns: &HashMap<Uuid, String>,
    ) -> Vec<FieldChange> {
        match kind {
            Kind::Alarm => {
                let desired = serde_json::from_value::<AlarmSpec>(row.spec.clone())
                    .ok()
                    .and_then(|s| s.resolve(|id| topic_arns.get(&id).cloned()));
                let observed = row
                    .observed
                    .clone()
                    .and_then(|o| serde_json::from_value::<AlarmConfig>(o).ok());
                match (desired, observed) {
                    (Some(desired), Some(observed)) => {
                        let mut changes = diff(&desired, &observed);
                        // A new name is a new alarm in AWS; the old one goes after it.
                        if let Some(current) = row.aws_id.as_ref().filter(|n| **n != desired.name) {
                            changes.insert(
                                0,
                                FieldChange {
                                    field: "name".to_owned(),
                                    from: current.clone(),
                                    to: desired.name.clone(),
                                },
                            );
                        }
                        changes
                    }
                    _ => Vec::new(),
                }
            }
            Kind::Topic => {
                let want = row
                    .spec
                    .get("display_name")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                let have = row
                    .observed
                    .as_ref()
                    .and_then(|o| o.get("display_name"))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                if want == have {
                    Vec::new()
                } else {
                    vec![FieldChange {
                        field: "display name".to_owned(),
                        from: have.to_owned(),
                        to: want.to_owned(),
                    }]
                }
            }
            Kind::Subscription => Vec::new(),
            Kind::LoadBalancer => {
                use crate::domain::balancer::{AppliedBalancer, BalancerSetup};
                let desired = serde_json::from_value::<BalancerSetup>(row.spec.clone()).ok();
                let observed = row
                    .observed
                    .clone()
                    .and_then(|o| serde_json::from_value::<AppliedBalancer>(o).ok());
                match (desired, observed) {
                    (Some(desired), Some(observed)) => {
                        let mut changes = desired.diff(&observed.setup);
                        // What the apply will refuse, said before it is tried.
                        for blocked in desired.blocked(&observed.setup) {
                            changes.push(FieldChange {
                                field: "cannot apply".to_owned(),
                                from: String::new(),
                                to: blocked.to_string(),
                            });
                        }
                        changes
                    }
                    _ => Vec::new(),
                }
            }
            Kind::Schedule => {
                use crate::domain::schedule::ScheduleSpec;
                let desired = serde_json::from_value::<ScheduleSpec>(row.spec.clone()).ok();
                let observed = row
                    .observed
                    .clone()
                    .and_then(|o| serde_json::from_value::<ScheduleSpec>(o).ok());
                let now = chrono::Utc::now();
                match (desired, observed) {
                    (Some(desired), Some(observed)) => {
                        let mut changes = desired.as_sent(now).diff(&observed.as_sent(now));
                        // A new name or group is a new schedule; the old one goes after it.
                        let id = desired.id();
                        if let Some(current) = row.aws_id.as_ref().filter(|c| **c != id) {
                            changes.insert(
                                0,
                                FieldChange {
                                    field: "name".to_owned(),
                                    from: current.clone(),
                                    to: id,
                                },
                            );
                        }
                        changes
                    }
                    _ => Vec::new(),
                }
            }
            Kind::Rule => {
                let desired =
                    serde_json::from_value::<crate::domain::rule::RuleSpec>(row.spec.clone())
                        .ok()
                        .and_then(|s| s.resolve(|id| topic_arns.get(&id).cloned()));
                let observed = row.observed.clone().and_then(|o| {
                    serde_json::from_value::<crate::domain::rule::RuleConfig>(o).ok()
                });
                match (desired, observed) {
                    (Some(desired), Some(observed)) => {
                        crate::domain::rule::diff_rule(&desired, &observed)
                    }
                    _ => Vec::new(),
                }
            }
        }
    }

    /// Declares a new resource (no id), or changes the one at `version`, answering as every
    /// form expects: 409 for a name taken or an edit from a stale copy, 404 for an id that is
    /// not the team's resource of this kind.
    #[allow(clippy::too_many_arguments)]
    pub async fn declare_or_edit(
        pool: &sqlx::PgPool,
        me: &crate::api::Me,
        kind: Kind,
        id: Option<Uuid>,
        version: Option<i32>,
        name: &str,
        spec: serde_json::Value,
    ) -> Result<Uuid, AppError> {
        use crate::api::Problem;
        use crate::db::resources::Edit;
        let Some(id) = id else {
            return db::create(pool, me.team_id, me.user_id, kind, name, spec)
                .await?
                .ok_or(AppError::Conflict(Problem::NameTaken));
        };
        let edit = db::update(
            pool,
            me.team_id,
            me.user_id,
            id,
            kind,
            version.unwrap_or(0),
            name,
            spec,
        )
        .await;
        match edit {
            Ok(Edit::Done) => Ok(id),
            Ok(Edit::NotFound) => Err(AppError::NotFound),
            Ok(Edit::Stale { .. }) => Err(AppError::Conflict(Problem::Stale)),
            // The new name is another resource's.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AppError::Conflict(Problem::NameTaken))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Adopts what AWS has under `aws_id` with this spec (what AWS has): 409 when the team has
    /// one of that kind and name already.
    pub async fn adopt(
        pool: &sqlx::PgPool,
        me: &crate::api::Me,
        kind: Kind,
        name: &str,
        spec: &impl serde::Serialize,
        aws_id: &str,
    ) -> Result<Uuid, AppError> {
        let json = serde_json::to_value(spec).map_err(|_| AppError::Internal)?;
        db::adopt(pool, me.team_id, me.user_id, kind, name, json, aws_id)
            .await?
            .ok_or(AppError::Conflict(crate::api::Problem::NameTaken))
    }

    /// The AWS ids of the team's resources of a kind (to tell what is not managed yet).
    pub async fn managed(
        pool: &sqlx::PgPool,
        team_id: Uuid,
        kind: Kind,
    ) -> Result<HashSet<String>, sqlx::Error> {
        Ok(db::list(pool, team_id, kind)
            .await?
            .into_iter()
            .filter_map(|r| r.aws_id)
            .collect())
    }

    /// The team's topics by id: (name, ARN when created).
    pub async fn topic_names(
        pool: &sqlx::PgPool,
        team_id: Uuid,
    ) -> Result<HashMap<Uuid, String>, sqlx::Error> {
        Ok(db::list(pool, team_id, Kind::Topic)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect())
    }

    /// One of the signed-in team's resources of a kind, as the lists show it: 404 for an id
    /// that is another team's, or another kind's.
    pub async fn resource(kind: Kind, id: Uuid) -> Result<ResourceView, AppError> {
        let me = crate::api::guard::require(Role::Viewer).await?;
        let pool = crate::api::guard::backend()?.pool;
        let row = db::get(&pool, me.team_id, id)
            .await?
            .filter(|r| r.kind() == Some(kind))
            .ok_or(AppError::NotFound)?;
        let planned = db::planned(&pool, me.team_id).await?.contains(&row.id);
        let topics = topic_names(&pool, me.team_id).await?;
        Ok(view(&row, planned, &topics))
    }

    pub async fn plan(pool: &sqlx::PgPool, team_id: Uuid) -> Result<PlanView, sqlx::Error> {
        let rows = db::all_of_team(pool, team_id).await?;
        let planned: HashSet<Uuid> = db::planned(pool, team_id).await?.into_iter().collect();
        let arns: HashMap<Uuid, String> =
            db::topic_arns(pool, team_id).await?.into_iter().collect();
        let steps = steps(&rows, &planned, &arns);
        let summary = Summary::of(&steps);
        Ok(PlanView { steps, summary })
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn form_errors<F: AsRef<str>, E: Into<Problem>>(errors: Vec<(F, E)>) -> AppError {
    AppError::InvalidForm {
        errors: errors
            .into_iter()
            .map(|(field, error)| FieldProblem::new(field.as_ref(), error))
            .collect(),
    }
}

/// How many rows a list page shows.
pub const PAGE_SIZE: u32 = 50;

/// One page of a list: its rows, which page it is (from 1), and how many there are in all.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePage {
    pub items: Vec<ResourceView>,
    pub page: u32,
    pub pages: u32,
    pub total: u64,
}

/// One page of the team's resources of a kind, by name (`page` from 1; past the end, the
/// last page).
#[server(prefix = "/api/fn", endpoint = "list_page", output = crate::api::Json)]
pub async fn list_page(kind: Kind, page: Option<u32>) -> Result<ResourcePage, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let total = crate::db::resources::count(&pool, me.team_id, kind)
            .await?
            .max(0) as u64;
        let pages = total.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
        let page = page.unwrap_or(1).clamp(1, pages);
        let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
        let rows =
            crate::db::resources::list_page(&pool, me.team_id, kind, i64::from(PAGE_SIZE), offset)
                .await?;
        let planned: std::collections::HashSet<Uuid> =
            crate::db::resources::planned(&pool, me.team_id)
                .await?
                .into_iter()
                .collect();
        let topics = ssr::topic_names(&pool, me.team_id).await?;
        let items = rows
            .iter()
            .map(|row| ssr::view(row, planned.contains(&row.id), &topics))
            .collect();
        Ok(ResourcePage {
            items,
            page,
            pages,
            total,
        })
    }
    .await
    .map_err(super::guard::respond)
}

/// The team's resources of one kind, with their status.
#[server(prefix = "/api/fn", endpoint = "list_resources", output = crate::api::Json)]
pub async fn list_resources(kind: Kind) -> Result<Vec<ResourceView>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let rows = crate::db::resources::list(&pool, me.team_id, kind).await?;
        let planned: std::collections::HashSet<Uuid> =
            crate::db::resources::planned(&pool, me.team_id)
                .await?
                .into_iter()
                .collect();
        let topics = ssr::topic_names(&pool, me.team_id).await?;
        Ok(rows
            .iter()
            .map(|row| ssr::view(row, planned.contains(&row.id), &topics))
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// One alarm's form values, for editing.
#[server(prefix = "/api/fn", endpoint = "load_alarm_form", output = crate::api::Json)]
pub async fn load_alarm_form(id: Uuid) -> Result<(AlarmForm, i32), AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let (spec, version): (crate::domain::alarm::AlarmSpec, _) =
            ssr::spec_of(&pool, me.team_id, Kind::Alarm, id).await?;
        let topics: Vec<(Uuid, String)> = ssr::topic_names(&pool, me.team_id)
            .await?
            .into_iter()
            .collect();
        Ok((AlarmForm::from_spec(&spec, &topics), version))
    }
    .await
    .map_err(super::guard::respond)
}

/// Declares a new alarm, or changes one (`id` and the `version` it was read at). The change
/// joins the plan; nothing reaches AWS until the plan is applied.
#[server(prefix = "/api/fn", endpoint = "save_alarm", output = crate::api::Json)]
pub async fn save_alarm(
    form: AlarmForm,
    id: Option<Uuid>,
    version: Option<i32>,
) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let topics: Vec<(Uuid, String)> = ssr::topic_names(&pool, me.team_id)
            .await?
            .into_iter()
            .collect();
        let spec = form.parse(&topics).map_err(form_errors)?;
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        ssr::declare_or_edit(&pool, &me, Kind::Alarm, id, version, &spec.name, json).await
    }
    .await
    .map_err(super::guard::respond)
}

/// Declares an SNS topic.
#[server(prefix = "/api/fn", endpoint = "create_topic", output = crate::api::Json)]
pub async fn create_topic(name: String, display_name: Option<String>) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let spec = crate::domain::topic::TopicSpec {
            name: name.trim().to_owned(),
            display_name: display_name.unwrap_or_default().trim().to_owned(),
        }
        .validate()
        .map_err(|e| AppError::invalid("name", e))?;
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        crate::db::resources::create(&pool, me.team_id, me.user_id, Kind::Topic, &spec.name, json)
            .await?
            .ok_or(AppError::Conflict(Problem::NameTaken))
    }
    .await
    .map_err(super::guard::respond)
}

/// Changes a topic's display name, as read at `version` (SNS renames nothing else; the
/// display name is what an email's sender shows). The change joins the plan.
#[server(prefix = "/api/fn", endpoint = "edit_topic", output = crate::api::Json)]
pub async fn edit_topic(id: Uuid, display_name: String, version: i32) -> Result<Uuid, AppError> {
    use crate::domain::topic::TopicSpec;
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let (current, _): (TopicSpec, _) = ssr::spec_of(&pool, me.team_id, Kind::Topic, id).await?;
        let spec = TopicSpec {
            name: current.name,
            display_name: display_name.trim().to_owned(),
        }
        .validate()
        .map_err(|e| AppError::invalid("display_name", e))?;
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        ssr::declare_or_edit(
            &pool,
            &me,
            Kind::Topic,
            Some(id),
            Some(version),
            &spec.name,
            json,
        )
        .await
    }
    .await
    .map_err(super::guard::respond)
}

/// Subscribes an endpoint to one of the team's topics.
#[server(prefix = "/api/fn", endpoint = "create_subscription", output = crate::api::Json)]
pub async fn create_subscription(
    topic: Uuid,
    protocol: String,
    endpoint: String,
) -> Result<Uuid, AppError> {
    use crate::domain::topic::{Protocol, SubscriptionSpec};
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let topics = ssr::topic_names(&pool, me.team_id).await?;
        let topic_name = topics.get(&topic).ok_or(AppError::NotFound)?;
        let protocol = Protocol::parse(&protocol).ok_or_else(|| {
            AppError::invalid(
                "protocol",
                Problem::Malformed("protocol is email, https, sqs or lambda".to_owned()),
            )
        })?;
        let spec = SubscriptionSpec {
            topic,
            protocol,
            endpoint,
        }
        .validate()
        .map_err(|e| AppError::invalid("endpoint", e))?;
        // One subscription per topic, protocol and endpoint, as in SNS.
        let name = format!("{topic_name}:{}:{}", spec.protocol.as_str(), spec.endpoint);
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        crate::db::resources::create(
            &pool,
            me.team_id,
            me.user_id,
            Kind::Subscription,
            &name,
            json,
        )
        .await?
        .ok_or(AppError::Conflict(Problem::NameTaken))
    }
    .await
    .map_err(super::guard::respond)
}

/// Asks for a resource to go at the next apply: deleted from AWS, or with `orphan`, left
/// there and forgotten.
#[server(prefix = "/api/fn", endpoint = "delete_resource", output = crate::api::Json)]
pub async fn delete_resource(id: Uuid, orphan: Option<bool>) -> Result<(), AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let found = crate::db::resources::request_delete(
            &pool,
            me.team_id,
            me.user_id,
            id,
            orphan.unwrap_or(false),
        )
        .await?;
        if found {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
    .await
    .map_err(super::guard::respond)
}

/// Sends a subscription's confirmation again (SNS answers a repeated Subscribe of a pending
/// endpoint with a new message). Runs at once: it changes nothing that needs a plan.
#[server(prefix = "/api/fn", endpoint = "resend_confirmation", output = crate::api::Json)]
pub async fn resend_confirmation(id: Uuid) -> Result<(), AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let found = crate::db::resources::request_resend(&pool, me.team_id, me.user_id, id).await?;
        if found {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
    .await
    .map_err(super::guard::respond)
}

/// The team's plan: what applying would do.
#[server(prefix = "/api/fn", endpoint = "plan", output = crate::api::Json)]
pub async fn plan() -> Result<PlanView, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        Ok(ssr::plan(&pool, me.team_id).await?)
    }
    .await
    .map_err(super::guard::respond)
}

/// Applies the plan: the workers take the team's held changes. Returns how many.
#[server(prefix = "/api/fn", endpoint = "apply_plan", output = crate::api::Json)]
pub async fn apply_plan() -> Result<u64, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        Ok(crate::db::resources::release_planned(&pool, me.team_id, Some(me.user_id)).await?)
    }
    .await
    .map_err(super::guard::respond)
}

/// Counts by kind and status for the team's home page; None for nobody (the home page is
/// public, and must not answer 401).
#[server(prefix = "/api/fn", endpoint = "overview", output = crate::api::Json)]
pub async fn overview() -> Result<Option<TeamOverview>, AppError> {
    async {
        let Some(me) = super::guard::signed_in().await? else {
            return Ok(None);
        };
        let pool = super::guard::backend()?.pool;
        let rows = crate::db::resources::all_of_team(&pool, me.team_id).await?;
        let planned = crate::db::resources::planned(&pool, me.team_id)
            .await?
            .len();
        let mut by_kind: Vec<(Kind, StatusCounts)> = Kind::ALL
            .into_iter()
            .map(|k| (k, StatusCounts::default()))
            .collect();
        for row in &rows {
            let Some(kind) = row.kind() else { continue };
            if let Some((_, counts)) = by_kind.iter_mut().find(|(k, _)| *k == kind) {
                match row.status.as_str() {
                    "in_sync" => counts.in_sync += 1,
                    "drifted" => counts.drifted += 1,
                    "error" => counts.error += 1,
                    "deleting" => counts.deleting += 1,
                    _ => counts.pending += 1,
                }
            }
        }
        Ok(Some(TeamOverview { by_kind, planned }))
    }
    .await
    .map_err(super::guard::respond)
}

/// Turns self-heal on or off for the team (admins): drift found by a resync is then put back
/// as declared without asking.
#[server(prefix = "/api/fn", endpoint = "set_self_heal", output = crate::api::Json)]
pub async fn set_self_heal(on: bool) -> Result<(), AppError> {
    async {
        let me = super::guard::require(Role::Admin).await?;
        let pool = super::guard::backend()?.pool;
        crate::db::resources::set_self_heal(&pool, me.team_id, me.user_id, on).await?;
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

/// An alarm in AWS that Belfry does not manage yet, and what adopting it would change (always
/// nothing: the adopted spec is what AWS has).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportCandidate {
    pub name: String,
    pub summary: String,
    pub state: Option<String>,
}

/// Alarms in the team's AWS account that Belfry does not manage. Reads AWS: the import page
/// calls it when a person asks, never while rendering.
#[server(prefix = "/api/fn", endpoint = "importable_alarms", output = crate::api::Json)]
pub async fn importable_alarms() -> Result<Vec<ImportCandidate>, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let managed = ssr::managed(&backend.pool, me.team_id, Kind::Alarm).await?;
        let alarms = backend
            .catalog
            .alarms(me.team_id)
            .await
            .map_err(|message| {
                tracing::warn!(%message, "listing alarms for import failed");
                AppError::Transport(message)
            })?;
        Ok(alarms
            .into_iter()
            .filter(|a| !managed.contains(&a.config.name))
            .map(|a| ImportCandidate {
                summary: format!(
                    "{} {} {} {} {}",
                    a.config.namespace,
                    a.config.metric_name,
                    a.config.statistic.as_str(),
                    a.config.comparison.symbol(),
                    crate::domain::alarm::number(a.config.threshold)
                ),
                name: a.config.name,
                state: a.state,
            })
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// Adopts an alarm that exists in AWS: Belfry manages it from now on, as it is. Actions that
/// point at one of the team's topics become references to that topic.
#[server(prefix = "/api/fn", endpoint = "adopt_alarm", output = crate::api::Json)]
pub async fn adopt_alarm(name: String) -> Result<Uuid, AppError> {
    use crate::domain::alarm::Action;
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let found = backend
            .catalog
            .alarms_named(me.team_id, vec![name.clone()])
            .await
            .map_err(AppError::Transport)?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let arns = crate::db::resources::topic_arns(&backend.pool, me.team_id).await?;
        let mut spec = found.config.to_spec();
        for actions in [
            &mut spec.alarm_actions,
            &mut spec.ok_actions,
            &mut spec.insufficient_data_actions,
        ] {
            for action in actions.iter_mut() {
                if let Action::Arn(arn) = action
                    && let Some((id, _)) = arns.iter().find(|(_, a)| a == arn)
                {
                    *action = Action::Topic(*id);
                }
            }
        }
        let spec = spec.validate().map_err(|e| AppError::invalid("name", e))?;
        ssr::adopt(&backend.pool, &me, Kind::Alarm, &spec.name, &spec, &name).await
    }
    .await
    .map_err(super::guard::respond)
}

/// The live state of the team's alarms (OK, ALARM, INSUFFICIENT_DATA) by name. Reads AWS: the
/// alarms page asks for it after it has rendered.
#[server(prefix = "/api/fn", endpoint = "alarm_states", output = crate::api::Json)]
pub async fn alarm_states(page: Option<u32>) -> Result<Vec<(String, String)>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let backend = super::guard::backend()?;
        // The alarms of the page the list shows (past the end, the last page, as list_page).
        let total = crate::db::resources::count(&backend.pool, me.team_id, Kind::Alarm).await?;
        let pages = (total.max(0) as u64).div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
        let page = page.unwrap_or(1).clamp(1, pages);
        let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
        let names: Vec<String> = crate::db::resources::list_page(
            &backend.pool,
            me.team_id,
            Kind::Alarm,
            i64::from(PAGE_SIZE),
            offset,
        )
        .await?
        .into_iter()
        .filter_map(|r| r.aws_id)
        .collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let live = backend
            .catalog
            .alarms_named(me.team_id, names)
            .await
            .map_err(AppError::Transport)?;
        Ok(live
            .into_iter()
            .map(|a| (a.config.name, a.state.unwrap_or_default()))
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// Puts the alarm into ALARM for a moment, so its actions run: a test of the notification path.
#[server(prefix = "/api/fn", endpoint = "send_test_notification", output = crate::api::Json)]
pub async fn send_test_notification(id: Uuid) -> Result<(), AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let row = crate::db::resources::get(&backend.pool, me.team_id, id)
            .await?
            .filter(|r| r.kind() == Some(Kind::Alarm))
            .ok_or(AppError::NotFound)?;
        let name = row.aws_id.ok_or(AppError::Conflict(Problem::NotApplied))?;
        backend
            .catalog
            .test_notification(me.team_id, name)
            .await
            .map_err(AppError::Transport)
    }
    .await
    .map_err(super::guard::respond)
}

/// Metrics CloudWatch has in the namespace (every namespace when empty), for the alarm
/// form's picker. Reads AWS on request.
#[server(prefix = "/api/fn", endpoint = "metric_choices", output = crate::api::Json)]
pub async fn metric_choices(namespace: Option<String>) -> Result<Vec<MetricChoice>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let backend = super::guard::backend()?;
        let namespace = namespace
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        backend
            .catalog
            .metrics(me.team_id, namespace)
            .await
            .map_err(AppError::Transport)
    }
    .await
    .map_err(super::guard::respond)
}

/// The alarm's metric over the last 6 hours, with its threshold, for the graph. Reads AWS;
/// the page asks for it after it has rendered.
#[server(prefix = "/api/fn", endpoint = "alarm_graph", output = crate::api::Json)]
pub async fn alarm_graph(id: Uuid) -> Result<MetricSeries, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let backend = super::guard::backend()?;
        let (spec, _): (crate::domain::alarm::AlarmSpec, _) =
            ssr::spec_of(&backend.pool, me.team_id, Kind::Alarm, id).await?;
        // The graph needs the metric, not the actions: any placeholder resolves them.
        let config = spec
            .resolve(|_| Some(String::new()))
            .ok_or(AppError::Internal)?;
        let hours = 6;
        let points = backend
            .catalog
            .metric_data(me.team_id, config, hours)
            .await
            .map_err(AppError::Transport)?;
        Ok(MetricSeries {
            points,
            threshold: spec.threshold,
            hours,
        })
    }
    .await
    .map_err(super::guard::respond)
}

/// Whether the team has self-heal on.
#[server(prefix = "/api/fn", endpoint = "self_heal", output = crate::api::Json)]
pub async fn self_heal() -> Result<bool, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        Ok(crate::db::resources::self_heal(&pool, me.team_id).await?)
    }
    .await
    .map_err(super::guard::respond)
}

/// SNS topics in the team's account that Belfry does not manage: (ARN, display name). Reads
/// AWS on request.
#[server(prefix = "/api/fn", endpoint = "importable_topics", output = crate::api::Json)]
pub async fn importable_topics() -> Result<Vec<(String, String)>, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let managed = ssr::managed(&backend.pool, me.team_id, Kind::Topic).await?;
        let topics = backend
            .catalog
            .topics(me.team_id)
            .await
            .map_err(AppError::Transport)?;
        Ok(topics
            .into_iter()
            .filter(|(arn, _)| !managed.contains(arn))
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// Adopts an SNS topic as it is, by ARN.
#[server(prefix = "/api/fn", endpoint = "adopt_topic", output = crate::api::Json)]
pub async fn adopt_topic(arn: String) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let (arn, display_name) = backend
            .catalog
            .topics(me.team_id)
            .await
            .map_err(AppError::Transport)?
            .into_iter()
            .find(|(found, _)| *found == arn)
            .ok_or(AppError::NotFound)?;
        let name = arn.rsplit(':').next().unwrap_or_default().to_owned();
        let spec = crate::domain::topic::TopicSpec { name, display_name }
            .validate()
            .map_err(|e| AppError::invalid("arn", e))?;
        ssr::adopt(&backend.pool, &me, Kind::Topic, &spec.name, &spec, &arn).await
    }
    .await
    .map_err(super::guard::respond)
}

/// The rule form: a stored rule to edit (`id`), or a new one from a template.
#[server(prefix = "/api/fn", endpoint = "load_rule_form", output = crate::api::Json)]
pub async fn load_rule_form(
    id: Option<Uuid>,
    template: Option<String>,
) -> Result<RuleFormData, AppError> {
    use crate::domain::rule::{RuleForm, RuleSpec, RuleTemplate};
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let mut topics: Vec<(Uuid, String)> = ssr::topic_names(&pool, me.team_id)
            .await?
            .into_iter()
            .collect();
        topics.sort_by(|a, b| a.1.cmp(&b.1));
        let (form, version) = match id {
            Some(id) => {
                let (spec, version): (RuleSpec, _) =
                    ssr::spec_of(&pool, me.team_id, Kind::Rule, id).await?;
                (RuleForm::from_spec(&spec), Some(version))
            }
            None => (
                template
                    .as_deref()
                    .and_then(RuleTemplate::from_key)
                    .unwrap_or(RuleTemplate::DailyLambda)
                    .form(),
                None,
            ),
        };
        Ok(RuleFormData {
            form,
            version,
            topics,
        })
    }
    .await
    .map_err(super::guard::respond)
}

/// Declares an EventBridge rule (new, or a change of one at `version`) on a schedule or an
/// event pattern, with up to five targets. The schedule is checked by the cron engine here,
/// and the pattern and inputs as JSON, before anything can reach AWS.
#[server(prefix = "/api/fn", endpoint = "save_rule", output = crate::api::Json)]
pub async fn save_rule(
    form: crate::domain::rule::RuleForm,
    id: Option<Uuid>,
    version: Option<i32>,
) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let topics: Vec<(Uuid, String)> = ssr::topic_names(&pool, me.team_id)
            .await?
            .into_iter()
            .collect();
        let spec = form
            .parse(&topics, chrono::Utc::now())
            .map_err(form_errors)?;
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        ssr::declare_or_edit(&pool, &me, Kind::Rule, id, version, &spec.name, json).await
    }
    .await
    .map_err(super::guard::respond)
}

/// The Lambda functions in the team's account and region (name, ARN), for the rule form.
/// An AWS read: the form asks for it after it has rendered.
#[server(prefix = "/api/fn", endpoint = "lambda_functions", output = crate::api::Json)]
pub async fn lambda_functions() -> Result<Vec<(String, String)>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let backend = super::guard::backend()?;
        let mut functions = backend
            .catalog
            .functions(me.team_id)
            .await
            .map_err(|message| {
                tracing::warn!(%message, "listing Lambda functions failed");
                AppError::Transport(message)
            })?;
        functions.sort();
        Ok(functions)
    }
    .await
    .map_err(super::guard::respond)
}

/// The Scheduler schedule form: a stored schedule to edit (`id`), or the example.
#[server(prefix = "/api/fn", endpoint = "load_schedule_form", output = crate::api::Json)]
pub async fn load_schedule_form(
    id: Option<Uuid>,
) -> Result<(crate::domain::schedule::ScheduleForm, Option<i32>), AppError> {
    use crate::domain::schedule::{ScheduleForm, ScheduleSpec};
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        match id {
            None => Ok((ScheduleForm::example(), None)),
            Some(id) => {
                let (spec, version): (ScheduleSpec, _) =
                    ssr::spec_of(&pool, me.team_id, Kind::Schedule, id).await?;
                Ok((ScheduleForm::from_spec(&spec), Some(version)))
            }
        }
    }
    .await
    .map_err(super::guard::respond)
}

/// Declares an EventBridge Scheduler schedule (new, or a change of one at `version`). The
/// expression is checked by the cron engine in the schedule's own zone, before any AWS call.
#[server(prefix = "/api/fn", endpoint = "save_schedule", output = crate::api::Json)]
pub async fn save_schedule(
    form: crate::domain::schedule::ScheduleForm,
    id: Option<Uuid>,
    version: Option<i32>,
) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let spec = form.parse(chrono::Utc::now()).map_err(form_errors)?;
        let name = spec.id();
        let json = serde_json::to_value(&spec).map_err(|_| AppError::Internal)?;
        ssr::declare_or_edit(&pool, &me, Kind::Schedule, id, version, &name, json).await
    }
    .await
    .map_err(super::guard::respond)
}

/// Scheduler schedules in AWS that Belfry does not manage yet: `group/name` and a summary.
#[server(prefix = "/api/fn", endpoint = "importable_schedules", output = crate::api::Json)]
pub async fn importable_schedules() -> Result<Vec<(String, String)>, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let managed = ssr::managed(&backend.pool, me.team_id, Kind::Schedule).await?;
        let found = backend
            .catalog
            .schedules(me.team_id)
            .await
            .map_err(AppError::Transport)?;
        Ok(found
            .into_iter()
            .map(|s| {
                (
                    s.id(),
                    format!("{} in {} → {}", s.expression, s.timezone, s.target_arn),
                )
            })
            .filter(|(id, _)| !managed.contains(id))
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// Adopts a Scheduler schedule as it is in AWS (`group/name`): checked like one declared
/// here, and refused when it uses settings Belfry does not model (Belfry's updates replace
/// every field, and would drop them).
#[server(prefix = "/api/fn", endpoint = "adopt_schedule", output = crate::api::Json)]
pub async fn adopt_schedule(id: String) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(Role::Editor).await?;
        let backend = super::guard::backend()?;
        let (group, name) = id.split_once('/').ok_or(AppError::NotFound)?;
        let (spec, unmodeled) = backend
            .catalog
            .schedule(me.team_id, group.to_owned(), name.to_owned())
            .await
            .map_err(AppError::Transport)?
            .ok_or(AppError::NotFound)?;
        if !unmodeled.is_empty() {
            return Err(AppError::Conflict(Problem::Unmanaged(unmodeled.join(", "))));
        }
        let spec = spec.check(chrono::Utc::now()).map_err(form_errors)?;
        ssr::adopt(&backend.pool, &me, Kind::Schedule, &id, &spec, &id).await
    }
    .await
    .map_err(super::guard::respond)
}
