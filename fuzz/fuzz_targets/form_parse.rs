//! Fuzzes the parsers of what a person (or a script, through the JSON API) types into
//! Belfry's forms beyond cron expressions (those are `cron_parse`'s): the alarm form, an
//! EventBridge event pattern, the load balancer setup, the rule form, the Scheduler form, and
//! topics and subscriptions. See ../README.md for how to run it.
//!
//! The input is read as UTF-8 (lossily) and cut at U+001F into the form's fields, in the
//! order of the struct; list fields are cut again at commas. For every input:
//! - the alarm form: parse; on success the spec survives a JSON round trip, and the form
//!   made back from it parses to the same spec; on failure every error reads in English and
//!   Korean;
//! - the whole input as an event pattern: on success the canonical text is accepted again
//!   as itself; on failure the error reads;
//! - the load balancer form against a fixed lab network: on success the setup checks again
//!   to itself, has no diff with itself, and the form made back from it parses to the same
//!   setup; on failure every error reads in both languages;
//! - the rule form (one target row) and the Scheduler form at a fixed now: on success the
//!   spec survives a JSON round trip, has no diff with itself, and the form made back from
//!   it parses to the same spec; on failure every error reads;
//! - a topic and a subscription of each protocol: validation never panics, and what it
//!   accepts it accepts again unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;

// The pure core depends only on chrono, chrono-tz, serde, serde_json, thiserror and uuid,
// so it is mounted directly instead of through the `app` crate (which would pull in Leptos).
#[allow(dead_code, unused_imports)]
#[path = "../../app/src/cron/mod.rs"]
mod cron;
#[allow(dead_code, unused_imports)]
#[path = "../../app/src/domain/mod.rs"]
mod domain;

use cron::Lang;
use domain::alarm::AlarmForm;
use domain::balancer::{BalancerForm, Network};
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fields: Vec<&str> = text.split('\u{1f}').collect();
    alarm(&fields);
    pattern(&text);
    balancer(&fields);
    rule(&fields);
    schedule(&fields);
    topic(&fields);
});

/// Every check that compares with now gets the same instant.
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_796_000_000, 0).expect("a valid instant")
}

fn field(fields: &[&str], i: usize) -> String {
    fields.get(i).copied().unwrap_or_default().to_owned()
}

