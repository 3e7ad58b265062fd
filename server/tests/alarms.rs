//! Alarms, topics and subscriptions end to end against moto: declared over HTTP as a person
//! would, planned, applied by the reconciler, and checked in the emulator through the SDK.
mod common;

use common::proxy::Proxy;
use common::{TestApp, aws_at, moto_url, spawn_app};
use serde_json::Value;
use server::aws::Aws;
use server::reconciler::budget::Budget;
use server::reconciler::{FaultPoint, Reconciler};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

struct Lab {
    app: TestApp,
    admin: String,
    pool: sqlx::PgPool,
    proxy: Proxy,
    /// Talks to moto directly, to look at (and tamper with) what Belfry made.
    moto: Aws,
    /// Unique per test: moto is shared by every test of the run.
    tag: String,
}

impl Lab {
    async fn new() -> Lab {
        let app = spawn_app().await;
        let admin = app.first_admin("ada@example.com", PASSWORD).await;
        let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
        let proxy = Proxy::start(&moto_url()).await;
        let moto = aws_at(&moto_url()).await;
        let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        Lab {
            app,
            admin,
            pool,
            proxy,
            moto,
            tag,
        }
    }

    /// A reconciler as a server runs it, through the proxy, with quick retries for tests.
    async fn reconciler(&self) -> Reconciler {
        let mut reconciler = Reconciler::new(self.pool.clone(), aws_at(&self.proxy.url).await);
        reconciler.budget = Budget {
            per_second: 1000.0,
            burst: 1000.0,
        };
        reconciler.backoff_base = Duration::from_millis(20);
        reconciler.backoff_cap = Duration::from_millis(400);
        reconciler.drain_check = Duration::from_millis(200);
        reconciler
    }

    fn name(&self, base: &str) -> String {
        format!("{base}-{}", self.tag)
    }

    async fn call(&self, function: &str, form: &[(&str, &str)]) -> Value {
        let response = self.app.call(function, form, Some(&self.admin)).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{function}: {status} {body}");
        body
    }

    async fn call_owned(&self, function: &str, form: Vec<(String, String)>) -> Value {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.call(function, &form).await
    }

    async fn create_topic(&self, name: &str) -> String {
        self.call("create_topic", &[("name", name)])
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn save_alarm(&self, fields: &[(&str, &str)], id: Option<(&str, i32)>) -> String {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (format!("form[{k}]"), (*v).to_owned()))
            .collect();
        if let Some((id, version)) = id {
            form.push(("id".into(), id.into()));
            form.push(("version".into(), version.to_string()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.call("save_alarm", &form)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Posts the rule form: its own fields, then one list of fields per target row.
    async fn post_rule(
        &self,
        fields: &[(&str, &str)],
        targets: &[&[(&str, &str)]],
        id: Option<(&str, i32)>,
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (format!("form[{k}]"), (*v).to_owned()))
            .collect();
        for (index, target) in targets.iter().enumerate() {
            for (k, v) in target.iter() {
                form.push((format!("form[targets][{index}][{k}]"), (*v).to_owned()));
            }
        }
        if let Some((id, version)) = id {
            form.push(("id".into(), id.into()));
            form.push(("version".into(), version.to_string()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.app.call("save_rule", &form, Some(&self.admin)).await
    }

    async fn save_rule(
        &self,
        fields: &[(&str, &str)],
        targets: &[&[(&str, &str)]],
        id: Option<(&str, i32)>,
    ) -> String {
        let response = self.post_rule(fields, targets, id).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "save_rule: {status} {body}");
        body.as_str().unwrap().to_owned()
    }

    /// The version of the (only) resource of this kind, for an edit.
    async fn version(&self, kind: &str) -> i32 {
        self.resources(kind).await[0]["version"].as_i64().unwrap() as i32
    }

    /// The admin's current team, as the reconciler's resync takes it.
    async fn team_id(&self) -> uuid::Uuid {
        self.app.whoami(Some(&self.admin)).await["team_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn plan(&self) -> Value {
        self.call("plan", &[]).await
    }

    async fn apply(&self, reconciler: &Reconciler) {
        self.call("apply_plan", &[]).await;
        reconciler.drain(Duration::from_secs(60)).await.unwrap();
    }

    async fn resources(&self, kind: &str) -> Vec<Value> {
        self.call("list_resources", &[("kind", kind)])
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    async fn alarm_in_aws(&self, name: &str) -> Option<aws_sdk_cloudwatch::types::MetricAlarm> {
        self.moto
            .cloudwatch()
            .describe_alarms()
            .alarm_names(name)
            .send()
            .await
            .unwrap()
            .metric_alarms()
            .first()
            .cloned()
    }
}

fn lab_alarm<'a>(
    name: &'a str,
    topic: &'a str,
    threshold: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("description", "EBS writes above the lab's line"),
        ("namespace", "AWS/EBS"),
        ("metric_name", "VolumeWriteBytes"),
        ("dimensions", "VolumeId=vol-0123456789abcdef0"),
        ("statistic", "Sum"),
        ("period_seconds", "300"),
        ("evaluation_periods", "2"),
        ("datapoints_to_alarm", "1"),
        ("threshold", threshold),
        ("comparison", "GreaterThanThreshold"),
        ("treat_missing_data", "notBreaching"),
        ("alarm_actions", topic),
    ]
}

fn status_of(resources: &[Value], name: &str) -> String {
    resources
        .iter()
        .find(|r| r["name"] == name)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{name} not listed in {resources:?}"))
}

#[tokio::test]
async fn an_alarm_is_planned_created_changed_and_deleted_in_aws() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("ops");
    let alarm = lab.name("ebs-write-bytes");
    lab.create_topic(&topic).await;
    let id = lab
        .save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;

    // Nothing reaches AWS before apply; the plan says what will.
    assert!(lab.alarm_in_aws(&alarm).await.is_none());
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["create"], 2, "{plan}");
    let steps: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [topic.as_str(), alarm.as_str()],
        "the topic comes first"
    );

    lab.apply(&reconciler).await;
    let created = lab.alarm_in_aws(&alarm).await.expect("the alarm is in AWS");
    assert_eq!(created.namespace(), Some("AWS/EBS"));
    assert_eq!(created.metric_name(), Some("VolumeWriteBytes"));
    assert_eq!(
        created.alarm_description(),
        Some("EBS writes above the lab's line")
    );
    assert_eq!(created.dimensions()[0].name(), Some("VolumeId"));
    assert_eq!(
        created.dimensions()[0].value(),
        Some("vol-0123456789abcdef0")
    );
    assert_eq!(created.statistic().map(|s| s.as_str()), Some("Sum"));
    assert_eq!(created.period(), Some(300));
    assert_eq!(created.evaluation_periods(), Some(2));
    assert_eq!(created.datapoints_to_alarm(), Some(1));
    assert_eq!(created.threshold(), Some(100000.0));
    assert_eq!(
        created.comparison_operator().map(|c| c.as_str()),
        Some("GreaterThanThreshold")
    );
    assert_eq!(created.treat_missing_data(), Some("notBreaching"));
    let topic_arn = lab.resources("topic").await[0]["aws_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.alarm_actions(), [topic_arn]);
    assert_eq!(status_of(&lab.resources("alarm").await, &alarm), "in_sync");
    let tags = lab
        .moto
        .cloudwatch()
        .list_tags_for_resource()
        .resource_arn(created.alarm_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == Some("managed-by") && t.value() == Some("belfry"))
    );
    assert!(lab.plan().await["steps"].as_array().unwrap().is_empty());

    // A change: the plan says it in a person's words, then AWS follows.
    let version = lab.version("alarm").await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "200000"), Some((&id, version)))
        .await;
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["change"], 1, "{plan}");
    let change = &plan["steps"][0]["op"]["Update"][0];
    assert_eq!(change["field"], "threshold");
    assert_eq!(change["from"], "100000");
    assert_eq!(change["to"], "200000");
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(100000.0)
    );
    lab.apply(&reconciler).await;
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(200000.0)
    );

    // An edit from a stale copy is refused, not merged.
    let response = lab
        .app
        .call(
            "save_alarm",
            &[
                ("form[name]", alarm.as_str()),
                ("form[namespace]", "AWS/EBS"),
                ("form[metric_name]", "VolumeWriteBytes"),
                ("form[statistic]", "Sum"),
                ("form[period_seconds]", "300"),
                ("form[evaluation_periods]", "1"),
                ("form[threshold]", "5"),
                ("form[comparison]", "GreaterThanThreshold"),
                ("id", id.as_str()),
                ("version", &version.to_string()),
            ],
            Some(&lab.admin),
        )
        .await;
    assert_eq!(response.status(), 409);

    // Deleting removes it from AWS, then from Belfry.
    lab.call("delete_resource", &[("id", &id)]).await;
    assert_eq!(lab.plan().await["summary"]["delete"], 1);
    lab.apply(&reconciler).await;
    assert!(lab.alarm_in_aws(&alarm).await.is_none());
    assert!(lab.resources("alarm").await.is_empty());
}

#[tokio::test]
async fn a_bad_alarm_is_refused_with_every_field_named() {
    let lab = Lab::new().await;
    let mut fields = lab_alarm("x", "", "lots");
    fields.retain(|(k, _)| *k != "alarm_actions");
    for (key, value) in fields.iter_mut() {
        if *key == "period_seconds" {
            *value = "45";
        }
    }
    let form: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), (*v).to_owned()))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = lab.app.call("save_alarm", &form, Some(&lab.admin)).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["InvalidForm"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["threshold", "period_seconds"], "{body}");
    assert!(
        body["InvalidForm"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("must be a number")
    );
    assert!(lab.resources("alarm").await.is_empty());
}

#[tokio::test]
async fn drift_made_outside_belfry_is_found_and_healed_when_the_team_opts_in() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("ops");
    let alarm = lab.name("disk");
    lab.create_topic(&topic).await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    lab.apply(&reconciler).await;

    // Someone changes the threshold in the console.
    let before = lab.alarm_in_aws(&alarm).await.unwrap();
    lab.moto
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/EBS")
        .metric_name("VolumeWriteBytes")
        .set_dimensions(Some(before.dimensions().to_vec()))
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(300)
        .evaluation_periods(2)
        .datapoints_to_alarm(1)
        .threshold(5.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .alarm_description("EBS writes above the lab's line")
        .set_alarm_actions(Some(before.alarm_actions().to_vec()))
        .send()
        .await
        .unwrap();

    lab.proxy.reset_counts();
    let team = lab.team_id().await;
    let report = reconciler.resync_team(team).await.unwrap();
    assert_eq!(report.drifted, 1);
    let alarms = lab.resources("alarm").await;
    assert_eq!(status_of(&alarms, &alarm), "drifted");
    let drift = &alarms[0]["drift"][0];
    assert_eq!(drift["field"], "threshold");
    assert_eq!(drift["from"], "100000");
    assert_eq!(drift["to"], "5");
    // Without self-heal nothing was written to AWS.
    assert_eq!(lab.proxy.calls("PutMetricAlarm"), 0);
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(5.0)
    );

    lab.call("set_self_heal", &[("on", "true")]).await;
    let report = reconciler.resync_team(team).await.unwrap();
    assert_eq!(report.healed, 1);
    reconciler.drain(Duration::from_secs(30)).await.unwrap();
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(100000.0)
    );
    assert_eq!(status_of(&lab.resources("alarm").await, &alarm), "in_sync");

    // Deleted in the console: drift again, and put back.
    lab.moto
        .cloudwatch()
        .delete_alarms()
        .alarm_names(&alarm)
        .send()
        .await
        .unwrap();
    reconciler.resync_team(team).await.unwrap();
    reconciler.drain(Duration::from_secs(30)).await.unwrap();
    assert!(lab.alarm_in_aws(&alarm).await.is_some());
}

