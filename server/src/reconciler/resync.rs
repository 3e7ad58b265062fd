//! The periodic resync: read AWS in batches, compare with what each resource should be, and
//! mark drift. A resync that finds everything in sync writes nothing.
use super::{ApplyError, Reconciler};
use crate::aws::{Aws, cloudwatch, eventbridge, lambda, sns};
use app::db::resources::{self as db, ResourceRow};
use app::domain::alarm::{AlarmSpec, FieldChange, diff};
use app::domain::plan::Kind;
use app::domain::rule::{RuleSpec, diff_rule};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// What a resync saw, for logs, the CLI and benches.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub checked: usize,
    pub drifted: usize,
    /// Resources whose stored status changed (the resync's only writes).
    pub written: usize,
    pub healed: usize,
}

impl Reconciler {
    /// Resyncs every team. Each team's resync runs under an advisory lock, so that with many
    /// replicas one reads a team's AWS account at a time.
    pub async fn resync_all(&self) -> Result<Report, ApplyError> {
        let mut total = Report::default();
        for team in db::teams_with_resources(&self.pool).await? {
            let mut lock = self.pool.acquire().await?;
            let locked: bool = sqlx::query_scalar(
                "SELECT pg_try_advisory_lock(hashtext('belfry:resync'), hashtext($1))",
            )
            .bind(team.to_string())
            .fetch_one(&mut *lock)
            .await?;
            if !locked {
                continue;
            }
            let result = self.resync_team(team).await;
            sqlx::query("SELECT pg_advisory_unlock(hashtext('belfry:resync'), hashtext($1))")
                .bind(team.to_string())
                .execute(&mut *lock)
                .await?;
            let report = result?;
            total.checked += report.checked;
            total.drifted += report.drifted;
            total.written += report.written;
            total.healed += report.healed;
        }
        Ok(total)
    }

