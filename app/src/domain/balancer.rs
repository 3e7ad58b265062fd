//! Load balancers, target groups and listeners as a team declares them (issue 8's pure core;
//! the reconciler does not apply them yet).
//!
//! Three kinds, as shared/DESIGN.md has them, each referring to the others by resource id:
//! a target group names its VPC and its targets, a listener names its load balancer and the
//! target group it forwards to. What only AWS knows (which zone a subnet is in, whether an
//! instance exists and in which VPC) comes in as a [`Network`] snapshot read before the
//! check, so the rules stay pure: moto accepts one subnet, ids that do not exist, and a
//! target group in another VPC; Belfry does not.
use super::alarm::FieldChange;
use super::aws::is_arn_of;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BalancerError {
    #[error(
        "A name has 1 to 32 letters, digits and hyphens, and neither starts nor ends with a hyphen."
    )]
    Name,
    #[error("Pick at least two subnets.")]
    TooFewSubnets,
    #[error("The subnets must be in at least two availability zones; these are all in {zone}.")]
    OneZone { zone: String },
    #[error("Subnet {id} is not in the chosen VPC, or does not exist.")]
    Subnet { id: String },
    #[error("Only one subnet per availability zone: {zone} has two.")]
    SameZoneTwice { zone: String },
    #[error(
        "An application load balancer needs a security group; make one that allows the listener ports."
    )]
    NoSecurityGroup,
    #[error("Security group {id} is not in the chosen VPC, or does not exist.")]
    SecurityGroup { id: String },
    #[error("A port is 1 to 65535.")]
    Port,
    #[error("{protocol} does not go with a {kind} load balancer.")]
    Protocol { protocol: String, kind: String },
    #[error("The health check path starts with / and has at most 1024 characters.")]
    HealthPath,
    #[error(
        "Check every 5 to 300 seconds, time out after 2 to 120, and time out before the next check."
    )]
    HealthTiming,
    #[error("Healthy and unhealthy thresholds are 2 to 10 checks.")]
    HealthThresholds,
    #[error("Success codes look like 200, 200-299 or 200,302 (HTTP codes 200 to 499).")]
    Matcher,
    #[error("The deregistration delay is 0 to 3600 seconds.")]
    DeregistrationDelay,
    #[error("Instance {id} does not exist in the target group's VPC.")]
    Instance { id: String },
    #[error("Instance {id} is listed twice.")]
    InstanceTwice { id: String },
    #[error("HTTPS and TLS listeners need an ACM certificate ARN.")]
    Certificate,
    #[error("Pick an SSL policy from the list.")]
    SslPolicy,
    #[error(
        "A listener forwards to a target group of the same load balancer's VPC and protocol family."
    )]
    ForwardTarget,
    #[error("Port {port} has two listeners.")]
    PortTaken { port: u16 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalancerKind {
    Application,
    Network,
}

impl BalancerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BalancerKind::Application => "application",
            BalancerKind::Network => "network",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    InternetFacing,
    Internal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
    #[serde(rename = "TCP_UDP")]
    TcpUdp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
        }
    }

    /// Application load balancers speak HTTP(S); network load balancers the rest.
    pub fn fits(self, kind: BalancerKind) -> bool {
        matches!(
            (kind, self),
            (BalancerKind::Application, Protocol::Http | Protocol::Https)
                | (
                    BalancerKind::Network,
                    Protocol::Tcp | Protocol::Tls | Protocol::Udp | Protocol::TcpUdp
                )
        )
    }

    fn secure(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }
}

/// The SSL policies Belfry offers (AWS's current recommended ones first).
pub const SSL_POLICIES: [&str; 4] = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-2016-08",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerSpec {
    pub name: String,
    pub kind: BalancerKind,
    pub scheme: Scheme,
    pub vpc: String,
    pub subnets: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// HTTP(S) target groups only.
    pub path: Option<String>,
    pub interval_seconds: u16,
    pub timeout_seconds: u16,
    pub healthy_threshold: u8,
    pub unhealthy_threshold: u8,
    /// HTTP(S) target groups only: `200`, `200-299`, `200,302`.
    pub matcher: Option<String>,
}