#[tokio::test]
async fn an_alarm_made_outside_belfry_is_adopted_without_a_change() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let alarm = lab.name("legacy-cpu");
    lab.moto
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("InstanceId")
                .value("i-0123456789abcdef0")
                .build(),
        )
        .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
        .period(60)
        .evaluation_periods(3)
        .threshold(80.0)
        .comparison_operator(
            aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold,
        )
        .send()
        .await
        .unwrap();

    let candidates = lab.call("importable_alarms", &[]).await;
    assert!(
        candidates
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == alarm.as_str()),
        "{candidates}"
    );
    lab.call("adopt_alarm", &[("name", &alarm)]).await;
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["adopt"], 1, "{plan}");
    assert_eq!(
        plan["steps"][0]["op"]["Adopt"],
        serde_json::json!([]),
        "no change"
    );

    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    assert_eq!(
        lab.proxy.calls("PutMetricAlarm"),
        0,
        "{:?}",
        lab.proxy.all_calls()
    );
    let adopted = lab.alarm_in_aws(&alarm).await.unwrap();
    assert_eq!(adopted.threshold(), Some(80.0));
    assert_eq!(adopted.evaluation_periods(), Some(3));
    assert_eq!(status_of(&lab.resources("alarm").await, &alarm), "in_sync");
    // It no longer shows as importable.
    let candidates = lab.call("importable_alarms", &[]).await;
    assert!(
        !candidates
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == alarm.as_str())
    );
}

#[tokio::test]
async fn a_worker_killed_between_the_aws_call_and_the_status_write_leaves_exactly_one() {
    let lab = Lab::new().await;
    let topic = lab.name("crash");
    let alarm = lab.name("crash-alarm");
    lab.create_topic(&topic).await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    let endpoint = format!("{}@example.com", lab.tag);
    let topic_id = lab.resources("topic").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    lab.call(
        "create_subscription",
        &[
            ("topic", &topic_id),
            ("protocol", "email"),
            ("endpoint", &endpoint),
        ],
    )
    .await;

    // The first worker "dies" right after the create call of each kind, once: it never
    // writes a status, and its lease keeps the job from others until the lease runs out.
    let mut dying = lab.reconciler().await;
    dying.lease_seconds = 1;
    let crashed = Arc::new(Mutex::new(HashSet::new()));
    let seen = crashed.clone();
    dying.fault = Some(Arc::new(move |point, kind| {
        point == FaultPoint::AfterCreateCall && seen.lock().unwrap().insert(kind)
    }));
    lab.call("apply_plan", &[]).await;
    dying.run_once().await.unwrap(); // the topic is made; the others wait for it
    assert_eq!(
        lab.resources("topic").await[0]["aws_id"],
        Value::Null,
        "no status was written"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dying.run_once().await.unwrap(); // the topic is found; the subscription and alarm are made
    assert_eq!(
        crashed.lock().unwrap().len(),
        3,
        "a crash after each kind's create"
    );

    // A new worker after the lease finds what the dead one made instead of making more.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let healthy = lab.reconciler().await;
    healthy.drain(Duration::from_secs(30)).await.unwrap();
    let sns = lab.moto.sns();
    let topics_in_aws: Vec<String> = sns
        .list_topics()
        .send()
        .await
        .unwrap()
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn().map(str::to_owned))
        .filter(|arn| arn.ends_with(&format!(":{topic}")))
        .collect();
    assert_eq!(topics_in_aws.len(), 1, "{topics_in_aws:?}");
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topics_in_aws[0])
        .send()
        .await
        .unwrap();
    assert_eq!(subscriptions.subscriptions().len(), 1);
    assert!(lab.alarm_in_aws(&alarm).await.is_some());
    for kind in ["topic", "subscription", "alarm"] {
        for resource in lab.resources(kind).await {
            assert_eq!(resource["status"], "in_sync", "{resource}");
        }
    }
}

#[tokio::test]
async fn everything_converges_when_aws_throttles_half_of_the_calls() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("busy");
    lab.create_topic(&topic).await;
    let names: Vec<String> = (0..12).map(|i| lab.name(&format!("busy-{i}"))).collect();
    for name in &names {
        lab.save_alarm(&lab_alarm(name, &topic, "100000"), None)
            .await;
    }
    lab.proxy.state.throttle_every.store(2, Ordering::Relaxed);
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(120)).await.unwrap();
    assert!(lab.proxy.throttled() > 0, "the proxy did throttle");
    for name in &names {
        assert!(lab.alarm_in_aws(name).await.is_some(), "{name}");
        assert_eq!(status_of(&lab.resources("alarm").await, name), "in_sync");
    }
    assert_eq!(
        lab.proxy.calls("PutMetricAlarm"),
        names.len(),
        "one put per alarm"
    );
    assert_eq!(lab.proxy.calls("CreateTopic"), 1);
}

#[tokio::test]
async fn an_email_subscription_stays_pending_until_confirmed_through_the_fake_sns() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    lab.proxy.state.fake_pending.store(true, Ordering::Relaxed);
    let topic = lab.name("mail");
    let topic_id = lab.create_topic(&topic).await;
    let endpoint = format!("oncall-{}@example.com", lab.tag);
    let id = lab
        .call(
            "create_subscription",
            &[
                ("topic", &topic_id),
                ("protocol", "email"),
                ("endpoint", &endpoint),
            ],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    lab.apply(&reconciler).await;
    let subscription = &lab.resources("subscription").await[0];
    assert!(subscription["pending_since"].is_string(), "{subscription}");
    assert_eq!(subscription["aws_id"], "PendingConfirmation");

    // Resend: SNS is asked again, which sends a new confirmation message.
    lab.call("resend_confirmation", &[("id", &id)]).await;
    reconciler.drain(Duration::from_secs(30)).await.unwrap();
    assert_eq!(
        lab.proxy.subscribe_calls(),
        [endpoint.clone(), endpoint.clone()]
    );
    assert!(lab.resources("subscription").await[0]["pending_since"].is_string());

    // The owner clicks the link; the next resync sees the subscription confirmed.
    lab.proxy.confirm(&endpoint);
    let team = lab.team_id().await;
    reconciler.resync_team(team).await.unwrap();
    let subscription = &lab.resources("subscription").await[0];
    assert!(subscription["pending_since"].is_null(), "{subscription}");
    assert!(
        subscription["aws_id"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sns:")
    );
}

#[tokio::test]
async fn a_pending_subscription_cannot_be_unsubscribed_and_belfry_says_so() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    lab.proxy.state.fake_pending.store(true, Ordering::Relaxed);
    let topic_id = lab.create_topic(&lab.name("lapse")).await;
    let id = lab
        .call(
            "create_subscription",
            &[
                ("topic", &topic_id),
                ("protocol", "email"),
                ("endpoint", &format!("gone-{}@example.com", lab.tag)),
            ],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    lab.apply(&reconciler).await;
    lab.call("delete_resource", &[("id", &id)]).await;
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("Unsubscribe"), 0);
    assert!(lab.resources("subscription").await.is_empty());
    let said: String = sqlx::query_scalar(
        "SELECT detail->>'reason' FROM events WHERE what = 'left pending in AWS'",
    )
    .fetch_one(&lab.pool)
    .await
    .unwrap();
    assert!(said.contains("cannot unsubscribe a pending"), "{said}");
}

#[tokio::test]
async fn https_endpoints_inside_a_network_are_refused() {
    let lab = Lab::new().await;
    let topic_id = lab.create_topic(&lab.name("hooks")).await;
    for endpoint in [
        "http://hooks.example.com/x",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://[::1]/hook",
    ] {
        let response = lab
            .app
            .call(
                "create_subscription",
                &[
                    ("topic", &topic_id),
                    ("protocol", "https"),
                    ("endpoint", endpoint),
                ],
                Some(&lab.admin),
            )
            .await;
        assert_eq!(response.status(), 422, "{endpoint}");
    }
    assert!(lab.resources("subscription").await.is_empty());
}