    pub async fn resync_team(&self, team: Uuid) -> Result<Report, ApplyError> {
        let aws = self.aws_for(team).await?;
        let rows: Vec<ResourceRow> = db::all_of_team(&self.pool, team)
            .await?
            .into_iter()
            // Only what AWS should match now: applied, not changing, not going.
            .filter(|r| {
                r.aws_id.is_some()
                    && r.deleted_at.is_none()
                    && matches!(r.status.as_str(), "in_sync" | "drifted")
            })
            .collect();
        let mut report = Report::default();
        let self_heal = db::self_heal(&self.pool, team).await?;
        let mut found: Vec<Finding<'_>> = Vec::new();

        let alarms: Vec<&ResourceRow> = rows
            .iter()
            .filter(|r| r.kind() == Some(Kind::Alarm))
            .collect();
        if !alarms.is_empty() {
            found.extend(self.resync_alarms(&aws, team, &alarms).await?);
        }
        for topic in rows.iter().filter(|r| r.kind() == Some(Kind::Topic)) {
            let arn = topic.aws_id.as_deref().unwrap_or_default();
            self.spend(&aws, "sns:GetTopicAttributes").await?;
            let drift = match sns::topic(&aws.sns(), arn).await? {
                None => Some(vec![gone(&topic.name)]),
                Some(observed) => {
                    let want = topic
                        .spec
                        .get("display_name")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    (observed.display_name != want).then(|| {
                        vec![FieldChange {
                            field: "display name".to_owned(),
                            from: want.to_owned(),
                            to: observed.display_name.clone(),
                        }]
                    })
                }
            };
            found.push((topic, drift, None));
        }

        // Rules: each one and its targets (DescribeRule and ListTargetsByRule), so a target
        // added outside Belfry shows as drift.
        let topic_arns: HashMap<Uuid, String> = db::topic_arns(&self.pool, team)
            .await?
            .into_iter()
            .collect();
        for rule in rows.iter().filter(|r| r.kind() == Some(Kind::Rule)) {
            let Some(desired) = serde_json::from_value::<RuleSpec>(rule.spec.clone())
                .ok()
                .and_then(|spec| spec.resolve(|id| topic_arns.get(&id).cloned()))
            else {
                continue;
            };
            self.spend(&aws, "events:DescribeRule").await?;
            let name = rule.aws_id.clone().unwrap_or_default();
            let finding = match eventbridge::describe(&aws.eventbridge(), &name).await? {
                None => (rule, Some(vec![gone(&rule.name)]), None),
                Some(observed) => {
                    let observed = observed.config;
                    let mut drift: Vec<FieldChange> = diff_rule(&desired, &observed)
                        .into_iter()
                        .map(|c| FieldChange {
                            field: c.field,
                            from: c.to,
                            to: c.from,
                        })
                        .collect();
                    // Each target function must still let EventBridge invoke it for this
                    // rule: a statement removed by hand stops the rule silently.
                    let mut functions: Vec<&str> = desired
                        .targets
                        .iter()
                        .map(|t| t.arn.as_str())
                        .filter(|arn| app::domain::aws::is_arn_of(arn, "lambda", "function:"))
                        .collect();
                    functions.sort_unstable();
                    functions.dedup();
                    let sid = lambda::statement_id(&name);
                    for function in functions {
                        self.spend(&aws, "lambda:GetPolicy").await?;
                        if !lambda::has_statement(&aws.lambda(), function, &sid).await? {
                            drift.push(FieldChange {
                                field: format!("invoke permission {function}"),
                                from: "events.amazonaws.com may invoke".to_owned(),
                                to: "(none)".to_owned(),
                            });
                        }
                    }
                    let observed = serde_json::to_value(&observed).ok();
                    (rule, (!drift.is_empty()).then_some(drift), observed)
                }
            };
            found.push(finding);
        }

        // Scheduler schedules: each one read in full (GetSchedule).
        for row in rows.iter().filter(|r| r.kind() == Some(Kind::Schedule)) {
            let Some(desired) =
                serde_json::from_value::<app::domain::schedule::ScheduleSpec>(row.spec.clone())
                    .ok()
            else {
                continue;
            };
            let Some((group, name)) = row.aws_id.as_deref().and_then(|id| id.split_once('/'))
            else {
                continue;
            };
            self.spend(&aws, "scheduler:GetSchedule").await?;
            let finding = match crate::aws::scheduler::get(&aws.scheduler(), group, name).await? {
                None => (row, Some(vec![gone(&row.name)]), None),
                Some(observed) => {
                    let now = chrono::Utc::now();
                    let observed = observed.spec;
                    let drift: Vec<FieldChange> = desired
                        .as_sent(now)
                        .diff(&observed.as_sent(now))
                        .into_iter()
                        .map(|c| FieldChange {
                            field: c.field,
                            from: c.to,
                            to: c.from,
                        })
                        .collect();
                    let observed = serde_json::to_value(&observed).ok();
                    (row, (!drift.is_empty()).then_some(drift), observed)
                }
            };
            found.push(finding);
        }

        // Load balancers: each with its listeners and groups (and each group's targets).
        for row in rows.iter().filter(|r| r.kind() == Some(Kind::LoadBalancer)) {
            use app::domain::balancer::{AppliedBalancer, BalancerSetup};
            let Some(desired) = serde_json::from_value::<BalancerSetup>(row.spec.clone()).ok()
            else {
                continue;
            };
            let applied: Option<AppliedBalancer> = row
                .observed
                .clone()
                .and_then(|o| serde_json::from_value(o).ok());
            let client = aws.elbv2();
            self.spend(&aws, "elasticloadbalancing:DescribeLoadBalancers")
                .await?;
            let arn = row.aws_id.as_deref();
            let finding = match crate::aws::elbv2::find_balancer(&client, arn, "").await? {
                None => (row, Some(vec![gone(&row.name)]), None),
                Some(lb) => {
                    let names: Vec<String> =
                        desired.groups.iter().map(|g| g.name.clone()).collect();
                    self.spend(&aws, "elasticloadbalancing:DescribeTargetGroups")
                        .await?;
                    let observed = crate::aws::elbv2::observe(&client, &lb, &names).await?;
                    let mut setup = observed.setup;
                    // Belfry's own security group reads as the flag it was declared with.
                    let own = applied.as_ref().and_then(|a| a.own_security_group.clone());
                    if let Some(own) = &own {
                        setup.balancer.security_groups.retain(|g| g != own);
                        setup.balancer.own_security_group = true;
                    }
                    let mut drift: Vec<FieldChange> = desired
                        .diff(&setup)
                        .into_iter()
                        .map(|c| FieldChange {
                            field: c.field,
                            from: c.to,
                            to: c.from,
                        })
                        .collect();
                    for blocked in desired.blocked(&setup) {
                        drift.push(FieldChange {
                            field: "load balancer".to_owned(),
                            from: "as declared".to_owned(),
                            to: blocked.to_string(),
                        });
                    }
                    let record = AppliedBalancer {
                        setup,
                        arn: lb.arn.clone(),
                        dns_name: lb.dns_name.clone(),
                        // Which groups are Belfry's is the apply's record, not what a
                        // lookup by name finds (someone may have made one of that name).
                        group_arns: applied
                            .as_ref()
                            .map(|a| a.group_arns.clone())
                            .unwrap_or_default(),
                        own_security_group: own,
                    };
                    let observed = serde_json::to_value(&record).ok();
                    (row, (!drift.is_empty()).then_some(drift), observed)
                }
            };
            found.push(finding);
        }

        // Subscriptions waiting for confirmation: has the endpoint's owner confirmed since?
        for sub in rows.iter().filter(|r| {
            r.kind() == Some(Kind::Subscription)
                && r.observed
                    .as_ref()
                    .and_then(|o| o.get("pending"))
                    .and_then(|p| p.as_bool())
                    == Some(true)
        }) {
            let observed = sub.observed.clone().unwrap_or_default();
            let Some(topic_arn) = observed.get("topic_arn").and_then(|v| v.as_str()) else {
                continue;
            };
            let protocol = sub
                .spec
                .get("protocol")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let endpoint = sub
                .spec
                .get("endpoint")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            self.spend(&aws, "sns:ListSubscriptionsByTopic").await?;
            let confirmed = sns::subscriptions(&aws.sns(), topic_arn)
                .await?
                .into_iter()
                .find(|s| s.protocol == protocol && s.endpoint == endpoint)
                .and_then(|s| s.arn);
            report.checked += 1;
            if let Some(arn) = confirmed {
                let mut now = observed.clone();
                now["pending"] = json!(false);
                db::record_in_sync(&self.pool, sub.id, sub.observed_generation, &arn, &now).await?;
                db::event(&self.pool, team, sub.id, "confirmed", None).await?;
                report.written += 1;
            }
        }

        for (row, drift, observed) in found {
            report.checked += 1;
            let drift_json = drift
                .as_ref()
                .map(|changes| serde_json::to_value(changes).unwrap_or_default());
            let written = db::record_drift(
                &self.pool,
                row.id,
                row.generation,
                drift_json.as_ref(),
                observed.as_ref(),
            )
            .await?;
            if written {
                report.written += 1;
                if let Some(changes) = &drift_json {
                    db::event(
                        &self.pool,
                        team,
                        row.id,
                        "drift detected",
                        Some(changes.clone()),
                    )
                    .await?;
                }
            }
            if drift.is_some() {
                report.drifted += 1;
                if self_heal && db::requeue(&self.pool, row.id, row.generation).await? {
                    report.healed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Reads the alarms by name, 100 to a call, and diffs each against its spec. Drift is
    /// said the way AWS differs from the spec: "threshold: 100000 (declared) → 5 (in AWS)".
    async fn resync_alarms<'a>(
        &self,
        aws: &Aws,
        team: Uuid,
        alarms: &[&'a ResourceRow],
    ) -> Result<Vec<Finding<'a>>, ApplyError> {
        let client = aws.cloudwatch();
        let names: Vec<String> = alarms.iter().filter_map(|r| r.aws_id.clone()).collect();
        let mut observed = HashMap::new();
        for batch in names.chunks(cloudwatch::DESCRIBE_BATCH) {
            self.spend(aws, "cloudwatch:DescribeAlarms").await?;
            for alarm in cloudwatch::describe(&client, batch).await? {
                observed.insert(alarm.config.name.clone(), alarm);
            }
        }
        let arns: HashMap<Uuid, String> = db::topic_arns(&self.pool, team)
            .await?
            .into_iter()
            .collect();
        let mut found = Vec::with_capacity(alarms.len());
        for row in alarms {
            let name = row.aws_id.clone().unwrap_or_default();
            let desired = serde_json::from_value::<AlarmSpec>(row.spec.clone())
                .ok()
                .and_then(|spec| spec.resolve(|id| arns.get(&id).cloned()));
            let Some(desired) = desired else {
                continue;
            };
            match observed.get(&name) {
                None => found.push((*row, Some(vec![gone(&row.name)]), None)),
                Some(alarm) => {
                    // `diff` gives observed → desired; drift reads declared → in AWS.
                    let drift: Vec<FieldChange> = diff(&desired, &alarm.config)
                        .into_iter()
                        .map(|c| FieldChange {
                            field: c.field,
                            from: c.to,
                            to: c.from,
                        })
                        .collect();
                    // What AWS has, also when in sync again (drift cleared): the plan compares
                    // the spec with it. Written only along with a change of status or drift.
                    let observed_json =
                        Some(serde_json::to_value(&alarm.config).unwrap_or_default());
                    found.push((*row, (!drift.is_empty()).then_some(drift), observed_json));
                }
            }
        }
        Ok(found)
    }
}

/// A resource, how AWS differs from it (None: in sync), and what AWS had when it differs.
type Finding<'a> = (
    &'a ResourceRow,
    Option<Vec<FieldChange>>,
    Option<serde_json::Value>,
);

fn gone(name: &str) -> FieldChange {
    FieldChange {
        field: "exists".to_owned(),
        from: name.to_owned(),
        to: "(deleted outside Belfry)".to_owned(),
    }
}