fn list(fields: &[&str], i: usize) -> Vec<String> {
    fields
        .get(i)
        .map(|f| f.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A spec reads back from its JSON (as Postgres stores it) as the same spec.
fn survives_json<T>(spec: &T, form: &impl std::fmt::Debug)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(spec).expect("a spec serializes");
    let back: T = serde_json::from_value(json).expect("a spec deserializes");
    assert_eq!(&back, spec, "{form:?}");
}

/// A refused form names at least one problem, and every problem says something.
fn refused_with_reasons<K, E: std::fmt::Display>(
    problems: impl IntoIterator<Item = (K, E)>,
    form: &impl std::fmt::Debug,
) {
    let mut count = 0;
    for (_, problem) in problems {
        assert!(
            !problem.to_string().is_empty(),
            "{form:?}: a problem without words"
        );
        count += 1;
    }
    assert!(count > 0, "{form:?}: refused without a reason");
}

fn alarm(fields: &[&str]) {
    let topics = [(Uuid::from_u128(1), "ops".to_owned())];
    let form = AlarmForm {
        name: field(fields, 0),
        description: field(fields, 1),
        namespace: field(fields, 2),
        metric_name: field(fields, 3),
        dimensions: field(fields, 4),
        statistic: field(fields, 5),
        period_seconds: field(fields, 6),
        evaluation_periods: field(fields, 7),
        datapoints_to_alarm: field(fields, 8),
        threshold: field(fields, 9),
        comparison: field(fields, 10),
        treat_missing_data: field(fields, 11),
        alarm_actions: field(fields, 12),
        ok_actions: field(fields, 13),
        insufficient_data_actions: field(fields, 14),
    };
    match form.parse(&topics) {
        Ok(spec) => {
            survives_json(&spec, &form);
            let again = AlarmForm::from_spec(&spec, &topics).parse(&topics);
            assert_eq!(again.as_ref(), Ok(&spec), "{form:?}");
        }
        Err(errors) => refused_with_reasons(errors, &form),
    }
}

fn pattern(text: &str) {
    match domain::rule::check_event_pattern(text) {
        Ok(canonical) => {
            let again = domain::rule::check_event_pattern(&canonical);
            assert_eq!(again.as_ref(), Ok(&canonical), "{text:?}");
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// The lab: subnets in zones a and c of one VPC, a security group, two running instances.
fn lab() -> Network {
    let mut network = Network::default();
    for (subnet, zone) in [("subnet-a", "a"), ("subnet-c", "c"), ("subnet-a2", "a")] {
        network
            .subnets
            .insert(subnet.into(), ("vpc-lab".into(), format!("ap-northeast-2{zone}")));
    }
    network
        .subnets
        .insert("subnet-x".into(), ("vpc-x".into(), "ap-northeast-2b".into()));
    network
        .security_groups
        .insert("sg-web".into(), "vpc-lab".into());
    network.instances.insert("i-1".into(), "vpc-lab".into());
    network.instances.insert("i-2".into(), "vpc-lab".into());
    network
}

fn balancer(fields: &[&str]) {
    let network = lab();
    let form = BalancerForm {
        name: field(fields, 0),
        kind: field(fields, 1),
        scheme: field(fields, 2),
        vpc: field(fields, 3),
        subnets: list(fields, 4),
        security_groups: list(fields, 5),
        own_security_group: field(fields, 6) == "1",
        group_name: field(fields, 7),
        group_protocol: field(fields, 8),
        group_port: field(fields, 9),
        health_path: field(fields, 10),
        health_interval: field(fields, 11),
        health_timeout: field(fields, 12),
        healthy_threshold: field(fields, 13),
        unhealthy_threshold: field(fields, 14),
        health_matcher: field(fields, 15),
        deregistration_delay: field(fields, 16),
        instances: list(fields, 17),
        listener_port: field(fields, 18),
        secure: field(fields, 19) == "1",
        certificate_arn: field(fields, 20),
        ssl_policy: field(fields, 21),
        redirect: field(fields, 22) == "1",
        extra_groups: Vec::new(),
        extra_listeners: Vec::new(),
        no_front: false,
    };
    match form.parse(&network) {
        Ok(setup) => {
            let checked = setup.clone().check(&network);
            assert_eq!(checked.as_ref(), Ok(&setup), "{form:?}: check is not stable");
            assert!(setup.diff(&setup).is_empty(), "{form:?}");
            assert!(setup.blocked(&setup).is_empty(), "{form:?}");
            let again = BalancerForm::from_spec(&setup).parse(&network);
            assert_eq!(again.as_ref(), Ok(&setup), "{form:?}: the form does not come back");
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "{form:?}: refused without a reason");
            for (_, problem) in problems {
                assert!(!problem.message(Lang::En).is_empty());
                assert!(!problem.message(Lang::Ko).is_empty());
            }
        }
    }
}

fn rule(fields: &[&str]) {
    use domain::rule::{RuleForm, TargetForm};
    let topics = [(Uuid::from_u128(1), "ops".to_owned())];
    let form = RuleForm {
        name: field(fields, 0),
        description: field(fields, 1),
        trigger: field(fields, 2),
        schedule: field(fields, 3),
        event_pattern: field(fields, 4),
        enabled: field(fields, 5),
        zone: field(fields, 6),
        targets: vec![TargetForm {
            id: field(fields, 7),
            kind: field(fields, 8),
            arn: field(fields, 9),
            topic: field(fields, 10),
            input: field(fields, 11),
            max_attempts: field(fields, 12),
            max_age_seconds: field(fields, 13),
            dead_letter: field(fields, 14),
        }],
    };
    match form.parse(&topics, now()) {
        Ok(spec) => {
            survives_json(&spec, &form);
            // As AWS would hold it once applied, with topic ARNs for topic ids: no drift.
            if let Some(config) = spec.resolve(|id| Some(format!("arn:aws:sns:ap-northeast-2:123456789012:{id}"))) {
                assert!(domain::rule::diff_rule(&config, &config).is_empty(), "{form:?}");
            }
            let again = RuleForm::from_spec(&spec).parse(&topics, now());
            assert_eq!(again.as_ref(), Ok(&spec), "{form:?}: the form does not come back");
        }
        Err(problems) => refused_with_reasons(problems, &form),
    }
}

fn schedule(fields: &[&str]) {
    use domain::schedule::ScheduleForm;
    let form = ScheduleForm {
        name: field(fields, 0),
        group: field(fields, 1),
        description: field(fields, 2),
        expression: field(fields, 3),
        timezone: field(fields, 4),
        start: field(fields, 5),
        end: field(fields, 6),
        flexible_minutes: field(fields, 7),
        enabled: field(fields, 8),
        target_arn: field(fields, 9),
        role_arn: field(fields, 10),
        input: field(fields, 11),
        max_attempts: field(fields, 12),
        max_age_seconds: field(fields, 13),
        dead_letter: field(fields, 14),
    };
    match form.parse(now()) {
        Ok(spec) => {
            survives_json(&spec, &form);
            assert!(spec.diff(&spec).is_empty(), "{form:?}");
            let again = ScheduleForm::from_spec(&spec).parse(now());
            assert_eq!(again.as_ref(), Ok(&spec), "{form:?}: the form does not come back");
        }
        Err(problems) => refused_with_reasons(problems, &form),
    }
}

fn topic(fields: &[&str]) {
    use domain::topic::{Protocol, SubscriptionSpec, TopicSpec};
    let topic = TopicSpec {
        name: field(fields, 0),
        display_name: field(fields, 1),
    };
    if let Ok(valid) = topic.validate() {
        assert_eq!(valid.clone().validate().as_ref(), Ok(&valid));
    }
    for protocol in ["email", "https", "sqs", "lambda"] {
        let protocol = Protocol::parse(protocol).expect("a protocol Belfry offers");
        let spec = SubscriptionSpec {
            topic: Uuid::from_u128(1),
            protocol,
            endpoint: field(fields, 2),
        };
        match spec.validate() {
            Ok(valid) => assert_eq!(valid.clone().validate().as_ref(), Ok(&valid)),
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
}