#[tokio::test]
async fn viewers_read_but_cannot_change_and_other_teams_see_nothing() {
    let lab = Lab::new().await;
    let topic = lab.name("ops");
    lab.create_topic(&topic).await;
    let id = lab
        .save_alarm(&lab_alarm(&lab.name("x"), &topic, "1"), None)
        .await;
    let invitation: String = lab
        .call("create_invitation", &[("role", "viewer")])
        .await
        .as_str()
        .unwrap()
        .to_owned();
    let token = invitation.strip_prefix("/invite/").unwrap();
    let response = lab
        .app
        .call(
            "accept_invitation",
            &[
                ("token", token),
                ("email", "vic@example.com"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    let viewer = common::session_cookie(&response).unwrap();
    assert_eq!(
        lab.app
            .call("list_resources", &[("kind", "alarm")], Some(&viewer))
            .await
            .status(),
        200
    );
    for (function, form) in [
        ("apply_plan", vec![]),
        ("delete_resource", vec![("id", id.as_str())]),
        ("create_topic", vec![("name", "nope")]),
        ("set_self_heal", vec![("on", "true")]),
    ] {
        let status = lab.app.call(function, &form, Some(&viewer)).await.status();
        assert_eq!(status, 403, "{function}");
    }
    // In another team (Ada starts one and the session moves to it), the alarm's id answers
    // 404 as if it did not exist.
    let response = lab
        .app
        .call("create_team", &[("name", "Elsewhere")], Some(&lab.admin))
        .await;
    let elsewhere = common::session_cookie(&response).unwrap_or(lab.admin.clone());
    assert!(
        lab.app
            .call_json::<Value>("list_resources", &[("kind", "alarm")], Some(&elsewhere))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        lab.app
            .call("delete_resource", &[("id", id.as_str())], Some(&elsewhere))
            .await
            .status(),
        404
    );
    assert_eq!(
        lab.app
            .call("load_alarm_form", &[("id", id.as_str())], Some(&elsewhere))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_test_notification_puts_the_alarm_in_alarm_and_orphaning_leaves_it_in_aws() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("ops");
    let alarm = lab.name("tested");
    lab.create_topic(&topic).await;
    let id = lab
        .save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    // Before apply there is nothing in AWS to test.
    let response = lab
        .app
        .call("send_test_notification", &[("id", &id)], Some(&lab.admin))
        .await;
    assert_eq!(response.status(), 409);
    lab.apply(&reconciler).await;
    lab.call("send_test_notification", &[("id", &id)]).await;
    let state = lab.alarm_in_aws(&alarm).await.unwrap();
    assert_eq!(state.state_value().map(|s| s.as_str()), Some("ALARM"));
    let live: Vec<(String, String)> =
        serde_json::from_value(lab.call("alarm_states", &[]).await).unwrap();
    assert_eq!(live, [(alarm.clone(), "ALARM".to_owned())]);

    lab.call("delete_resource", &[("id", &id), ("orphan", "true")])
        .await;
    let plan = lab.plan().await;
    assert_eq!(plan["steps"][0]["op"], "Orphan", "{plan}");
    lab.apply(&reconciler).await;
    assert!(lab.resources("alarm").await.is_empty(), "Belfry forgot it");
    assert!(lab.alarm_in_aws(&alarm).await.is_some(), "AWS kept it");
    assert_eq!(lab.proxy.calls("DeleteAlarms"), 0);
}

#[tokio::test]
async fn belfry_plan_and_apply_run_the_same_engine_from_the_command_line() {
    let lab = Lab::new().await;
    let topic = lab.name("cli");
    let alarm = lab.name("cli-alarm");
    lab.create_topic(&topic).await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    let args = |json: bool| server::cli::PlanArgs {
        database: server::cli::DatabaseArgs {
            database_url: lab.app.database_url.clone(),
        },
        team: Some("Platform".to_owned()),
        json,
    };
    let mut out = Vec::new();
    server::plan(args(false), &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("2 to create, 0 to change"), "{text}");
    assert!(text.contains(&format!("+ alarm {alarm}")), "{text}");
    let mut out = Vec::new();
    server::plan(args(true), &mut out).await.unwrap();
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["summary"]["create"], 2);

    let mut out = Vec::new();
    server::apply(args(false), aws_at(&lab.proxy.url).await, &mut out)
        .await
        .unwrap();
    assert!(lab.alarm_in_aws(&alarm).await.is_some());
    let mut out = Vec::new();
    server::plan(args(false), &mut out).await.unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "No changes: AWS matches what the team declared.\n"
    );
    // An unknown team is an error that names the choice.
    let mut wrong = args(false);
    wrong.team = Some("Nope".to_owned());
    let error = server::plan(wrong, &mut Vec::new()).await.unwrap_err();
    assert_eq!(error.to_string(), "no team named Nope");
}

#[tokio::test]
async fn the_form_picks_metrics_from_cloudwatch_and_the_graph_reads_them() {
    let lab = Lab::new().await;
    let volume = format!("vol-{}", lab.tag);
    let now = chrono::Utc::now().timestamp();
    let points: Vec<aws_sdk_cloudwatch::types::MetricDatum> = (0..6)
        .map(|i| {
            aws_sdk_cloudwatch::types::MetricDatum::builder()
                .metric_name("VolumeWriteBytes")
                .dimensions(
                    aws_sdk_cloudwatch::types::Dimension::builder()
                        .name("VolumeId")
                        .value(&volume)
                        .build(),
                )
                .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
                    now - 300 * (i + 1),
                ))
                .value(if i == 2 { 250000.0 } else { 1000.0 })
                .build()
        })
        .collect();
    lab.moto
        .cloudwatch()
        .put_metric_data()
        .namespace("AWS/EBS")
        .set_metric_data(Some(points))
        .send()
        .await
        .unwrap();

    let choices = lab
        .call("metric_choices", &[("namespace", "AWS/EBS")])
        .await;
    let ours: Vec<&Value> = choices
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["dimensions"][0]["value"] == volume.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{choices}");
    assert_eq!(ours[0]["metric_name"], "VolumeWriteBytes");

    let topic = lab.name("ops");
    lab.create_topic(&topic).await;
    let dimensions = format!("VolumeId={volume}");
    let mut fields = lab_alarm(&lab.tag, &topic, "100000");
    for (key, value) in fields.iter_mut() {
        if *key == "dimensions" {
            *value = &dimensions;
        }
    }
    let id = lab.save_alarm(&fields, None).await;
    let graph = lab.call("alarm_graph", &[("id", &id)]).await;
    let values: Vec<f64> = graph["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_f64().unwrap())
        .collect();
    assert_eq!(values.len(), 6, "{graph}");
    assert_eq!(values.iter().filter(|v| **v > 100000.0).count(), 1);
    assert_eq!(graph["threshold"], 100000.0);
}

#[tokio::test]
async fn renaming_an_alarm_makes_the_new_one_before_removing_the_old() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("ops");
    let old = lab.name("old-name");
    let new = lab.name("new-name");
    lab.create_topic(&topic).await;
    let id = lab
        .save_alarm(&lab_alarm(&old, &topic, "100000"), None)
        .await;
    lab.apply(&reconciler).await;
    let version = lab.version("alarm").await;
    lab.save_alarm(&lab_alarm(&new, &topic, "100000"), Some((&id, version)))
        .await;
    assert_eq!(lab.resources("alarm").await[0]["name"], new.as_str());
    let plan = lab.plan().await;
    let change = &plan["steps"][0]["op"]["Update"][0];
    assert_eq!(change["field"], "name", "{plan}");
    assert_eq!(change["from"], old.as_str());
    lab.apply(&reconciler).await;
    assert!(lab.alarm_in_aws(&new).await.is_some());
    assert!(lab.alarm_in_aws(&old).await.is_none());
    assert_eq!(status_of(&lab.resources("alarm").await, &new), "in_sync");
}

#[tokio::test]
async fn a_topic_made_outside_belfry_is_adopted_without_a_change() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("legacy-topic");
    let arn = lab
        .moto
        .sns()
        .create_topic()
        .name(&name)
        .attributes("DisplayName", "Legacy")
        .send()
        .await
        .unwrap()
        .topic_arn()
        .unwrap()
        .to_owned();
    let found = lab.call("importable_topics", &[]).await;
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t[0] == arn.as_str() && t[1] == "Legacy"),
        "{found}"
    );
    lab.call("adopt_topic", &[("arn", &arn)]).await;
    assert_eq!(lab.plan().await["summary"]["adopt"], 1);
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("CreateTopic"), 0);
    assert_eq!(lab.proxy.calls("SetTopicAttributes"), 0);
    let topics = lab.resources("topic").await;
    assert_eq!(topics[0]["aws_id"], arn.as_str());
    assert_eq!(topics[0]["status"], "in_sync");
    let tags = lab
        .moto
        .sns()
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == "managed-by" && t.value() == "belfry")
    );
    let found = lab.call("importable_topics", &[]).await;
    assert!(
        !found
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t[0] == arn.as_str())
    );
}

#[tokio::test]
async fn an_alarm_deleted_while_its_create_was_in_flight_is_removed_from_aws() {
    let lab = Lab::new().await;
    let topic = lab.name("ops");
    let alarm = lab.name("short-lived");
    lab.create_topic(&topic).await;
    let id = lab.save_alarm(&lab_alarm(&alarm, &topic, "1"), None).await;
    let mut dying = lab.reconciler().await;
    dying.lease_seconds = 1;
    dying.fault = Some(Arc::new(|point, kind| {
        point == FaultPoint::AfterCreateCall && kind == app::domain::plan::Kind::Alarm
    }));
    lab.call("apply_plan", &[]).await;
    dying.drain(Duration::from_secs(5)).await.unwrap();
    assert!(
        lab.alarm_in_aws(&alarm).await.is_some(),
        "the create call went through"
    );
    // The person deletes it before any status was written.
    lab.call("delete_resource", &[("id", &id)]).await;
    lab.call("apply_plan", &[]).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    lab.reconciler()
        .await
        .drain(Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        lab.alarm_in_aws(&alarm).await.is_none(),
        "nothing is left behind in AWS"
    );
    assert!(lab.resources("alarm").await.is_empty());
}

#[tokio::test]
async fn declaring_an_alarm_whose_name_is_taken_in_aws_does_not_take_it_over() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let alarm = lab.name("someone-elses");
    lab.moto
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
        .period(60)
        .evaluation_periods(1)
        .threshold(90.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    let topic = lab.name("ops");
    lab.create_topic(&topic).await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    // It keeps failing (and retrying later): give it a moment, not the usual minute.
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(2)).await.unwrap();
    let alarms = lab.resources("alarm").await;
    assert_eq!(alarms[0]["status"], "error");
    assert!(
        alarms[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("exists in AWS and is not this one"),
        "{alarms:?}"
    );
    let theirs = lab.alarm_in_aws(&alarm).await.unwrap();
    assert_eq!(theirs.threshold(), Some(90.0), "left as it was");
    assert_eq!(lab.proxy.calls("PutMetricAlarm"), 0);
}

#[tokio::test]
async fn self_heal_does_not_apply_an_edit_that_waits_in_the_plan() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("ops");
    let alarm = lab.name("held");
    lab.create_topic(&topic).await;
    let id = lab
        .save_alarm(&lab_alarm(&alarm, &topic, "100000"), None)
        .await;
    lab.apply(&reconciler).await;
    lab.call("set_self_heal", &[("on", "true")]).await;
    // Someone edits it in Belfry (held for the plan), and someone else changes it in AWS.
    let version = lab.version("alarm").await;
    lab.save_alarm(&lab_alarm(&alarm, &topic, "300000"), Some((&id, version)))
        .await;
    let fields = lab.alarm_in_aws(&alarm).await.unwrap();
    lab.moto
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(&alarm)
        .namespace("AWS/EBS")
        .metric_name("VolumeWriteBytes")
        .set_dimensions(Some(fields.dimensions().to_vec()))
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(300)
        .evaluation_periods(2)
        .threshold(5.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    let team = lab.team_id().await;
    let report = reconciler.resync_team(team).await.unwrap();
    assert_eq!(report.healed, 0, "{report:?}");
    reconciler.drain(Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(5.0)
    );
    assert_eq!(
        lab.plan().await["summary"]["change"],
        1,
        "the edit still waits"
    );
    // Applying the plan is what changes AWS.
    lab.apply(&reconciler).await;
    assert_eq!(
        lab.alarm_in_aws(&alarm).await.unwrap().threshold(),
        Some(300000.0)
    );

    // An alarm save naming a topic's id finds no alarm there.
    let topic_id = lab.resources("topic").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form: Vec<(String, String)> = lab_alarm(&alarm, &topic, "1")
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), (*v).to_owned()))
        .chain([
            ("id".to_owned(), topic_id),
            ("version".to_owned(), "1".to_owned()),
        ])
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = lab.app.call("save_alarm", &form, Some(&lab.admin)).await;
    assert_eq!(response.status(), 404);
}