impl HealthCheck {
    /// AWS's defaults for an HTTP target group.
    pub fn http() -> Self {
        HealthCheck {
            path: Some("/".into()),
            interval_seconds: 30,
            timeout_seconds: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: Some("200".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupSpec {
    pub name: String,
    pub protocol: Protocol,
    pub port: u16,
    pub vpc: String,
    pub health: HealthCheck,
    pub deregistration_delay_seconds: u16,
    /// EC2 instance ids, registered on the group's port.
    #[serde(default)]
    pub instances: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenerAction {
    /// Forward to one of the team's target groups (a resource id).
    Forward(Uuid),
    /// Answer 301 to the same host and path on HTTPS 443.
    RedirectToHttps,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerSpec {
    /// The team's load balancer (a resource id).
    pub load_balancer: Uuid,
    pub protocol: Protocol,
    pub port: u16,
    #[serde(default)]
    pub certificate_arn: Option<String>,
    #[serde(default)]
    pub ssl_policy: Option<String>,
    pub action: ListenerAction,
}

/// What AWS says about the network, read before a check: subnets and security groups with
/// their VPC (and zone), and instances with their VPC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// Subnet id → (VPC id, availability zone).
    pub subnets: BTreeMap<String, (String, String)>,
    /// Security group id → VPC id.
    pub security_groups: BTreeMap<String, String>,
    /// Instance id → VPC id.
    pub instances: BTreeMap<String, String>,
}

/// 1 to 32 letters, digits and hyphens, no hyphen at either end: load balancer and target
/// group names alike.
fn name_ok(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

type Problems = Vec<(&'static str, BalancerError)>;

fn finish<T>(value: T, problems: Problems) -> Result<T, Problems> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

impl LoadBalancerSpec {
    pub fn check(mut self, network: &Network) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_owned();
        if !name_ok(&self.name) {
            problems.push(("name", BalancerError::Name));
        }
        self.subnets.sort();
        self.subnets.dedup();
        self.security_groups.sort();
        self.security_groups.dedup();
        let mut zones: BTreeMap<&str, &str> = BTreeMap::new();
        let mut all_known = true;
        for subnet in &self.subnets {
            match network.subnets.get(subnet) {
                Some((vpc, zone)) if *vpc == self.vpc => {
                    if zones.insert(zone.as_str(), subnet.as_str()).is_some() {
                        problems.push((
                            "subnets",
                            BalancerError::SameZoneTwice { zone: zone.clone() },
                        ));
                    }
                }
                _ => {
                    all_known = false;
                    problems.push(("subnets", BalancerError::Subnet { id: subnet.clone() }));
                }
            }
        }
        if self.subnets.len() < 2 {
            problems.push(("subnets", BalancerError::TooFewSubnets));
        } else if all_known && zones.len() == 1 {
            let zone = zones.keys().next().copied().unwrap_or_default().to_owned();
            problems.push(("subnets", BalancerError::OneZone { zone }));
        }
        if self.kind == BalancerKind::Application && self.security_groups.is_empty() {
            problems.push(("security_groups", BalancerError::NoSecurityGroup));
        }
        for group in &self.security_groups {
            if network.security_groups.get(group) != Some(&self.vpc) {
                problems.push((
                    "security_groups",
                    BalancerError::SecurityGroup { id: group.clone() },
                ));
            }
        }
        finish(self, problems)
    }
}

fn matcher_ok(matcher: &str) -> bool {
    let code = |text: &str| text.parse::<u16>().is_ok_and(|c| (200..=499).contains(&c));
    !matcher.is_empty()
        && matcher.split(',').all(|part| match part.split_once('-') {
            Some((from, to)) => code(from) && code(to) && from < to,
            None => code(part),
        })
}

impl TargetGroupSpec {
    /// `kind`: the kind of load balancer it serves (its protocol must fit).
    pub fn check(mut self, kind: BalancerKind, network: &Network) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_owned();
        if !name_ok(&self.name) {
            problems.push(("name", BalancerError::Name));
        }
        if self.port == 0 {
            problems.push(("port", BalancerError::Port));
        }
        if !self.protocol.fits(kind) {
            problems.push((
                "protocol",
                BalancerError::Protocol {
                    protocol: self.protocol.as_str().into(),
                    kind: kind.as_str().into(),
                },
            ));
        }
        let http = matches!(self.protocol, Protocol::Http | Protocol::Https);
        let health = &mut self.health;
        if http {
            let path = health.path.get_or_insert_with(|| "/".into());
            if !path.starts_with('/') || path.len() > 1024 {
                problems.push(("health_path", BalancerError::HealthPath));
            }
            let matcher = health.matcher.get_or_insert_with(|| "200".into());
            if !matcher_ok(matcher) {
                problems.push(("health_matcher", BalancerError::Matcher));
            }
        } else {
            health.path = None;
            health.matcher = None;
        }
        if !(5..=300).contains(&health.interval_seconds)
            || !(2..=120).contains(&health.timeout_seconds)
            || health.timeout_seconds >= health.interval_seconds
        {
            problems.push(("health_timing", BalancerError::HealthTiming));
        }
        if !(2..=10).contains(&health.healthy_threshold)
            || !(2..=10).contains(&health.unhealthy_threshold)
        {
            problems.push(("health_thresholds", BalancerError::HealthThresholds));
        }
        if self.deregistration_delay_seconds > 3600 {
            problems.push(("deregistration_delay", BalancerError::DeregistrationDelay));
        }
        let mut seen = BTreeSet::new();
        for id in &self.instances {
            if !seen.insert(id) {
                problems.push(("instances", BalancerError::InstanceTwice { id: id.clone() }));
            } else if network.instances.get(id) != Some(&self.vpc) {
                problems.push(("instances", BalancerError::Instance { id: id.clone() }));
            }
        }
        self.instances.sort();
        self.instances.dedup();
        finish(self, problems)
    }

    /// Instances to register and to deregister, to go from `registered` to this spec.
    pub fn registrations(&self, registered: &[String]) -> (Vec<String>, Vec<String>) {
        let add = self
            .instances
            .iter()
            .filter(|i| !registered.contains(i))
            .cloned()
            .collect();
        let remove = registered
            .iter()
            .filter(|i| !self.instances.contains(i))
            .cloned()
            .collect();
        (add, remove)
    }

    /// What differs from what AWS has (`from` is AWS's value). A change of protocol, port or
    /// VPC cannot be made in place: AWS needs a new target group (see [`Self::replaces`]).
    pub fn diff(&self, observed: &TargetGroupSpec) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let mut field =
            |name: &str, from: String, to: String| FieldChange::note(&mut changes, name, from, to);
        field(
            "protocol",
            observed.protocol.as_str().into(),
            self.protocol.as_str().into(),
        );
        field("port", observed.port.to_string(), self.port.to_string());
        field("vpc", observed.vpc.clone(), self.vpc.clone());
        let (h, o) = (&self.health, &observed.health);
        field(
            "health check path",
            o.path.clone().unwrap_or_default(),
            h.path.clone().unwrap_or_default(),
        );
        field(
            "health check interval",
            format!("{}s", o.interval_seconds),
            format!("{}s", h.interval_seconds),
        );
        field(
            "health check timeout",
            format!("{}s", o.timeout_seconds),
            format!("{}s", h.timeout_seconds),
        );
        field(
            "healthy threshold",
            o.healthy_threshold.to_string(),
            h.healthy_threshold.to_string(),
        );
        field(
            "unhealthy threshold",
            o.unhealthy_threshold.to_string(),
            h.unhealthy_threshold.to_string(),
        );
        field(
            "success codes",
            o.matcher.clone().unwrap_or_default(),
            h.matcher.clone().unwrap_or_default(),
        );
        field(
            "deregistration delay",
            format!("{}s", observed.deregistration_delay_seconds),
            format!("{}s", self.deregistration_delay_seconds),
        );
        field(
            "targets",
            observed.instances.join(", "),
            self.instances.join(", "),
        );
        changes
    }

    /// Whether going from `observed` to this spec needs a new target group.
    pub fn replaces(&self, observed: &TargetGroupSpec) -> bool {
        self.protocol != observed.protocol || self.port != observed.port || self.vpc != observed.vpc
    }
}

impl ListenerSpec {
    /// `kind`: the load balancer's; `forward_to`: the protocol and VPC of the target group it
    /// forwards to, when it forwards, and the load balancer's VPC.
    pub fn check(
        mut self,
        kind: BalancerKind,
        balancer_vpc: &str,
        forward_to: Option<(Protocol, &str)>,
    ) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        if self.port == 0 {
            problems.push(("port", BalancerError::Port));
        }
        if !self.protocol.fits(kind) {
            problems.push((
                "protocol",
                BalancerError::Protocol {
                    protocol: self.protocol.as_str().into(),
                    kind: kind.as_str().into(),
                },
            ));
        }
        if self.protocol.secure() {
            let certificate = self.certificate_arn.as_deref().map(str::trim);
            if !certificate.is_some_and(|arn| is_arn_of(arn, "acm", "certificate/")) {
                problems.push(("certificate_arn", BalancerError::Certificate));
            }
            let policy = self
                .ssl_policy
                .get_or_insert_with(|| SSL_POLICIES[0].to_owned());
            if !SSL_POLICIES.contains(&policy.as_str()) {
                problems.push(("ssl_policy", BalancerError::SslPolicy));
            }
        } else {
            self.certificate_arn = None;
            self.ssl_policy = None;
        }
        match (&self.action, forward_to) {
            (ListenerAction::Forward(_), Some((protocol, vpc)))
                if vpc == balancer_vpc && protocol.fits(kind) => {}
            (ListenerAction::Forward(_), _) => {
                problems.push(("action", BalancerError::ForwardTarget))
            }
            // A redirect is HTTP's.
            (ListenerAction::RedirectToHttps, _) if self.protocol != Protocol::Http => {
                problems.push((
                    "action",
                    BalancerError::Protocol {
                        protocol: self.protocol.as_str().into(),
                        kind: kind.as_str().into(),
                    },
                ));
            }
            (ListenerAction::RedirectToHttps, _) => {}
        }
        finish(self, problems)
    }
}

/// No two listeners of one load balancer on the same port.
pub fn ports_taken(listeners: &[&ListenerSpec]) -> Vec<BalancerError> {
    let mut seen = BTreeSet::new();
    listeners
        .iter()
        .filter(|l| !seen.insert(l.port))
        .map(|l| BalancerError::PortTaken { port: l.port })
        .collect()
}

/// The lab's plain-HTTP listener switched to HTTPS with one click: HTTPS 443 forwarding
/// where the HTTP listener forwarded, and the HTTP listener answering with a redirect.
pub fn https_with_redirect(
    http: &ListenerSpec,
    certificate_arn: &str,
) -> (ListenerSpec, ListenerSpec) {
    let https = ListenerSpec {
        load_balancer: http.load_balancer,
        protocol: Protocol::Https,
        port: 443,
        certificate_arn: Some(certificate_arn.to_owned()),
        ssl_policy: Some(SSL_POLICIES[0].to_owned()),
        action: http.action.clone(),
    };
    let redirect = ListenerSpec {
        action: ListenerAction::RedirectToHttps,
        ..http.clone()
    };
    (https, redirect)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lab: a VPC with subnets in zones a and c, a web security group, two instances.
    fn lab() -> Network {
        let mut network = Network::default();
        network.subnets.insert(
            "subnet-a".into(),
            ("vpc-lab".into(), "ap-northeast-2a".into()),
        );
        network.subnets.insert(
            "subnet-c".into(),
            ("vpc-lab".into(), "ap-northeast-2c".into()),
        );
        network.subnets.insert(
            "subnet-a2".into(),
            ("vpc-lab".into(), "ap-northeast-2a".into()),
        );
        network.subnets.insert(
            "subnet-x".into(),
            ("vpc-other".into(), "ap-northeast-2b".into()),
        );
        network
            .security_groups
            .insert("sg-web".into(), "vpc-lab".into());
        network.instances.insert("i-1".into(), "vpc-lab".into());
        network.instances.insert("i-2".into(), "vpc-lab".into());
        network.instances.insert("i-9".into(), "vpc-other".into());
        network
    }

    fn balancer(subnets: &[&str]) -> LoadBalancerSpec {
        LoadBalancerSpec {
            name: "lab-web".into(),
            kind: BalancerKind::Application,
            scheme: Scheme::InternetFacing,
            vpc: "vpc-lab".into(),
            subnets: subnets.iter().map(|s| (*s).to_owned()).collect(),
            security_groups: vec!["sg-web".into()],
        }
    }

    fn group() -> TargetGroupSpec {
        TargetGroupSpec {
            name: "lab-web-servers".into(),
            protocol: Protocol::Http,
            port: 80,
            vpc: "vpc-lab".into(),
            health: HealthCheck::http(),
            deregistration_delay_seconds: 300,
            instances: vec!["i-2".into(), "i-1".into()],
        }
    }

    fn fields<T>(result: Result<T, Problems>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|(f, _)| f)
            .collect()
    }

    #[test]
    fn the_labs_load_balancer_spans_two_zones() {
        assert!(balancer(&["subnet-a", "subnet-c"]).check(&lab()).is_ok());
        // moto takes one subnet; AWS and Belfry do not.
        assert_eq!(
            balancer(&["subnet-a"]).check(&lab()).unwrap_err(),
            [("subnets", BalancerError::TooFewSubnets)]
        );
        assert_eq!(
            balancer(&["subnet-a", "subnet-a2"])
                .check(&lab())
                .unwrap_err(),
            [
                (
                    "subnets",
                    BalancerError::SameZoneTwice {
                        zone: "ap-northeast-2a".into()
                    }
                ),
                (
                    "subnets",
                    BalancerError::OneZone {
                        zone: "ap-northeast-2a".into()
                    }
                ),
            ]
        );
        assert_eq!(
            fields(balancer(&["subnet-a", "subnet-x"]).check(&lab())),
            ["subnets"]
        );
        let mut no_group = balancer(&["subnet-a", "subnet-c"]);
        no_group.security_groups.clear();
        assert_eq!(fields(no_group.clone().check(&lab())), ["security_groups"]);
        no_group.kind = BalancerKind::Network;
        assert!(no_group.check(&lab()).is_ok(), "an NLB may go without");
    }

    #[test]
    fn target_groups_check_health_and_instances_that_moto_would_take() {
        let checked = group().check(BalancerKind::Application, &lab()).unwrap();
        assert_eq!(checked.instances, ["i-1", "i-2"]);
        let mut bad = group();
        bad.instances.push("i-9".into());
        bad.instances.push("i-404".into());
        bad.health.timeout_seconds = 30;
        bad.health.matcher = Some("200-199".into());
        bad.name = "-lab".into();
        assert_eq!(
            fields(bad.check(BalancerKind::Application, &lab())),
            [
                "name",
                "health_matcher",
                "health_timing",
                "instances",
                "instances"
            ]
        );
        for matcher in ["200", "200-299", "200,302", "200-204,301"] {
            assert!(matcher_ok(matcher), "{matcher}");
        }
        for matcher in ["", "99", "200-", "500", "abc"] {
            assert!(!matcher_ok(matcher), "{matcher}");
        }
        let mut tcp = group();
        tcp.protocol = Protocol::Tcp;
        assert_eq!(
            fields(tcp.clone().check(BalancerKind::Application, &lab())),
            ["protocol"]
        );
        let tcp = tcp.check(BalancerKind::Network, &lab()).unwrap();
        assert_eq!(tcp.health.path, None, "TCP checks have no path");
    }

    #[test]
    fn a_changed_health_check_is_a_change_and_a_new_port_a_new_group() {
        let desired = group().check(BalancerKind::Application, &lab()).unwrap();
        let mut observed = desired.clone();
        assert!(desired.diff(&observed).is_empty());
        observed.health.path = Some("/healthz".into());
        observed.instances = vec!["i-1".into()];
        let changes: Vec<String> = desired
            .diff(&observed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            changes,
            ["health check path: /healthz → /", "targets: i-1 → i-1, i-2"]
        );
        assert!(!desired.replaces(&observed));
        assert_eq!(
            desired.registrations(&observed.instances),
            (vec!["i-2".into()], vec![])
        );
        observed.port = 8080;
        assert!(desired.replaces(&observed));
    }

    #[test]
    fn https_needs_a_certificate_and_the_redirect_is_one_click() {
        let lb = Uuid::from_u128(1);
        let tg = Uuid::from_u128(2);
        let http = ListenerSpec {
            load_balancer: lb,
            protocol: Protocol::Http,
            port: 80,
            certificate_arn: None,
            ssl_policy: None,
            action: ListenerAction::Forward(tg),
        };
        let forward = Some((Protocol::Http, "vpc-lab"));
        assert!(
            http.clone()
                .check(BalancerKind::Application, "vpc-lab", forward)
                .is_ok()
        );
        assert_eq!(
            fields(http.clone().check(
                BalancerKind::Application,
                "vpc-lab",
                Some((Protocol::Http, "vpc-other"))
            )),
            ["action"]
        );
        let certificate = "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc";
        let (https, redirect) = https_with_redirect(&http, certificate);
        let https = https
            .check(BalancerKind::Application, "vpc-lab", forward)
            .unwrap();
        assert_eq!(https.ssl_policy.as_deref(), Some(SSL_POLICIES[0]));
        assert_eq!(redirect.action, ListenerAction::RedirectToHttps);
        assert!(
            redirect
                .clone()
                .check(BalancerKind::Application, "vpc-lab", None)
                .is_ok()
        );
        let mut no_certificate = https.clone();
        no_certificate.certificate_arn = None;
        assert_eq!(
            fields(no_certificate.check(BalancerKind::Application, "vpc-lab", forward)),
            ["certificate_arn"]
        );
        assert_eq!(
            ports_taken(&[&http, &redirect, &https]),
            [BalancerError::PortTaken { port: 80 }]
        );
    }
}
