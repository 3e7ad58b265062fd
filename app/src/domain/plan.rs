//! What the reconciler would do, resource by resource: the plan a person reads before apply.
use super::alarm::FieldChange;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of resource Belfry manages, as stored in `resources.kind`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Topics come first: alarms and subscriptions name them.
    Topic,
    Subscription,
    Alarm,
    /// EventBridge rules target topics, so they come after them.
    Rule,
    /// EventBridge Scheduler schedules, which may target topics too.
    Schedule,
    /// A load balancer with its target groups and listeners (one resource).
    LoadBalancer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Topic => "topic",
            Kind::Subscription => "subscription",
            Kind::Alarm => "alarm",
            Kind::Rule => "rule",
            Kind::Schedule => "schedule",
            Kind::LoadBalancer => "load_balancer",
        }
    }

    /// Every kind, in the order a plan creates them.
    pub const ALL: [Kind; 6] = [
        Kind::Topic,
        Kind::Subscription,
        Kind::Alarm,
        Kind::Rule,
        Kind::Schedule,
        Kind::LoadBalancer,
    ];

    pub fn parse(input: &str) -> Option<Self> {
        Kind::ALL.into_iter().find(|k| k.as_str() == input)
    }
}

/// One resource's step.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Create,
    Update(Vec<FieldChange>),
    Delete,
    /// Take over an existing AWS resource; `Vec` says what applying the spec would then change.
    Adopt(Vec<FieldChange>),
    /// Stop managing: Belfry forgets the resource and leaves it in AWS.
    Orphan,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub resource_id: Uuid,
    pub kind: Kind,
    pub name: String,
    pub op: Op,
}

/// Counts for the plan's headline: "3 to create, 1 to change".
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub change: usize,
    pub delete: usize,
    pub adopt: usize,
}

impl Summary {
    pub fn of(steps: &[Step]) -> Self {
        let mut summary = Summary::default();
        for step in steps {
            match step.op {
                Op::Create => summary.create += 1,
                Op::Update(_) => summary.change += 1,
                Op::Delete | Op::Orphan => summary.delete += 1,
                Op::Adopt(_) => summary.adopt += 1,
            }
        }
        summary
    }

    pub fn is_empty(&self) -> bool {
        *self == Summary::default()
    }
}

/// Orders steps so that dependencies exist before what uses them and go after it: topics are
/// created before the subscriptions and alarms naming them, and deleted after them.
pub fn order(steps: &mut [Step]) {
    steps.sort_by_key(|step| {
        let deleting = matches!(step.op, Op::Delete | Op::Orphan);
        let rank = step.kind as i32;
        (
            deleting,
            if deleting { -rank } else { rank },
            step.name.clone(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kind: Kind, name: &str, op: Op) -> Step {
        Step {
            resource_id: Uuid::nil(),
            kind,
            name: name.to_owned(),
            op,
        }
    }

    #[test]
    fn topics_first_when_creating_last_when_deleting() {
        let mut steps = vec![
            step(Kind::Alarm, "disk", Op::Create),
            step(Kind::Topic, "old", Op::Delete),
            step(Kind::Subscription, "old-mail", Op::Delete),
            step(Kind::Topic, "ops", Op::Create),
            step(Kind::Alarm, "cpu", Op::Update(vec![])),
        ];
        order(&mut steps);
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ops", "cpu", "disk", "old-mail", "old"]);
        assert_eq!(
            Summary::of(&steps),
            Summary {
                create: 2,
                change: 1,
                delete: 2,
                adopt: 0
            }
        );
    }
}