// EventBridge rules (issue 7) ride on the same reconciler; their first tests live here.

async fn rule_in_aws(lab: &Lab, name: &str) -> Option<(String, String, Vec<String>)> {
    let client = lab.moto.eventbridge();
    let rule = client.describe_rule().name(name).send().await.ok()?;
    let targets = client
        .list_targets_by_rule()
        .rule(name)
        .send()
        .await
        .unwrap()
        .targets()
        .iter()
        .map(|t| t.id().to_owned())
        .collect();
    Some((
        rule.schedule_expression().unwrap_or_default().to_owned(),
        rule.state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        targets,
    ))
}

#[tokio::test]
async fn a_schedule_rule_is_created_changed_disabled_and_deleted_with_its_targets() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.create_topic(&lab.name("ticks")).await;
    let name = lab.name("morning-count");
    let lambda = &common::lambda_function(&lab.moto, &lab.name("count")).await;
    let id = lab
        .save_rule(
            &[("name", &name), ("schedule", "cron(0 10 * * ? *)")],
            &[
                &[("kind", "lambda"), ("id", "lambda"), ("arn", lambda)],
                &[("kind", "topic"), ("id", "topic"), ("topic", &topic)],
            ],
            None,
        )
        .await;
    assert!(
        rule_in_aws(&lab, &name).await.is_none(),
        "nothing before apply"
    );
    lab.apply(&reconciler).await;
    let (schedule, state, mut targets) = rule_in_aws(&lab, &name).await.expect("the rule");
    targets.sort();
    assert_eq!(schedule, "cron(0 10 * * ? *)");
    assert_eq!(state, "ENABLED");
    assert_eq!(targets, ["lambda", "topic"]);

    // A target added outside Belfry is removed at the next apply; a new schedule and a
    // disabled state are sent together (PutRule replaces the whole rule).
    lab.moto
        .eventbridge()
        .put_targets()
        .rule(&name)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("intruder")
                .arn("arn:aws:sqs:ap-northeast-2:123456789012:elsewhere")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // The resync flags it before anyone applies anything.
    let team = lab.team_id().await;
    reconciler.resync_team(team).await.unwrap();
    let rules = lab.resources("rule").await;
    assert_eq!(rules[0]["status"], "drifted");
    assert_eq!(
        rules[0]["drift"][0]["field"], "target intruder",
        "{rules:?}"
    );
    assert_eq!(rules[0]["drift"][0]["from"], "(none)");
    let version = lab.version("rule").await;
    lab.save_rule(
        &[
            ("name", &name),
            ("schedule", "rate(5 minutes)"),
            ("enabled", "false"),
        ],
        &[&[("kind", "lambda"), ("id", "lambda"), ("arn", lambda)]],
        Some((&id, version)),
    )
    .await;
    lab.apply(&reconciler).await;
    let (schedule, state, targets) = rule_in_aws(&lab, &name).await.unwrap();
    assert_eq!(schedule, "rate(5 minutes)");
    assert_eq!(state, "DISABLED");
    assert_eq!(
        targets,
        ["lambda"],
        "the topic target and the intruder are gone"
    );
    assert_eq!(status_of(&lab.resources("rule").await, &name), "in_sync");

    lab.call("delete_resource", &[("id", &id)]).await;
    lab.apply(&reconciler).await;
    assert!(rule_in_aws(&lab, &name).await.is_none());
    assert!(lab.resources("rule").await.is_empty());
}

#[tokio::test]
async fn an_expression_that_never_fires_is_refused_before_any_aws_call() {
    let lab = Lab::new().await;
    for (schedule, says) in [
        ("cron(garbage)", ""),
        ("cron(0 0 30 2 ? *)", "never runs"),
        ("at(2027-01-01T09:00:00)", "Scheduler"),
    ] {
        let response = lab
            .post_rule(&[("name", "bad"), ("schedule", schedule)], &[], None)
            .await;
        assert_eq!(response.status(), 422, "{schedule}");
        let body: Value = response.json().await.unwrap();
        let error = &body["InvalidForm"]["errors"][0];
        assert_eq!(error["field"], "schedule", "{body}");
        assert!(error["message"].as_str().unwrap().contains(says), "{body}");
    }
    assert!(lab.resources("rule").await.is_empty());
    assert!(lab.proxy.all_calls().is_empty(), "no AWS call at all");
}

#[tokio::test]
async fn put_targets_failed_entries_are_an_error_and_the_retry_converges() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("partial");
    let lambda = common::lambda_function(&lab.moto, &lab.name("count")).await;
    lab.save_rule(
        &[("name", &name), ("schedule", "rate(1 hour)")],
        &[&[("kind", "lambda"), ("id", "lambda"), ("arn", &lambda)]],
        None,
    )
    .await;
    lab.proxy
        .state
        .fail_put_targets
        .store(true, Ordering::Relaxed);
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(1)).await.unwrap();
    let rule = &lab.resources("rule").await[0];
    assert_eq!(rule["status"], "error");
    let error = rule["last_error"].as_str().unwrap();
    assert!(
        error.contains("PutTargets refused: lambda: ConcurrentModificationException"),
        "{error}"
    );
    // AWS recovers: the retry puts the target and the rule is in sync.
    lab.proxy
        .state
        .fail_put_targets
        .store(false, Ordering::Relaxed);
    reconciler.drain(Duration::from_secs(30)).await.unwrap();
    assert_eq!(status_of(&lab.resources("rule").await, &name), "in_sync");
    assert_eq!(rule_in_aws(&lab, &name).await.unwrap().2, ["lambda"]);
}

/// The statement ids on the function's resource policy, with each one's source ARN.
async fn invoke_permissions(lab: &Lab, function: &str) -> Vec<(String, String)> {
    let Ok(policy) = lab
        .moto
        .lambda()
        .get_policy()
        .function_name(function)
        .send()
        .await
    else {
        return Vec::new();
    };
    let policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Principal"]["Service"] == "events.amazonaws.com")
        .map(|s| {
            (
                s["Sid"].as_str().unwrap().to_owned(),
                s["Condition"]["ArnLike"]["AWS:SourceArn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_lambda_target_may_be_invoked_by_its_rule_only_and_not_after_the_rule_is_gone() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let function = lab.name("counter");
    let arn = common::lambda_function(&lab.moto, &function).await;
    // The form offers the account's functions.
    let offered = lab.call("lambda_functions", &[]).await;
    assert!(
        offered
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f[0] == function.as_str() && f[1] == arn.as_str()),
        "{offered}"
    );
    let name = lab.name("morning");
    let id = lab
        .save_rule(
            &[("name", &name), ("schedule", "cron(0 10 * * ? *)")],
            &[&[("kind", "lambda"), ("arn", &arn)]],
            None,
        )
        .await;
    assert!(invoke_permissions(&lab, &function).await.is_empty());
    lab.apply(&reconciler).await;
    let rule_arn = lab
        .moto
        .eventbridge()
        .describe_rule()
        .name(&name)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let sid = server::aws::lambda::statement_id(&name);
    assert_eq!(
        invoke_permissions(&lab, &function).await,
        [(sid.clone(), rule_arn.clone())]
    );
    // The target's id was made from the function's name.
    assert_eq!(
        rule_in_aws(&lab, &name).await.unwrap().2,
        [function.as_str()]
    );

    // Removed by hand: the next apply of the rule puts it back, once.
    lab.moto
        .lambda()
        .remove_permission()
        .function_name(&function)
        .statement_id(&sid)
        .send()
        .await
        .unwrap();
    // The resync notices: the rule would no longer reach its function.
    let team = lab.team_id().await;
    reconciler.resync_team(team).await.unwrap();
    let listed = &lab.resources("rule").await[0];
    assert_eq!(listed["status"], "drifted");
    assert_eq!(
        listed["drift"][0]["field"],
        format!("invoke permission {arn}"),
        "{listed}"
    );
    let version = lab.version("rule").await;
    lab.save_rule(
        &[
            ("name", &name),
            ("description", "counts every morning"),
            ("schedule", "cron(0 10 * * ? *)"),
        ],
        &[&[("kind", "lambda"), ("id", &function), ("arn", &arn)]],
        Some((&id, version)),
    )
    .await;
    lab.apply(&reconciler).await;
    assert_eq!(
        invoke_permissions(&lab, &function).await,
        [(sid.clone(), rule_arn)]
    );
    assert_eq!(
        lab.proxy.calls("AddPermission"),
        2,
        "first apply, then the repair"
    );
    // Another change of the rule: the permission is checked, not added again.
    let version = lab.version("rule").await;
    lab.save_rule(
        &[
            ("name", &name),
            ("description", "counts every morning, still"),
            ("schedule", "cron(0 10 * * ? *)"),
        ],
        &[&[("kind", "lambda"), ("id", &function), ("arn", &arn)]],
        Some((&id, version)),
    )
    .await;
    let checks = lab.proxy.calls("GetPolicy");
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("GetPolicy"), checks + 1);
    assert_eq!(lab.proxy.calls("AddPermission"), 2);
    assert_eq!(invoke_permissions(&lab, &function).await.len(), 1);

    // The same target pointed at another function: the first one loses the permission.
    let other = lab.name("other");
    let other_arn = common::lambda_function(&lab.moto, &other).await;
    let version = lab.version("rule").await;
    lab.save_rule(
        &[("name", &name), ("schedule", "cron(0 10 * * ? *)")],
        &[&[("kind", "lambda"), ("id", &function), ("arn", &other_arn)]],
        Some((&id, version)),
    )
    .await;
    lab.apply(&reconciler).await;
    assert!(invoke_permissions(&lab, &function).await.is_empty());
    assert_eq!(invoke_permissions(&lab, &other).await.len(), 1);
    let function = other;

    lab.call("delete_resource", &[("id", &id)]).await;
    lab.apply(&reconciler).await;
    assert!(rule_in_aws(&lab, &name).await.is_none());
    assert!(
        invoke_permissions(&lab, &function).await.is_empty(),
        "the permission goes with the rule"
    );
}

#[tokio::test]
async fn an_event_pattern_rule_sends_constant_input_to_a_queue_and_drift_in_it_is_found() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("stopped-instances");
    let queue = format!(
        "arn:aws:sqs:ap-northeast-2:123456789012:{}",
        lab.name("jobs")
    );
    let dead = format!(
        "arn:aws:sqs:ap-northeast-2:123456789012:{}",
        lab.name("dead")
    );
    let pattern = "{\n  \"source\": [\"aws.ec2\"],\n  \"detail\": { \"state\": [\"stopped\"] }\n}";
    lab.save_rule(
        &[
            ("name", &name),
            ("trigger", "pattern"),
            ("event_pattern", pattern),
            // A schedule left in the hidden field is not sent to AWS.
            ("schedule", "rate(5 minutes)"),
        ],
        &[&[
            ("kind", "sqs"),
            ("id", "jobs"),
            ("arn", &queue),
            ("input", "{ \"count\": 1 }"),
            ("max_attempts", "3"),
            ("max_age_seconds", "3600"),
            ("dead_letter", &dead),
        ]],
        None,
    )
    .await;
    lab.apply(&reconciler).await;
    let client = lab.moto.eventbridge();
    let rule = client.describe_rule().name(&name).send().await.unwrap();
    assert_eq!(rule.schedule_expression(), None);
    let sent: Value = serde_json::from_str(rule.event_pattern().unwrap()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}})
    );
    let targets = client
        .list_targets_by_rule()
        .rule(&name)
        .send()
        .await
        .unwrap();
    let target = &targets.targets()[0];
    assert_eq!(target.arn(), queue);
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(input, serde_json::json!({"count": 1}));
    let retry = target.retry_policy().unwrap();
    assert_eq!(retry.maximum_retry_attempts(), Some(3));
    assert_eq!(retry.maximum_event_age_in_seconds(), Some(3600));
    assert_eq!(
        target.dead_letter_config().unwrap().arn(),
        Some(dead.as_str())
    );

    // What AWS hands back reads the same as what was sent: no drift.
    let team = lab.team_id().await;
    let report = reconciler.resync_team(team).await.unwrap();
    assert_eq!(report.drifted, 0);
    assert_eq!(status_of(&lab.resources("rule").await, &name), "in_sync");

    // Someone changes the input in the console: the resync says so.
    client
        .put_targets()
        .rule(&name)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("jobs")
                .arn(&queue)
                .input(r#"{"count": 2}"#)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    reconciler.resync_team(team).await.unwrap();
    let rules = lab.resources("rule").await;
    assert_eq!(rules[0]["status"], "drifted");
    assert_eq!(rules[0]["drift"][0]["field"], "target jobs", "{rules:?}");
    assert!(
        rules[0]["drift"][0]["to"]
            .as_str()
            .unwrap()
            .contains(r#"input {"count":2}"#),
        "{rules:?}"
    );
}

#[tokio::test]
async fn the_rule_form_names_every_bad_field_and_nothing_reaches_aws() {
    let lab = Lab::new().await;
    let response = lab
        .post_rule(
            &[
                ("name", "no spaces please"),
                ("trigger", "pattern"),
                ("event_pattern", r#"{"source": "aws.ec2"}"#),
            ],
            &[
                &[
                    ("kind", "lambda"),
                    ("arn", "arn:aws:sqs:ap-northeast-2:123456789012:q"),
                ],
                // A row removed in the browser: its slot sends an empty kind.
                &[("kind", "")],
                &[
                    ("kind", "sqs"),
                    ("arn", "arn:aws:sqs:ap-northeast-2:123456789012:q"),
                    ("input", "{count: 1}"),
                ],
            ],
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let errors: Vec<(String, String)> = body["InvalidForm"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["name", "event_pattern", "target-0", "target-2"],
        "{body}"
    );
    assert!(errors[1].1.contains("source must be a list"), "{body}");
    assert!(
        errors[2]
            .1
            .contains("Target 1: the ARN does not name a Lambda function"),
        "{body}"
    );
    assert!(
        errors[3]
            .1
            .contains("Target 3: the constant input is not JSON"),
        "{body}"
    );
    assert!(lab.resources("rule").await.is_empty());
    assert!(lab.proxy.all_calls().is_empty(), "no AWS call at all");
}

#[tokio::test]
async fn a_schedule_written_in_seoul_reaches_aws_as_its_utc_twin_and_new_york_is_refused() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("seoul-mornings");
    lab.save_rule(
        &[
            ("name", &name),
            ("zone", "Asia/Seoul"),
            ("schedule", "cron(0 9 ? * MON-FRI *)"),
        ],
        &[],
        None,
    )
    .await;
    lab.apply(&reconciler).await;
    let (schedule, _, _) = rule_in_aws(&lab, &name).await.unwrap();
    assert_eq!(
        schedule, "cron(0 0 ? * MON-FRI *)",
        "09:00 in Seoul is 00:00 UTC"
    );
    let listed = &lab.resources("rule").await[0];
    assert_eq!(listed["written_in"][0], "Asia/Seoul");
    assert_eq!(listed["written_in"][1], "cron(0 9 ? * MON-FRI *)");
    // The rule in words, in both languages of the UI: the list shows it as it is.
    assert_eq!(
        listed["described"]["en"], "At 12:00 AM, Monday through Friday",
        "{listed}"
    );
    assert!(
        listed["described"]["ko"]
            .as_str()
            .is_some_and(|ko| ko.contains("월요일")),
        "{listed}"
    );
    // Every next run is at 00:00 UTC on a weekday.
    let runs = listed["next_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for run in runs {
        let run: chrono::DateTime<chrono::Utc> = run.as_str().unwrap().parse().unwrap();
        use chrono::{Datelike, Timelike};
        assert_eq!((run.hour(), run.minute()), (0, 0));
        assert!(run.weekday().number_from_monday() <= 5, "{run}");
    }

    let response = lab
        .post_rule(
            &[
                ("name", &lab.name("new-york-mornings")),
                ("zone", "America/New_York"),
                ("schedule", "cron(0 9 ? * MON-FRI *)"),
            ],
            &[],
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let error = &body["InvalidForm"]["errors"][0];
    assert_eq!(error["field"], "schedule");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("daylight saving"),
        "{body}"
    );
    assert_eq!(lab.resources("rule").await.len(), 1);
}

const ROLE: &str = "arn:aws:iam::123456789012:role/belfry-scheduler";

#[tokio::test]
async fn a_scheduler_schedule_runs_in_new_york_and_is_created_changed_drifted_and_deleted() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("ny-mornings");
    // A group of the team's own: Belfry makes it when it is missing.
    let group = lab.name("mornings");
    let lambda = "arn:aws:lambda:ap-northeast-2:123456789012:function:count";
    let form = |expression: &'static str, enabled: &'static str| {
        vec![
            ("form[name]".to_owned(), name.clone()),
            ("form[group]".to_owned(), group.clone()),
            ("form[expression]".to_owned(), expression.to_owned()),
            ("form[timezone]".to_owned(), "America/New_York".to_owned()),
            ("form[flexible_minutes]".to_owned(), "15".to_owned()),
            ("form[enabled]".to_owned(), enabled.to_owned()),
            ("form[target_arn]".to_owned(), lambda.to_owned()),
            ("form[role_arn]".to_owned(), ROLE.to_owned()),
            (
                "form[input]".to_owned(),
                "{ \"from\": \"belfry\" }".to_owned(),
            ),
        ]
    };
    let id = lab
        .call_owned("save_schedule", form("cron(0 9 ? * MON-FRI *)", "true"))
        .await;
    let id = id.as_str().unwrap().to_owned();
    lab.apply(&reconciler).await;
    let client = lab.moto.scheduler();
    let get = || client.get_schedule().group_name(&group).name(&name).send();
    let made = get().await.unwrap();
    assert_eq!(made.schedule_expression(), Some("cron(0 9 ? * MON-FRI *)"));
    assert_eq!(
        made.schedule_expression_timezone(),
        Some("America/New_York")
    );
    assert_eq!(
        made.flexible_time_window()
            .unwrap()
            .maximum_window_in_minutes(),
        Some(15)
    );
    assert_eq!(made.target().unwrap().input(), Some(r#"{"from":"belfry"}"#));
    assert_eq!(made.target().unwrap().role_arn(), ROLE);
    let listed = &lab.resources("schedule").await[0];
    assert_eq!(listed["status"], "in_sync");
    assert_eq!(listed["aws_id"], format!("{group}/{name}"));
    // 09:00 in New York is 14:00 UTC in winter: the list counts in the schedule's zone.
    let first: chrono::DateTime<chrono::Utc> =
        listed["next_runs"][0].as_str().unwrap().parse().unwrap();
    assert_eq!(first.format("%H:%M").to_string(), "14:00");

    // The same read back is no drift; the resync writes nothing.
    let team = lab.team_id().await;
    assert_eq!(reconciler.resync_team(team).await.unwrap().drifted, 0);

    // A change: every field goes in one UpdateSchedule.
    let version = lab.version("schedule").await;
    let mut changed = form("cron(30 8 ? * MON-FRI *)", "false");
    changed.push(("id".into(), id.clone()));
    changed.push(("version".into(), version.to_string()));
    lab.call_owned("save_schedule", changed).await;
    let updates = lab.proxy.calls("UpdateSchedule");
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("UpdateSchedule"), updates + 1);
    let now = get().await.unwrap();
    assert_eq!(now.schedule_expression(), Some("cron(30 8 ? * MON-FRI *)"));
    assert_eq!(
        now.state(),
        Some(&aws_sdk_scheduler::types::ScheduleState::Disabled)
    );
    assert_eq!(now.schedule_expression_timezone(), Some("America/New_York"));
    // Read back, it is what was sent: the resync finds no drift and writes nothing to AWS.
    let report = reconciler.resync_team(team).await.unwrap();
    assert_eq!((report.drifted, report.written), (0, 0));
    assert_eq!(lab.proxy.calls("UpdateSchedule"), updates + 1);

    // Someone moves it to UTC in the console: the resync says so.
    client
        .update_schedule()
        .group_name(&group)
        .name(&name)
        .schedule_expression("cron(30 8 ? * MON-FRI *)")
        .schedule_expression_timezone("UTC")
        .flexible_time_window(
            aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
                .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Flexible)
                .maximum_window_in_minutes(15)
                .build()
                .unwrap(),
        )
        .state(aws_sdk_scheduler::types::ScheduleState::Disabled)
        .target(now.target().unwrap().clone())
        .send()
        .await
        .unwrap();
    reconciler.resync_team(team).await.unwrap();
    let listed = &lab.resources("schedule").await[0];
    assert_eq!(listed["status"], "drifted");
    assert_eq!(listed["drift"][0]["field"], "time zone", "{listed}");

    lab.call("delete_resource", &[("id", &id)]).await;
    lab.apply(&reconciler).await;
    let gone = get().await.map(|_| ()).unwrap_err();
    assert_eq!(
        aws_sdk_scheduler::error::ProvideErrorMetadata::code(&gone),
        Some("ResourceNotFoundException"),
        "deleted in AWS"
    );
    assert!(lab.resources("schedule").await.is_empty());
}

/// A schedule made in the console (straight in moto, not through Belfry), sending to a
/// queue every so often, optionally encrypted with a customer-managed key.
async fn console_schedule(lab: &Lab, name: &str, kms_key: Option<&str>) {
    lab.moto
        .scheduler()
        .create_schedule()
        .name(name)
        .schedule_expression("rate(1 hour)")
        .set_kms_key_arn(kms_key.map(str::to_owned))
        .flexible_time_window(
            aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
                .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off)
                .build()
                .unwrap(),
        )
        .target(
            aws_sdk_scheduler::types::Target::builder()
                .arn("arn:aws:sqs:ap-northeast-2:123456789012:jobs")
                .role_arn(ROLE)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_scheduler_schedule_made_outside_belfry_is_adopted_without_a_change() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let name = lab.name("console-made");
    console_schedule(&lab, &name, None).await;
    // One with a customer-managed key: Belfry's updates would drop it, so it is not adopted.
    let keyed = lab.name("keyed");
    console_schedule(
        &lab,
        &keyed,
        Some("arn:aws:kms:ap-northeast-2:123456789012:key/abc"),
    )
    .await;
    let refused = lab
        .app
        .call(
            "adopt_schedule",
            &[("id", &format!("default/{keyed}"))],
            Some(&lab.admin),
        )
        .await;
    assert_eq!(refused.status(), 409);
    // Said in the page's words, in both languages, naming what Belfry would lose.
    let body: Value = refused.json().await.unwrap();
    let said = &body["Conflict"];
    assert!(
        said["en"]
            .as_str()
            .is_some_and(|en| en.contains("uses KmsKeyArn, which Belfry does not manage yet")),
        "{body}"
    );
    assert!(
        said["ko"]
            .as_str()
            .is_some_and(|ko| ko.contains("KmsKeyArn")),
        "{body}"
    );

    let id = format!("default/{name}");
    let offered = lab.call("importable_schedules", &[]).await;
    assert!(
        offered
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[0] == id.as_str()),
        "{offered}"
    );
    lab.call("adopt_schedule", &[("id", &id)]).await;
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["adopt"], 1, "{plan}");
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("UpdateSchedule"), 0);
    assert_eq!(lab.proxy.calls("CreateSchedule"), 0);
    assert_eq!(status_of(&lab.resources("schedule").await, &id), "in_sync");
    let offered = lab.call("importable_schedules", &[]).await;
    assert!(
        !offered
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[0] == id.as_str())
    );
}

#[tokio::test]
async fn a_confirmed_subscription_is_unsubscribed_and_a_topic_deleted_in_aws() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let topic = lab.name("retired");
    let topic_id = lab.create_topic(&topic).await;
    // moto confirms at once (the fake pending flow is off here).
    let subscription = lab
        .call(
            "create_subscription",
            &[
                ("topic", &topic_id),
                ("protocol", "email"),
                ("endpoint", &format!("done-{}@example.com", lab.tag)),
            ],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    lab.apply(&reconciler).await;
    let topic_arn = lab.resources("topic").await[0]["aws_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sns = lab.moto.sns();
    let listed = |arn: String| {
        let sns = sns.clone();
        async move {
            sns.list_subscriptions_by_topic()
                .topic_arn(arn)
                .send()
                .await
                .unwrap()
                .subscriptions()
                .len()
        }
    };
    assert_eq!(listed(topic_arn.clone()).await, 1);

    lab.call("delete_resource", &[("id", &subscription)]).await;
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("Unsubscribe"), 1);
    assert_eq!(listed(topic_arn.clone()).await, 0);

    lab.call("delete_resource", &[("id", &topic_id)]).await;
    lab.apply(&reconciler).await;
    let topics: Vec<String> = sns
        .list_topics()
        .send()
        .await
        .unwrap()
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn().map(str::to_owned))
        .collect();
    assert!(!topics.contains(&topic_arn), "{topics:?}");
    assert!(lab.resources("topic").await.is_empty());
}

/// The lab's network, made in moto for one test (moto is shared by every test of the run):
/// a VPC with a subnet in zone a and one in zone c, and an instance in each.
struct LabNetwork {
    vpc: String,
    subnets: [String; 2],
    instances: [String; 2],
}

/// One EC2 Query call straight to moto; the first element of that name in the answer.
async fn ec2_value(lab: &Lab, action: &str, params: &[(&str, &str)], element: &str) -> String {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let xml = lab.moto.ec2().call(action, &params).await.unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    document
        .descendants()
        .find(|n| n.has_tag_name(element))
        .and_then(|n| n.text())
        .unwrap_or_else(|| panic!("{action}: no {element} in {xml}"))
        .to_owned()
}

async fn lab_network(lab: &Lab) -> LabNetwork {
    let octet = (rand::random::<u8>() % 200 + 20).to_string();
    let vpc = ec2_value(
        lab,
        "CreateVpc",
        &[("CidrBlock", &format!("10.{octet}.0.0/16"))],
        "vpcId",
    )
    .await;
    let mut subnets = Vec::new();
    for (i, zone) in ["ap-northeast-2a", "ap-northeast-2c"].iter().enumerate() {
        subnets.push(
            ec2_value(
                lab,
                "CreateSubnet",
                &[
                    ("VpcId", &vpc),
                    ("CidrBlock", &format!("10.{octet}.{}.0/24", i + 1)),
                    ("AvailabilityZone", zone),
                ],
                "subnetId",
            )
            .await,
        );
    }
    let image = ec2_value(lab, "DescribeImages", &[("Owner.1", "amazon")], "imageId").await;
    let mut instances = Vec::new();
    for subnet in &subnets {
        instances.push(
            ec2_value(
                lab,
                "RunInstances",
                &[
                    ("ImageId", &image),
                    ("MinCount", "1"),
                    ("MaxCount", "1"),
                    ("InstanceType", "t2.micro"),
                    ("SubnetId", subnet),
                ],
                "instanceId",
            )
            .await,
        );
    }
    LabNetwork {
        vpc,
        subnets: [subnets[0].clone(), subnets[1].clone()],
        instances: [instances[0].clone(), instances[1].clone()],
    }
}

/// An ACM certificate in moto (moto refuses an HTTPS listener on one it does not have).
async fn acm_certificate(domain: &str) -> String {
    let response = reqwest::Client::new()
        .post(moto_url())
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/ap-northeast-2/acm/aws4_request, SignedHeaders=host, Signature=0",
        )
        .header("x-amz-target", "CertificateManager.RequestCertificate")
        .header("content-type", "application/x-amz-json-1.1")
        .body(format!(r#"{{"DomainName":"{domain}"}}"#))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["CertificateArn"].as_str().unwrap().to_owned()
}

/// The guided setup's fields for the lab's load balancer, as `form[…]` pairs.
fn balancer_form(lab: &Lab, network: &LabNetwork) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("name", lab.name("web")),
        ("kind", "application".into()),
        ("scheme", "internet-facing".into()),
        ("vpc", network.vpc.clone()),
        ("subnets][0", network.subnets[0].clone()),
        ("subnets][1", network.subnets[1].clone()),
        ("own_security_group", "true".into()),
        ("group_name", lab.name("web-servers")),
        ("group_protocol", "HTTP".into()),
        ("group_port", "80".into()),
        ("health_path", "/".into()),
        ("health_interval", "30".into()),
        ("health_timeout", "5".into()),
        ("healthy_threshold", "5".into()),
        ("unhealthy_threshold", "2".into()),
        ("health_matcher", "200".into()),
        ("deregistration_delay", "30".into()),
        ("instances][0", network.instances[0].clone()),
        ("instances][1", network.instances[1].clone()),
        ("listener_port", "80".into()),
        ("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06".into()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("form[{k}]"), v))
    .collect();
    form.sort();
    form
}

fn set_field(form: &mut Vec<(String, String)>, key: &str, value: Option<&str>) {
    let key = format!("form[{key}]");
    form.retain(|(k, _)| *k != key);
    if let Some(value) = value {
        form.push((key, value.to_owned()));
    }
}

async fn save_balancer(lab: &Lab, form: &[(String, String)], id: Option<&str>) -> String {
    let mut form = form.to_vec();
    if let Some(id) = id {
        form.push(("id".into(), id.into()));
        form.push((
            "version".into(),
            lab.version("load_balancer").await.to_string(),
        ));
    }
    lab.call_owned("save_balancer", form)
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// The lab's load balancer declared through the form and applied: its network, the form,
/// the resource id and the target group's ARN.
async fn applied_balancer(
    lab: &Lab,
    reconciler: &Reconciler,
) -> (LabNetwork, Vec<(String, String)>, String, String) {
    let network = lab_network(lab).await;
    let form = balancer_form(lab, &network);
    let id = save_balancer(lab, &form, None).await;
    lab.apply(reconciler).await;
    let group_arn = group_in_aws(lab, &lab.name("web-servers"))
        .await
        .unwrap()
        .target_group_arn()
        .unwrap()
        .to_owned();
    (network, form, id, group_arn)
}

fn tcp(ports: &[u16]) -> Vec<(String, u16)> {
    ports.iter().map(|p| ("tcp".to_owned(), *p)).collect()
}

/// The form as `load_balancer_form` returned it, as the page would post it back.
fn form_of(loaded: &Value) -> Vec<(String, String)> {
    let mut form = Vec::new();
    for (key, value) in loaded.as_object().unwrap() {
        match value {
            Value::String(text) => form.push((format!("form[{key}]"), text.clone())),
            Value::Bool(true) => form.push((format!("form[{key}]"), "true".to_owned())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    form.push((
                        format!("form[{key}][{i}]"),
                        item.as_str().unwrap().to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
    form
}

fn is_write(action: &str) -> bool {
    [
        "Create",
        "Modify",
        "Register",
        "Deregister",
        "Delete",
        "Set",
        "Add",
        "Remove",
        "Authorize",
        "Revoke",
    ]
    .iter()
    .any(|verb| action.starts_with(verb))
}

fn position(sequence: &[String], action: &str) -> usize {
    sequence
        .iter()
        .position(|a| a == action)
        .unwrap_or_else(|| panic!("no {action} in {sequence:?}"))
}

async fn lb_in_aws(
    lab: &Lab,
    name: &str,
) -> Option<aws_sdk_elasticloadbalancingv2::types::LoadBalancer> {
    lab.moto
        .elbv2()
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .ok()
        .and_then(|o| o.load_balancers().first().cloned())
}

async fn group_in_aws(
    lab: &Lab,
    name: &str,
) -> Option<aws_sdk_elasticloadbalancingv2::types::TargetGroup> {
    lab.moto
        .elbv2()
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .ok()
        .and_then(|o| o.target_groups().first().cloned())
}

async fn targets_in_aws(lab: &Lab, group_arn: &str) -> Vec<String> {
    let mut ids: Vec<String> = lab
        .moto
        .elbv2()
        .describe_target_health()
        .target_group_arn(group_arn)
        .send()
        .await
        .unwrap()
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target().and_then(|t| t.id()).map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

/// (port, protocol, what it does) for each listener.
async fn listeners_in_aws(lab: &Lab, balancer_arn: &str) -> Vec<(i32, String, String)> {
    let mut found: Vec<(i32, String, String)> = lab
        .moto
        .elbv2()
        .describe_listeners()
        .load_balancer_arn(balancer_arn)
        .send()
        .await
        .unwrap()
        .listeners()
        .iter()
        .map(|l| {
            let action = l.default_actions().first().unwrap();
            let does = match action.redirect_config() {
                Some(r) => format!(
                    "redirect {} {} {}",
                    r.protocol().unwrap_or_default(),
                    r.port().unwrap_or_default(),
                    r.status_code().map(|c| c.as_str()).unwrap_or_default()
                ),
                None => format!("forward {}", action.target_group_arn().unwrap_or_default()),
            };
            (
                l.port().unwrap_or_default(),
                l.protocol()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                does,
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn the_labs_load_balancer_is_made_in_dependency_order_and_a_second_apply_writes_nothing() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let network = lab_network(&lab).await;
    let form = balancer_form(&lab, &network);

    // What moto would take and AWS would not: one subnet, an instance that does not exist.
    let mut bad = form.clone();
    set_field(&mut bad, "subnets][1", None);
    set_field(&mut bad, "instances][1", Some("i-0123456789abcdef0"));
    let refused = lab
        .app
        .call(
            "save_balancer",
            &bad.iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            Some(&lab.admin),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = body["InvalidForm"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subnets", "group-1.instances"], "{body}");

    let id = save_balancer(&lab, &form, None).await;
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["create"], 1, "{plan}");
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    let listed = lab.resources("load_balancer").await;
    assert_eq!(
        status_of(&listed, &lab.name("web")),
        "in_sync",
        "{listed:?}"
    );

    // In dependency order: the load balancer, the group, its targets, then the listener.
    let sequence = lab.proxy.sequence();
    assert!(position(&sequence, "CreateSecurityGroup") < position(&sequence, "CreateLoadBalancer"));
    assert!(position(&sequence, "CreateLoadBalancer") < position(&sequence, "CreateTargetGroup"));
    assert!(position(&sequence, "CreateTargetGroup") < position(&sequence, "RegisterTargets"));
    assert!(position(&sequence, "RegisterTargets") < position(&sequence, "CreateListener"));
    assert_eq!(lab.proxy.calls("CreateLoadBalancer"), 1);

    let lb = lb_in_aws(&lab, &lab.name("web"))
        .await
        .expect("the load balancer");
    let mut subnets: Vec<String> = lb
        .availability_zones()
        .iter()
        .filter_map(|z| z.subnet_id().map(str::to_owned))
        .collect();
    subnets.sort();
    let mut want = network.subnets.to_vec();
    want.sort();
    assert_eq!(subnets, want);
    assert_eq!(listed[0]["dns_name"], lb.dns_name().unwrap());
    // Belfry's own security group lets the listener port in.
    let own = lab
        .moto
        .ec2()
        .group_named(
            &network.vpc,
            &app::domain::balancer::own_group_name(&lab.name("web")),
        )
        .await
        .unwrap()
        .expect("Belfry's security group");
    assert_eq!(
        own.1.as_deref(),
        Some(id.as_str()),
        "tagged as this resource's"
    );
    let own = own.0;
    assert_eq!(lb.security_groups(), std::slice::from_ref(&own));
    assert_eq!(lab.moto.ec2().open_ports(&own).await.unwrap(), tcp(&[80]));
    let group = group_in_aws(&lab, &lab.name("web-servers")).await.unwrap();
    let group_arn = group.target_group_arn().unwrap().to_owned();
    assert_eq!(group.health_check_path(), Some("/"));
    let mut instances = network.instances.to_vec();
    instances.sort();
    assert_eq!(targets_in_aws(&lab, &group_arn).await, instances);
    let delay = lab
        .moto
        .elbv2()
        .describe_target_group_attributes()
        .target_group_arn(&group_arn)
        .send()
        .await
        .unwrap()
        .attributes()
        .iter()
        .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
        .and_then(|a| a.value().map(str::to_owned));
    assert_eq!(delay.as_deref(), Some("30"));
    assert_eq!(
        listeners_in_aws(&lab, lb.load_balancer_arn().unwrap()).await,
        [(80, "HTTP".to_owned(), format!("forward {group_arn}"))]
    );

    // The live view: DNS name, state, and each target healthy.
    let live = lab.call("live_balancer", &[("id", &id)]).await;
    assert_eq!(live["dns_name"], lb.dns_name().unwrap());
    let targets = live["groups"][0][1].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{live}");
    assert!(targets.iter().all(|t| t["state"] == "healthy"), "{live}");

    // Applying the same setup again (as self-heal re-applies a resource) reads and writes
    // nothing.
    let uuid: uuid::Uuid = id.parse().unwrap();
    let generation: i64 = sqlx::query_scalar(
        "UPDATE resources SET status = 'drifted' WHERE id = $1 RETURNING generation",
    )
    .bind(uuid)
    .fetch_one(&lab.pool)
    .await
    .unwrap();
    assert!(
        app::db::resources::requeue(&lab.pool, uuid, generation)
            .await
            .unwrap()
    );
    lab.proxy.reset_counts();
    reconciler.drain(Duration::from_secs(60)).await.unwrap();
    let writes: Vec<String> = lab
        .proxy
        .sequence()
        .into_iter()
        .filter(|a| is_write(a))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert!(lab.proxy.calls("DescribeLoadBalancers") > 0, "it did look");
    // And the resync finds no drift.
    let report = reconciler.resync_team(lab.team_id().await).await.unwrap();
    assert_eq!(report.drifted, 0);
}

#[tokio::test]
async fn health_checks_targets_and_https_with_redirect_change_in_place_and_deletion_goes_in_order()
{
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let (network, mut form, id, group_arn) = applied_balancer(&lab, &reconciler).await;

    // A new health check and one target fewer.
    set_field(&mut form, "health_path", Some("/healthz"));
    set_field(&mut form, "health_interval", Some("10"));
    set_field(&mut form, "instances][1", None);
    save_balancer(&lab, &form, Some(&id)).await;
    let plan = lab.plan().await;
    let changes = plan["steps"][0]["op"]["Update"].to_string();
    assert!(changes.contains("health check path"), "{plan}");
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("ModifyTargetGroup"), 1);
    assert_eq!(lab.proxy.calls("DeregisterTargets"), 1);
    assert_eq!(lab.proxy.calls("CreateTargetGroup"), 0);
    assert_eq!(lab.proxy.calls("CreateLoadBalancer"), 0);
    let group = group_in_aws(&lab, &lab.name("web-servers")).await.unwrap();
    assert_eq!(group.health_check_path(), Some("/healthz"));
    assert_eq!(group.health_check_interval_seconds(), Some(10));
    assert_eq!(
        targets_in_aws(&lab, &group_arn).await,
        [network.instances[0].clone()]
    );

    // The target back.
    set_field(&mut form, "instances][1", Some(&network.instances[1]));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("RegisterTargets"), 1);
    assert_eq!(targets_in_aws(&lab, &group_arn).await.len(), 2);

    // HTTPS on 443 with the certificate, and HTTP answering with a redirect: one click.
    let certificate = acm_certificate(&format!("{}.example.com", lab.tag)).await;
    set_field(&mut form, "secure", Some("true"));
    set_field(&mut form, "redirect", Some("true"));
    set_field(&mut form, "certificate_arn", Some(&certificate));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    let listed = lab.resources("load_balancer").await;
    assert_eq!(
        status_of(&listed, &lab.name("web")),
        "in_sync",
        "{listed:?}"
    );
    assert_eq!(lab.proxy.calls("CreateListener"), 1);
    assert_eq!(lab.proxy.calls("ModifyListener"), 1);
    let lb = lb_in_aws(&lab, &lab.name("web")).await.unwrap();
    let lb_arn = lb.load_balancer_arn().unwrap().to_owned();
    assert_eq!(
        listeners_in_aws(&lab, &lb_arn).await,
        [
            (
                80,
                "HTTP".to_owned(),
                "redirect HTTPS 443 HTTP_301".to_owned()
            ),
            (443, "HTTPS".to_owned(), format!("forward {group_arn}")),
        ]
    );
    let own = lb.security_groups()[0].clone();
    assert_eq!(
        lab.moto.ec2().open_ports(&own).await.unwrap(),
        tcp(&[80, 443])
    );

    // Deleting: listeners before the load balancer, then the group once its targets have
    // drained (FakeDraining: moto forgets deregistered targets at once).
    lab.call("delete_resource", &[("id", &id)]).await;
    lab.proxy.reset_counts();
    lab.proxy.state.fake_draining.store(true, Ordering::Relaxed);
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(1)).await.unwrap();
    assert!(lb_in_aws(&lab, &lab.name("web")).await.is_none());
    assert_eq!(
        lab.proxy.calls("DeleteTargetGroup"),
        0,
        "not while draining"
    );
    let listed = lab.resources("load_balancer").await;
    assert!(
        listed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("to drain"),
        "{listed:?}"
    );
    lab.proxy.drained();
    reconciler.drain(Duration::from_secs(60)).await.unwrap();
    let sequence = lab.proxy.sequence();
    assert_eq!(lab.proxy.calls("DeleteListener"), 2, "{sequence:?}");
    assert!(position(&sequence, "DeleteListener") < position(&sequence, "DeleteLoadBalancer"));
    assert!(position(&sequence, "DeleteLoadBalancer") < position(&sequence, "DeregisterTargets"));
    assert!(position(&sequence, "DeregisterTargets") < position(&sequence, "DeleteTargetGroup"));
    assert!(lb_in_aws(&lab, &lab.name("web")).await.is_none());
    assert!(group_in_aws(&lab, &lab.name("web-servers")).await.is_none());
    assert_eq!(
        lab.moto
            .ec2()
            .group_named(
                &network.vpc,
                &app::domain::balancer::own_group_name(&lab.name("web"))
            )
            .await
            .unwrap(),
        None
    );
    assert!(lab.resources("load_balancer").await.is_empty());
}

#[tokio::test]
async fn a_target_group_on_a_new_port_is_made_before_the_listener_moves_and_the_old_one_goes() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let (_, mut form, id, old_arn) = applied_balancer(&lab, &reconciler).await;

    // Under the same name AWS cannot: the apply says so and changes nothing.
    set_field(&mut form, "group_port", Some("8080"));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.proxy.reset_counts();
    // It keeps failing (and retrying later): give it a moment, not the usual minute.
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(2)).await.unwrap();
    let listed = lab.resources("load_balancer").await;
    assert_eq!(status_of(&listed, &lab.name("web")), "error");
    assert!(
        listed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("give it a new name"),
        "{listed:?}"
    );
    assert!(lab.proxy.sequence().iter().all(|a| !is_write(a)));

    // Under a new name it is a replacement.
    set_field(&mut form, "group_name", Some(&lab.name("web-8080")));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    let listed = lab.resources("load_balancer").await;
    assert_eq!(
        status_of(&listed, &lab.name("web")),
        "in_sync",
        "{listed:?}"
    );
    let sequence = lab.proxy.sequence();
    assert!(position(&sequence, "CreateTargetGroup") < position(&sequence, "ModifyListener"));
    // The old group's targets are deregistered (they drain) before the group goes.
    assert!(position(&sequence, "ModifyListener") < position(&sequence, "DeregisterTargets"));
    assert!(position(&sequence, "DeregisterTargets") < position(&sequence, "DeleteTargetGroup"));
    let new = group_in_aws(&lab, &lab.name("web-8080")).await.unwrap();
    assert_eq!(new.port(), Some(8080));
    assert!(group_in_aws(&lab, &lab.name("web-servers")).await.is_none());
    let lb = lb_in_aws(&lab, &lab.name("web")).await.unwrap();
    let listeners = listeners_in_aws(&lab, lb.load_balancer_arn().unwrap()).await;
    assert_eq!(
        listeners,
        [(
            80,
            "HTTP".to_owned(),
            format!("forward {}", new.target_group_arn().unwrap())
        )]
    );
    assert_ne!(new.target_group_arn().unwrap(), old_arn);
}

#[tokio::test]
async fn a_load_balancer_made_outside_belfry_is_adopted_and_its_name_is_not_taken_over() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let network = lab_network(&lab).await;
    let elbv2 = lab.moto.elbv2();
    let name = lab.name("console");
    let group_id = ec2_value(
        &lab,
        "CreateSecurityGroup",
        &[
            ("GroupName", &lab.name("console-web")),
            ("GroupDescription", "web"),
            ("VpcId", &network.vpc),
        ],
        "groupId",
    )
    .await;
    // As the console makes it: load balancer, group with both instances, HTTP listener.
    let lb = elbv2
        .create_load_balancer()
        .name(&name)
        .subnets(&network.subnets[0])
        .subnets(&network.subnets[1])
        .security_groups(&group_id)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let group = elbv2
        .create_target_group()
        .name(lab.name("console-tg"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&network.vpc)
        .health_check_path("/")
        .send()
        .await
        .unwrap();
    let group_arn = group.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    for instance in &network.instances {
        elbv2
            .register_targets()
            .target_group_arn(&group_arn)
            .targets(
                aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                    .id(instance)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    elbv2
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&group_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // A second group behind its own listener, which the guided form does not show.
    let admin = elbv2
        .create_target_group()
        .name(lab.name("console-admin"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(&network.vpc)
        .send()
        .await
        .unwrap();
    let admin_arn = admin.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned();
    elbv2
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(8080)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&admin_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Declaring one under its name does not take it over (moto would make a second).
    let mut form = balancer_form(&lab, &network);
    set_field(&mut form, "name", Some(&name));
    let declared = save_balancer(&lab, &form, None).await;
    lab.proxy.reset_counts();
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(2)).await.unwrap();
    let listed = lab.resources("load_balancer").await;
    assert_eq!(status_of(&listed, &name), "error");
    assert!(
        listed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("adopt it"),
        "{listed:?}"
    );
    assert_eq!(lab.proxy.calls("CreateLoadBalancer"), 0);
    // Deleting that declaration leaves the console's load balancer alone.
    lab.call("delete_resource", &[("id", &declared)]).await;
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("DeleteLoadBalancer"), 0);
    assert!(lb_in_aws(&lab, &name).await.is_some());

    let offered = lab.call("importable_balancers", &[]).await;
    assert!(
        offered
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b[0] == lb_arn.as_str()),
        "{offered}"
    );
    lab.call("adopt_balancer", &[("arn", &lb_arn)]).await;
    let plan = lab.plan().await;
    assert_eq!(plan["summary"]["adopt"], 1, "{plan}");
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    let writes: Vec<String> = lab
        .proxy
        .sequence()
        .into_iter()
        .filter(|a| is_write(a))
        .collect();
    assert!(writes.is_empty(), "adopting writes nothing: {writes:?}");
    let listed = lab.resources("load_balancer").await;
    assert_eq!(status_of(&listed, &name), "in_sync", "{listed:?}");
    // The form shows it as it is.
    let loaded = lab
        .call(
            "load_balancer_form",
            &[("id", listed[0]["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(loaded[0]["group_name"], lab.name("console-tg").as_str());
    assert_eq!(loaded[0]["instances"].as_array().unwrap().len(), 2);
    let offered = lab.call("importable_balancers", &[]).await;
    assert!(
        !offered
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b[0] == lb_arn.as_str())
    );

    // An edit through the form changes the health check and keeps the second group and its
    // listener, which the form does not show.
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let mut form = form_of(&loaded[0]);
    set_field(&mut form, "health_path", Some("/healthz"));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.proxy.reset_counts();
    lab.apply(&reconciler).await;
    assert_eq!(lab.proxy.calls("ModifyTargetGroup"), 1);
    assert_eq!(lab.proxy.calls("DeleteListener"), 0);
    assert_eq!(lab.proxy.calls("DeleteTargetGroup"), 0);
    assert_eq!(listeners_in_aws(&lab, &lb_arn).await.len(), 2);
    assert!(
        group_in_aws(&lab, &lab.name("console-admin"))
            .await
            .is_some()
    );
    let listed = lab.resources("load_balancer").await;
    assert_eq!(status_of(&listed, &name), "in_sync", "{listed:?}");
}

#[tokio::test]
async fn a_security_group_of_the_same_name_that_is_not_belfrys_is_left_alone() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let network = lab_network(&lab).await;
    // Someone made "<name>-listeners" by hand while following the lab.
    let theirs = ec2_value(
        &lab,
        "CreateSecurityGroup",
        &[
            (
                "GroupName",
                &app::domain::balancer::own_group_name(&lab.name("web")),
            ),
            ("GroupDescription", "made by hand"),
            ("VpcId", &network.vpc),
        ],
        "groupId",
    )
    .await;
    lab.moto.ec2().open(&theirs, &tcp(&[22])).await.unwrap();
    save_balancer(&lab, &balancer_form(&lab, &network), None).await;
    lab.proxy.reset_counts();
    lab.call("apply_plan", &[]).await;
    reconciler.drain(Duration::from_secs(2)).await.unwrap();
    let listed = lab.resources("load_balancer").await;
    assert_eq!(status_of(&listed, &lab.name("web")), "error");
    assert!(
        listed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("is not Belfry's"),
        "{listed:?}"
    );
    // Nothing was written: not their group's rules, not a load balancer.
    let writes: Vec<String> = lab
        .proxy
        .sequence()
        .into_iter()
        .filter(|a| is_write(a))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(
        lab.moto.ec2().open_ports(&theirs).await.unwrap(),
        tcp(&[22])
    );
}

#[tokio::test]
async fn the_alarms_list_shows_fifty_a_page_and_says_how_many_in_all() {
    let lab = Lab::new().await;
    let topic = lab.name("ops");
    lab.create_topic(&topic).await;
    for i in 0..120 {
        let name = format!("{}-{i:03}", lab.name("many"));
        lab.save_alarm(&lab_alarm(&name, &topic, "100000"), None)
            .await;
    }
    let third = lab
        .call("list_page", &[("kind", "alarm"), ("page", "3")])
        .await;
    assert_eq!(third["items"].as_array().unwrap().len(), 20);
    assert_eq!(third["pages"], 3);
    assert_eq!(third["total"], 120);
    assert_eq!(
        third["items"][0]["name"],
        format!("{}-100", lab.name("many")).as_str(),
        "by name"
    );
    // Past the end: the last page.
    let past = lab
        .call("list_page", &[("kind", "alarm"), ("page", "99")])
        .await;
    assert_eq!(past["page"], 3);
    // The page itself, rendered on the server: 50 rows and where the reader is.
    let html = lab
        .app
        .client
        .get(lab.app.url("/alarms?page=2"))
        .header("cookie", &lab.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows = html.matches(r#"href="/alarms/"#).count()
        - html.matches(r#"href="/alarms/new""#).count()
        - html.matches(r#"href="/alarms/import""#).count();
    assert_eq!(rows, 50, "{html}");
    // The text a reader sees, without the markup (hydration markers split it).
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    assert!(text.contains("Page 2 of 3 · 120 in all"), "{text}");
    assert!(html.contains(r#"href="/alarms?page=1""#));
    assert!(html.contains(r#"href="/alarms?page=3""#));
}

#[tokio::test]
async fn a_stopped_target_stays_with_its_reason_but_a_stopped_instance_is_not_added() {
    let lab = Lab::new().await;
    let reconciler = lab.reconciler().await;
    let network = lab_network(&lab).await;
    let mut form = balancer_form(&lab, &network);
    set_field(&mut form, "instances][1", None);
    let id = save_balancer(&lab, &form, None).await;
    lab.apply(&reconciler).await;
    for instance in &network.instances {
        ec2_value(
            &lab,
            "StopInstances",
            &[("InstanceId.1", instance)],
            "instanceId",
        )
        .await;
    }
    // The live view says why the target is out of service.
    let live = lab.call("live_balancer", &[("id", &id)]).await;
    let target = &live["groups"][0][1][0];
    assert_eq!(target["state"], "unused", "{live}");
    assert!(
        target["reason"]
            .as_str()
            .unwrap()
            .contains("Target.InvalidState"),
        "{live}"
    );
    // Maintenance on a target does not block other changes.
    set_field(&mut form, "health_path", Some("/healthz"));
    save_balancer(&lab, &form, Some(&id)).await;
    lab.apply(&reconciler).await;
    let listed = lab.resources("load_balancer").await;
    assert_eq!(
        status_of(&listed, &lab.name("web")),
        "in_sync",
        "{listed:?}"
    );
    // A stopped instance cannot become a target: AWS would refuse it mid-apply.
    set_field(&mut form, "instances][1", Some(&network.instances[1]));
    let mut posted = form.clone();
    posted.push(("id".into(), id.clone()));
    posted.push((
        "version".into(),
        lab.version("load_balancer").await.to_string(),
    ));
    let posted: Vec<(&str, &str)> = posted
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = lab
        .app
        .call("save_balancer", &posted, Some(&lab.admin))
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let error = &body["InvalidForm"]["errors"][0];
    assert_eq!(error["field"], "group-1.instances", "{body}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("is not running"),
        "{body}"
    );
}
