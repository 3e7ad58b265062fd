//! Load balancers, target groups and listeners as a team declares them.
//!
//! One resource, a [`BalancerSetup`], holds a load balancer with its target groups and its
//! listeners, the way a rule holds its targets (shared/DESIGN.md had three kinds): the calls
//! among them must run in one order (create the load balancer, then the groups, their
//! targets, then the listeners; delete listeners before groups; move a listener onto a new
//! group before the old one goes), which is one job's sequence, and one version then guards
//! an edit of the whole setup. A listener names its group by the group's name in the setup.
//!
//! What only AWS knows (which zone a subnet is in, whether an instance exists and in which
//! VPC) comes in as a [`Network`] snapshot read before the check, so the rules stay pure:
//! moto accepts one subnet, ids that do not exist, and a target group in another VPC;
//! Belfry does not.
use super::alarm::FieldChange;
use super::aws::is_arn_of;
use crate::cron::Lang;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    #[error("Two target groups are named {name}.")]
    GroupTwice { name: String },
    #[error("Give a number.")]
    Number,
    #[error(
        "Target group {name} cannot change its protocol, port or VPC in place: give it a new name, and Belfry makes the new group, moves the listeners onto it, then deletes the old one."
    )]
    Replace { name: String },
    #[error(
        "A load balancer's {what} cannot change once it exists: delete it and declare a new one."
    )]
    Immutable { what: String },
    #[error("Pick a VPC.")]
    Vpc,
    #[error(
        "Instance {id} is not running, so it cannot be registered as a target: start it, or leave it out."
    )]
    NotRunning { id: String },
    #[error("Only an application load balancer's HTTP listener can redirect to HTTPS.")]
    RedirectNeedsHttp,
    #[error(
        "A load balancer's name cannot start with \"internal-\", nor with \"sg-\" when Belfry makes its security group."
    )]
    ReservedName,
}

impl BalancerError {
    pub fn message(&self, lang: Lang) -> String {
        use BalancerError as E;
        match lang {
            Lang::En => self.to_string(),
            Lang::Ko => match self {
                E::Name => "이름은 1~32자의 영문자, 숫자, 하이픈이며 하이픈으로 시작하거나 끝날 수 없습니다.".into(),
                E::TooFewSubnets => "서브넷을 두 개 이상 고르세요.".into(),
                E::OneZone { zone } => format!("서브넷이 가용 영역 두 곳 이상에 있어야 합니다. 고른 서브넷은 모두 {zone}에 있습니다."),
                E::Subnet { id } => format!("서브넷 {id}이(가) 고른 VPC에 없거나 존재하지 않습니다."),
                E::SameZoneTwice { zone } => format!("가용 영역마다 서브넷은 하나만 고를 수 있습니다. {zone}에 두 개가 있습니다."),
                E::NoSecurityGroup => "Application Load Balancer에는 보안 그룹이 필요합니다. 리스너 포트를 허용하는 보안 그룹을 만드세요.".into(),
                E::SecurityGroup { id } => format!("보안 그룹 {id}이(가) 고른 VPC에 없거나 존재하지 않습니다."),
                E::Port => "포트는 1~65535입니다.".into(),
                E::Protocol { protocol, kind } => format!("{protocol}은(는) {kind} 로드 밸런서에 쓸 수 없습니다."),
                E::HealthPath => "상태 검사 경로는 /로 시작하고 1024자 이하입니다.".into(),
                E::HealthTiming => "검사 간격은 5~300초, 제한 시간은 2~120초이며 제한 시간이 간격보다 짧아야 합니다.".into(),
                E::HealthThresholds => "정상·비정상 임곗값은 2~10회입니다.".into(),
                E::Matcher => "성공 코드는 200, 200-299, 200,302 같은 형식입니다(HTTP 코드 200~499).".into(),
                E::DeregistrationDelay => "등록 취소 지연은 0~3600초입니다.".into(),
                E::Instance { id } => format!("인스턴스 {id}이(가) 대상 그룹의 VPC에 없습니다."),
                E::NotRunning { id } => format!("인스턴스 {id}이(가) 실행 중이 아니어서 대상으로 등록할 수 없습니다. 시작하거나 대상에서 빼세요."),
                E::InstanceTwice { id } => format!("인스턴스 {id}이(가) 두 번 들어 있습니다."),
                E::Certificate => "HTTPS·TLS 리스너에는 ACM 인증서 ARN이 필요합니다.".into(),
                E::SslPolicy => "목록에서 SSL 정책을 고르세요.".into(),
                E::ForwardTarget => "리스너는 같은 로드 밸런서 VPC에 있고 프로토콜이 맞는 대상 그룹으로 전달합니다.".into(),
                E::PortTaken { port } => format!("포트 {port}에 리스너가 두 개 있습니다."),
                E::GroupTwice { name } => format!("대상 그룹 이름 {name}이(가) 두 번 쓰였습니다."),
                E::Number => "숫자를 입력하세요.".into(),
                E::Replace { name } => format!("대상 그룹 {name}의 프로토콜, 포트, VPC는 그 자리에서 바꿀 수 없습니다. 새 이름을 주면 Belfry가 새 그룹을 만들고 리스너를 옮긴 뒤 이전 그룹을 지웁니다."),
                E::Immutable { what } => format!("로드 밸런서의 {what}은(는) 만든 뒤에 바꿀 수 없습니다. 지우고 새로 선언하세요."),
                E::Vpc => "VPC를 고르세요.".into(),
                E::RedirectNeedsHttp => "HTTPS로 리디렉션은 Application Load Balancer의 HTTP 리스너만 할 수 있습니다.".into(),
                E::ReservedName => "로드 밸런서 이름은 \"internal-\"로 시작할 수 없고, Belfry가 보안 그룹을 만들 때는 \"sg-\"로도 시작할 수 없습니다.".into(),
            },
        }
    }
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

    /// Whether a listener of this protocol may forward to a group of `group`'s (AWS's table:
    /// an application load balancer's HTTP(S) to HTTP(S); TCP to TCP or TCP_UDP, TLS to TCP
    /// or TLS, UDP to UDP or TCP_UDP, TCP_UDP to TCP_UDP).
    pub fn forwards_to(self, group: Protocol) -> bool {
        use Protocol::*;
        matches!(
            (self, group),
            (Http | Https, Http | Https)
                | (Tcp, Tcp | TcpUdp)
                | (Tls, Tcp | Tls)
                | (Udp, Udp | TcpUdp)
                | (TcpUdp, TcpUdp)
        )
    }

    /// HTTPS and TLS: the protocols with a certificate and an SSL policy.
    pub fn secure(self) -> bool {
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
    /// Belfry makes (and later deletes) a security group `<name>-listeners` in the VPC that
    /// lets anyone reach the listener ports, and attaches it with the others.
    #[serde(default)]
    pub own_security_group: bool,
}

impl LoadBalancerSpec {
    /// The name of the security group Belfry makes for it.
    pub fn own_group_name(&self) -> String {
        own_group_name(&self.name)
    }
}

/// The security group Belfry makes for the load balancer of this name.
pub fn own_group_name(balancer: &str) -> String {
    format!("{balancer}-listeners")
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
    /// Forward to the setup's target group of that name.
    Forward(String),
    /// Answer 301 to the same host and path on HTTPS 443.
    RedirectToHttps,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerSpec {
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
    /// Instance id → VPC id, for every instance that is not terminated.
    pub instances: BTreeMap<String, String>,
    /// The instances that can be registered now (running or pending).
    #[serde(default)]
    pub running: BTreeSet<String>,
}

/// 1 to 32 letters, digits and hyphens, no hyphen at either end: load balancer and target
/// group names alike.
fn name_ok(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Each problem with the form field it belongs to (`name`, `group-1.port`, `listener-2.ssl_policy`).
pub type Problems = Vec<(String, BalancerError)>;

/// One part's problems, by its own field names.
type Local = Vec<(&'static str, BalancerError)>;

fn finish<T>(value: T, problems: Local) -> Result<T, Local> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

impl LoadBalancerSpec {
    pub fn check(mut self, network: &Network) -> Result<Self, Local> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_owned();
        if !name_ok(&self.name) {
            problems.push(("name", BalancerError::Name));
        } else if self.name.starts_with("internal-")
            || (self.own_security_group && self.name.starts_with("sg-"))
        {
            problems.push(("name", BalancerError::ReservedName));
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
        if self.vpc.is_empty() {
            problems.push(("vpc", BalancerError::Vpc));
        }
        if self.kind == BalancerKind::Application
            && self.security_groups.is_empty()
            && !self.own_security_group
        {
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
    pub fn check(mut self, kind: BalancerKind, network: &Network) -> Result<Self, Local> {
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
    ) -> Result<Self, Local> {
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
                if vpc == balancer_vpc
                    && protocol.fits(kind)
                    && self.protocol.forwards_to(protocol) => {}
            (ListenerAction::Forward(_), _) => {
                problems.push(("action", BalancerError::ForwardTarget))
            }
            // A redirect is an HTTP listener's.
            (ListenerAction::RedirectToHttps, _) if self.protocol != Protocol::Http => {
                problems.push(("action", BalancerError::RedirectNeedsHttp));
            }
            (ListenerAction::RedirectToHttps, _) => {}
        }
        finish(self, problems)
    }
}

impl ListenerSpec {
    /// One line for a plan: `HTTPS (certificate, policy) → forward to web`.
    pub fn describe(&self) -> String {
        let action = match &self.action {
            ListenerAction::Forward(group) => format!("forward to {group}"),
            ListenerAction::RedirectToHttps => "redirect to HTTPS 443".to_owned(),
        };
        match (&self.certificate_arn, &self.ssl_policy) {
            (Some(certificate), Some(policy)) => {
                format!(
                    "{} ({certificate}, {policy}) → {action}",
                    self.protocol.as_str()
                )
            }
            _ => format!("{} → {action}", self.protocol.as_str()),
        }
    }
}

/// A load balancer with its target groups and listeners: one managed resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancerSetup {
    pub balancer: LoadBalancerSpec,
    #[serde(default)]
    pub groups: Vec<TargetGroupSpec>,
    #[serde(default)]
    pub listeners: Vec<ListenerSpec>,
}

fn scheme_str(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::InternetFacing => "internet-facing",
        Scheme::Internal => "internal",
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}

fn prefixed(problems: &mut Problems, prefix: &str, local: Local) {
    problems.extend(
        local
            .into_iter()
            .map(|(field, error)| (format!("{prefix}{field}"), error)),
    );
}

impl BalancerSetup {
    /// Checks every part against the network and against each other; problems are named by
    /// form field: the load balancer's own (`subnets`), `group-N.field`, `listener-N.field`.
    pub fn check(self, network: &Network) -> Result<Self, Problems> {
        let mut problems = Problems::new();
        let kind = self.balancer.kind;
        let balancer = match self.balancer.clone().check(network) {
            Ok(balancer) => balancer,
            Err(local) => {
                prefixed(&mut problems, "", local);
                self.balancer
            }
        };
        let mut groups = Vec::new();
        let mut names = BTreeSet::new();
        for (i, mut group) in self.groups.into_iter().enumerate() {
            let prefix = format!("group-{}.", i + 1);
            // A setup's groups live in its load balancer's VPC.
            group.vpc = balancer.vpc.clone();
            let group = match group.clone().check(kind, network) {
                Ok(group) => group,
                Err(local) => {
                    prefixed(&mut problems, &prefix, local);
                    group
                }
            };
            if !names.insert(group.name.clone()) {
                problems.push((
                    format!("{prefix}name"),
                    BalancerError::GroupTwice {
                        name: group.name.clone(),
                    },
                ));
            }
            groups.push(group);
        }
        let mut listeners = Vec::new();
        for (i, listener) in self.listeners.into_iter().enumerate() {
            let prefix = format!("listener-{}.", i + 1);
            let forward_to = match &listener.action {
                ListenerAction::Forward(name) => groups
                    .iter()
                    .find(|g| &g.name == name)
                    .map(|g| (g.protocol, g.vpc.as_str())),
                ListenerAction::RedirectToHttps => None,
            };
            let listener = match listener.clone().check(kind, &balancer.vpc, forward_to) {
                Ok(listener) => listener,
                Err(local) => {
                    prefixed(&mut problems, &prefix, local);
                    listener
                }
            };
            listeners.push(listener);
        }
        let taken: Vec<&ListenerSpec> = listeners.iter().collect();
        for error in ports_taken(&taken) {
            problems.push(("listener-1.port".to_owned(), error));
        }
        let setup = BalancerSetup {
            balancer,
            groups,
            listeners,
        };
        if problems.is_empty() {
            Ok(setup)
        } else {
            Err(problems)
        }
    }

    /// Instances this setup would newly register (not in `before`'s group of the same name)
    /// that are not running: AWS refuses to register them.
    pub fn not_running(&self, before: Option<&BalancerSetup>, network: &Network) -> Problems {
        let mut problems = Problems::new();
        for (i, group) in self.groups.iter().enumerate() {
            let registered: &[String] = before
                .and_then(|b| b.group(&group.name))
                .map(|g| g.instances.as_slice())
                .unwrap_or_default();
            for id in &group.instances {
                if !registered.contains(id) && !network.running.contains(id) {
                    problems.push((
                        format!("group-{}.instances", i + 1),
                        BalancerError::NotRunning { id: id.clone() },
                    ));
                }
            }
        }
        problems
    }

    pub fn group(&self, name: &str) -> Option<&TargetGroupSpec> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// The ports the listeners take, with their transport (`tcp`, `udp`): what Belfry's own
    /// security group opens.
    pub fn listener_ports(&self) -> Vec<(String, u16)> {
        let mut ports = Vec::new();
        for listener in &self.listeners {
            match listener.protocol {
                Protocol::Udp => ports.push(("udp".to_owned(), listener.port)),
                Protocol::TcpUdp => {
                    ports.push(("tcp".to_owned(), listener.port));
                    ports.push(("udp".to_owned(), listener.port));
                }
                _ => ports.push(("tcp".to_owned(), listener.port)),
            }
        }
        ports.sort();
        ports.dedup();
        ports
    }

    /// Changes that AWS cannot make in place, against what AWS has: a new scheme or type
    /// (the load balancer would have to go), a group's new protocol, port or VPC under the
    /// same name (group names are unique in an account and region).
    pub fn blocked(&self, observed: &BalancerSetup) -> Vec<BalancerError> {
        let mut blocked = Vec::new();
        if self.balancer.name != observed.balancer.name {
            blocked.push(BalancerError::Immutable {
                what: "name".into(),
            });
        }
        // A network load balancer made without security groups cannot get any, and one
        // made with some cannot lose them all.
        let has_groups =
            |b: &LoadBalancerSpec| !b.security_groups.is_empty() || b.own_security_group;
        if self.balancer.kind == BalancerKind::Network
            && observed.balancer.kind == BalancerKind::Network
            && has_groups(&self.balancer) != has_groups(&observed.balancer)
        {
            blocked.push(BalancerError::Immutable {
                what: "choice of having security groups (network load balancer)".into(),
            });
        }
        if self.balancer.scheme != observed.balancer.scheme {
            blocked.push(BalancerError::Immutable {
                what: "scheme".into(),
            });
        }
        if self.balancer.kind != observed.balancer.kind {
            blocked.push(BalancerError::Immutable {
                what: "type".into(),
            });
        }
        if self.balancer.vpc != observed.balancer.vpc {
            blocked.push(BalancerError::Immutable { what: "VPC".into() });
        }
        for group in &self.groups {
            if let Some(old) = observed.group(&group.name)
                && group.replaces(old)
            {
                blocked.push(BalancerError::Replace {
                    name: group.name.clone(),
                });
            }
        }
        blocked
    }

    /// What differs from what AWS has (`observed`: the load balancer, the groups of the
    /// setup's names and those its listeners use, and its listeners).
    pub fn diff(&self, observed: &BalancerSetup) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let (b, o) = (&self.balancer, &observed.balancer);
        FieldChange::note(&mut changes, "name", o.name.clone(), b.name.clone());
        FieldChange::note(
            &mut changes,
            "type",
            o.kind.as_str().into(),
            b.kind.as_str().into(),
        );
        FieldChange::note(
            &mut changes,
            "scheme",
            scheme_str(o.scheme).into(),
            scheme_str(b.scheme).into(),
        );
        FieldChange::note(&mut changes, "VPC", o.vpc.clone(), b.vpc.clone());
        FieldChange::note(
            &mut changes,
            "Belfry's security group",
            yes_no(o.own_security_group).into(),
            yes_no(b.own_security_group).into(),
        );
        FieldChange::note(
            &mut changes,
            "subnets",
            o.subnets.join(", "),
            b.subnets.join(", "),
        );
        FieldChange::note(
            &mut changes,
            "security groups",
            o.security_groups.join(", "),
            b.security_groups.join(", "),
        );
        for group in &self.groups {
            match observed.group(&group.name) {
                None => FieldChange::note(
                    &mut changes,
                    format!("target group {}", group.name),
                    "—".into(),
                    "created".into(),
                ),
                Some(old) => changes.extend(group.diff(old).into_iter().map(|mut c| {
                    c.field = format!("target group {}: {}", group.name, c.field);
                    c
                })),
            }
        }
        for old in &observed.groups {
            if self.group(&old.name).is_none() {
                FieldChange::note(
                    &mut changes,
                    format!("target group {}", old.name),
                    "exists".into(),
                    "deleted".into(),
                );
            }
        }
        let by_port = |listeners: &[ListenerSpec]| -> BTreeMap<u16, String> {
            listeners.iter().map(|l| (l.port, l.describe())).collect()
        };
        let (want, have) = (by_port(&self.listeners), by_port(&observed.listeners));
        let ports: BTreeSet<u16> = want.keys().chain(have.keys()).copied().collect();
        for port in ports {
            FieldChange::note(
                &mut changes,
                format!("listener {port}"),
                have.get(&port).cloned().unwrap_or_else(|| "—".into()),
                want.get(&port).cloned().unwrap_or_else(|| "deleted".into()),
            );
        }
        changes
    }
}

/// What Belfry recorded at its last apply or resync: the setup as AWS has it, shaped like a
/// declared one (Belfry's own security group as the flag, not its id), and the ids the pages
/// and the next apply need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedBalancer {
    pub setup: BalancerSetup,
    pub arn: String,
    pub dns_name: String,
    /// Target group name → ARN, for every group of the setup.
    pub group_arns: BTreeMap<String, String>,
    /// The id of the security group Belfry made for the listener ports.
    pub own_security_group: Option<String>,
}

/// Live state of a load balancer, read on demand (never during a page render).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancerLive {
    pub dns_name: String,
    /// `provisioning`, `active`, `failed`…
    pub state: String,
    /// Per target group: its name and each target's health.
    pub groups: Vec<(String, Vec<TargetHealth>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    pub id: String,
    pub port: u16,
    /// `healthy`, `unhealthy`, `initial`, `draining`, `unused`, `unavailable`.
    pub state: String,
    /// AWS's reason code and description when not healthy.
    pub reason: Option<String>,
}

/// Choices for the guided setup, read from EC2 after the page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkChoices {
    /// (VPC id, name tag, CIDR).
    pub vpcs: Vec<(String, String, String)>,
    /// (subnet id, VPC id, zone, name tag).
    pub subnets: Vec<(String, String, String, String)>,
    /// (group id, VPC id, group name).
    pub security_groups: Vec<(String, String, String)>,
    /// (instance id, VPC id, name tag, state).
    pub instances: Vec<(String, String, String, String)>,
}

impl NetworkChoices {
    /// The facts a check needs.
    pub fn network(&self) -> Network {
        Network {
            subnets: self
                .subnets
                .iter()
                .map(|(id, vpc, zone, _)| (id.clone(), (vpc.clone(), zone.clone())))
                .collect(),
            security_groups: self
                .security_groups
                .iter()
                .map(|(id, vpc, _)| (id.clone(), vpc.clone()))
                .collect(),
            instances: self
                .instances
                .iter()
                .filter(|(_, _, _, state)| state != "terminated" && state != "shutting-down")
                .map(|(id, vpc, _, _)| (id.clone(), vpc.clone()))
                .collect(),
            // Only these can be registered as new targets; a stopped one already registered
            // stays a target.
            running: self
                .instances
                .iter()
                .filter(|(_, _, _, state)| state == "running" || state == "pending")
                .map(|(id, _, _, _)| id.clone())
                .collect(),
        }
    }
}

/// The protocol of the front listener the form makes for a group: HTTP on an application
/// load balancer; on a network one, the group's own (TCP for a TLS group).
fn front_protocol(kind: BalancerKind, group: Protocol) -> Protocol {
    match (kind, group) {
        (BalancerKind::Application, _) => Protocol::Http,
        (BalancerKind::Network, Protocol::Udp | Protocol::TcpUdp) => group,
        (BalancerKind::Network, _) => Protocol::Tcp,
    }
}

/// The guided setup's form: one load balancer, one target group, a front listener (HTTP 80
/// for an application load balancer, TCP for a network one) and, optionally, a secure
/// listener on 443 with the front one turned into a redirect. Groups and listeners beyond
/// those (an adopted setup may have more) are kept as they are.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BalancerForm {
    pub name: String,
    /// `application` or `network`.
    pub kind: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub own_security_group: bool,
    pub group_name: String,
    pub group_protocol: String,
    pub group_port: String,
    pub health_path: String,
    pub health_interval: String,
    pub health_timeout: String,
    pub healthy_threshold: String,
    pub unhealthy_threshold: String,
    pub health_matcher: String,
    pub deregistration_delay: String,
    pub instances: Vec<String>,
    pub listener_port: String,
    /// A secure listener on 443 (HTTPS, or TLS for a network load balancer).
    pub secure: bool,
    pub certificate_arn: String,
    pub ssl_policy: String,
    /// The front listener answers with a redirect to HTTPS (application, with `secure`).
    pub redirect: bool,
    /// Kept from the stored setup by the server; the form does not send them.
    #[serde(skip)]
    pub extra_groups: Vec<TargetGroupSpec>,
    /// The stored setup has no front listener the form would make (an adopted load
    /// balancer with only a secure one, say): an empty port then keeps it so.
    #[serde(skip)]
    pub no_front: bool,
    #[serde(skip)]
    pub extra_listeners: Vec<ListenerSpec>,
}

fn protocol_of(text: &str) -> Option<Protocol> {
    [
        Protocol::Http,
        Protocol::Https,
        Protocol::Tcp,
        Protocol::Tls,
        Protocol::Udp,
        Protocol::TcpUdp,
    ]
    .into_iter()
    .find(|p| p.as_str() == text)
}

impl BalancerForm {
    /// The lab's application load balancer, before the VPC, subnets and instances are picked.
    pub fn example() -> Self {
        let health = HealthCheck::http();
        BalancerForm {
            name: "lab-web".into(),
            kind: "application".into(),
            scheme: "internet-facing".into(),
            own_security_group: true,
            group_name: "lab-web-servers".into(),
            group_protocol: "HTTP".into(),
            group_port: "80".into(),
            health_path: health.path.unwrap_or_default(),
            health_interval: health.interval_seconds.to_string(),
            health_timeout: health.timeout_seconds.to_string(),
            healthy_threshold: health.healthy_threshold.to_string(),
            unhealthy_threshold: health.unhealthy_threshold.to_string(),
            health_matcher: health.matcher.unwrap_or_default(),
            deregistration_delay: "300".into(),
            listener_port: "80".into(),
            ssl_policy: SSL_POLICIES[0].into(),
            ..BalancerForm::default()
        }
    }

    pub fn from_spec(setup: &BalancerSetup) -> Self {
        let b = &setup.balancer;
        let mut form = BalancerForm {
            name: b.name.clone(),
            kind: b.kind.as_str().into(),
            scheme: scheme_str(b.scheme).into(),
            vpc: b.vpc.clone(),
            subnets: b.subnets.clone(),
            security_groups: b.security_groups.clone(),
            own_security_group: b.own_security_group,
            ssl_policy: SSL_POLICIES[0].into(),
            ..BalancerForm::default()
        };
        // The main group: the one the first plain listener forwards to, else the first.
        let main = setup
            .listeners
            .iter()
            .filter(|l| !l.protocol.secure())
            .find_map(|l| match &l.action {
                ListenerAction::Forward(name) => setup.groups.iter().position(|g| &g.name == name),
                ListenerAction::RedirectToHttps => None,
            })
            .unwrap_or(0);
        if let Some(group) = setup.groups.get(main) {
            let h = &group.health;
            form.group_name = group.name.clone();
            form.group_protocol = group.protocol.as_str().into();
            form.group_port = group.port.to_string();
            form.health_path = h.path.clone().unwrap_or_default();
            form.health_interval = h.interval_seconds.to_string();
            form.health_timeout = h.timeout_seconds.to_string();
            form.healthy_threshold = h.healthy_threshold.to_string();
            form.unhealthy_threshold = h.unhealthy_threshold.to_string();
            form.health_matcher = h.matcher.clone().unwrap_or_default();
            form.deregistration_delay = group.deregistration_delay_seconds.to_string();
            form.instances = group.instances.clone();
        }
        form.extra_groups = setup
            .groups
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != main)
            .map(|(_, g)| g.clone())
            .collect();
        let main_name = setup.groups.get(main).map(|g| g.name.clone());
        let mut front_taken = false;
        let mut secure_taken = false;
        for listener in &setup.listeners {
            let forwards_main = match &listener.action {
                ListenerAction::Forward(name) => Some(name) == main_name.as_ref(),
                ListenerAction::RedirectToHttps => true,
            };
            // The form's front listener is the one it would make again: the group's own
            // protocol (HTTP on an application load balancer).
            let front_protocol = setup
                .groups
                .get(main)
                .map(|g| front_protocol(setup.balancer.kind, g.protocol));
            if !front_taken && forwards_main && Some(listener.protocol) == front_protocol {
                front_taken = true;
                form.listener_port = listener.port.to_string();
                form.redirect = listener.action == ListenerAction::RedirectToHttps;
            } else if !secure_taken
                && listener.protocol.secure()
                && listener.port == 443
                && forwards_main
                && listener.action != ListenerAction::RedirectToHttps
            {
                secure_taken = true;
                form.secure = true;
                form.certificate_arn = listener.certificate_arn.clone().unwrap_or_default();
                form.ssl_policy = listener
                    .ssl_policy
                    .clone()
                    .unwrap_or_else(|| SSL_POLICIES[0].into());
            } else {
                form.extra_listeners.push(listener.clone());
            }
        }
        // A redirect without the form's secure listener stays as it is.
        if form.redirect && !form.secure {
            form.redirect = false;
            if let Ok(port) = form.listener_port.parse::<u16>()
                && let Some(listener) = setup.listeners.iter().find(|l| l.port == port)
            {
                form.extra_listeners.push(listener.clone());
            }
            form.listener_port.clear();
        }
        form.no_front = form.listener_port.is_empty();
        form
    }

    /// The setup, checked against the network; problems are named by form field.
    pub fn parse(&self, network: &Network) -> Result<BalancerSetup, Problems> {
        let mut problems = Problems::new();
        let mut number = |field: &str, text: &str| -> u16 {
            match text.trim().parse::<u16>() {
                Ok(n) => n,
                Err(_) => {
                    problems.push((field.to_owned(), BalancerError::Number));
                    0
                }
            }
        };
        let group_port = number("group-1.port", &self.group_port);
        let interval = number("group-1.health_timing", &self.health_interval);
        let timeout = number("group-1.health_timing", &self.health_timeout);
        let healthy = number("group-1.health_thresholds", &self.healthy_threshold);
        let unhealthy = number("group-1.health_thresholds", &self.unhealthy_threshold);
        let delay = number("group-1.deregistration_delay", &self.deregistration_delay);
        // An edit may keep an adopted front listener as it is (see `from_spec`).
        let keep_front = self.listener_port.trim().is_empty() && self.no_front;
        let front_port = if keep_front {
            0
        } else {
            number("listener-1.port", &self.listener_port)
        };
        let kind = if self.kind == "network" {
            BalancerKind::Network
        } else {
            BalancerKind::Application
        };
        let group_protocol = protocol_of(&self.group_protocol).unwrap_or(match kind {
            BalancerKind::Application => Protocol::Http,
            BalancerKind::Network => Protocol::Tcp,
        });
        let balancer = LoadBalancerSpec {
            name: self.name.clone(),
            kind,
            scheme: if self.scheme == "internal" {
                Scheme::Internal
            } else {
                Scheme::InternetFacing
            },
            vpc: self.vpc.trim().to_owned(),
            subnets: self.subnets.clone(),
            security_groups: self.security_groups.clone(),
            own_security_group: self.own_security_group,
        };
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let group = TargetGroupSpec {
            name: self.group_name.clone(),
            protocol: group_protocol,
            port: group_port,
            vpc: balancer.vpc.clone(),
            health: HealthCheck {
                path: text(&self.health_path),
                interval_seconds: interval,
                timeout_seconds: timeout,
                healthy_threshold: healthy.min(255) as u8,
                unhealthy_threshold: unhealthy.min(255) as u8,
                matcher: text(&self.health_matcher),
            },
            deregistration_delay_seconds: delay,
            instances: self.instances.clone(),
        };
        let plain = front_protocol(kind, group_protocol);
        let secure = match kind {
            BalancerKind::Application => Protocol::Https,
            BalancerKind::Network => Protocol::Tls,
        };
        let forward = ListenerAction::Forward(group.name.trim().to_owned());
        let front = ListenerSpec {
            protocol: plain,
            port: front_port,
            certificate_arn: None,
            ssl_policy: None,
            action: if self.secure && self.redirect && kind == BalancerKind::Application {
                ListenerAction::RedirectToHttps
            } else {
                forward.clone()
            },
        };
        // No front listener when an edit keeps an adopted one as it is (see `from_spec`).
        let mut listeners = if keep_front { Vec::new() } else { vec![front] };
        if self.secure {
            listeners.push(ListenerSpec {
                protocol: secure,
                port: 443,
                certificate_arn: text(&self.certificate_arn),
                ssl_policy: text(&self.ssl_policy),
                action: forward,
            });
        }
        listeners.extend(self.extra_listeners.iter().cloned());
        let mut groups = vec![group];
        groups.extend(self.extra_groups.iter().cloned());
        let setup = BalancerSetup {
            balancer,
            groups,
            listeners,
        };
        match setup.check(network) {
            Ok(setup) if problems.is_empty() => Ok(setup),
            Ok(_) => Err(problems),
            Err(more) => {
                // A field that was not a number is reported once, as such.
                let named: BTreeSet<String> = problems.iter().map(|(f, _)| f.clone()).collect();
                problems.extend(more.into_iter().filter(|(f, _)| !named.contains(f)));
                Err(problems)
            }
        }
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
            own_security_group: false,
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

    fn fields<T>(result: Result<T, Local>) -> Vec<&'static str> {
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
        let http = ListenerSpec {
            protocol: Protocol::Http,
            port: 80,
            certificate_arn: None,
            ssl_policy: None,
            action: ListenerAction::Forward("lab-web-servers".into()),
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

    fn lab_form() -> BalancerForm {
        BalancerForm {
            vpc: "vpc-lab".into(),
            subnets: vec!["subnet-c".into(), "subnet-a".into()],
            instances: vec!["i-1".into(), "i-2".into()],
            ..BalancerForm::example()
        }
    }

    #[test]
    fn the_guided_setup_makes_the_labs_balancer_and_comes_back_as_it_went() {
        let setup = lab_form().parse(&lab()).unwrap();
        assert_eq!(setup.balancer.subnets, ["subnet-a", "subnet-c"]);
        assert!(setup.balancer.own_security_group);
        assert_eq!(
            setup.groups[0].vpc, "vpc-lab",
            "groups take the balancer's VPC"
        );
        assert_eq!(
            setup.listeners,
            [ListenerSpec {
                protocol: Protocol::Http,
                port: 80,
                certificate_arn: None,
                ssl_policy: None,
                action: ListenerAction::Forward("lab-web-servers".into()),
            }]
        );
        assert_eq!(setup.listener_ports(), [("tcp".to_owned(), 80)]);
        let again = BalancerForm::from_spec(&setup);
        assert_eq!(again.parse(&lab()).unwrap(), setup);

        // HTTPS with the redirect: one click on the form.
        let form = BalancerForm {
            secure: true,
            redirect: true,
            certificate_arn: "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc".into(),
            ..lab_form()
        };
        let secure = form.parse(&lab()).unwrap();
        let described: Vec<String> = secure.listeners.iter().map(|l| l.describe()).collect();
        assert_eq!(
            described,
            [
                "HTTP → redirect to HTTPS 443",
                "HTTPS (arn:aws:acm:ap-northeast-2:123456789012:certificate/abc, ELBSecurityPolicy-TLS13-1-2-2021-06) → forward to lab-web-servers"
            ]
        );
        // The subnets come back sorted.
        let sorted = BalancerForm {
            subnets: vec!["subnet-a".into(), "subnet-c".into()],
            ..form
        };
        assert_eq!(BalancerForm::from_spec(&secure), sorted);
    }

    #[test]
    fn the_form_names_every_bad_field_once() {
        let form = BalancerForm {
            subnets: vec!["subnet-a".into()],
            group_port: "eighty".into(),
            health_interval: "5".into(),
            health_timeout: "10".into(),
            instances: vec!["i-9".into()],
            secure: true,
            ..lab_form()
        };
        let problems = form.parse(&lab()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "group-1.port",
                "subnets",
                "group-1.health_timing",
                "group-1.instances",
                "listener-2.certificate_arn"
            ]
        );
        assert_eq!(problems[0].1, BalancerError::Number);
        assert!(
            BalancerError::OneZone { zone: "a".into() }
                .message(Lang::Ko)
                .contains("가용 영역")
        );
    }

    #[test]
    fn a_setup_diff_names_the_group_and_listener_and_blocks_what_aws_cannot_change() {
        let desired = lab_form().parse(&lab()).unwrap();
        assert!(desired.diff(&desired).is_empty());
        let mut observed = desired.clone();
        observed.groups[0].health.path = Some("/old".into());
        observed.listeners.push(ListenerSpec {
            protocol: Protocol::Http,
            port: 8080,
            certificate_arn: None,
            ssl_policy: None,
            action: ListenerAction::Forward("lab-web-servers".into()),
        });
        let changes: Vec<String> = desired
            .diff(&observed)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            changes,
            [
                "target group lab-web-servers: health check path: /old → /",
                "listener 8080: HTTP → forward to lab-web-servers → deleted"
            ]
        );
        assert!(desired.blocked(&observed).is_empty());
        let mut moved = desired.clone();
        moved.groups[0].port = 8080;
        assert_eq!(
            moved.blocked(&desired),
            [BalancerError::Replace {
                name: "lab-web-servers".into()
            }]
        );
        // Under a new name it is a replacement Belfry can make.
        moved.groups[0].name = "lab-web-8080".into();
        moved.listeners[0].action = ListenerAction::Forward("lab-web-8080".into());
        assert!(moved.blocked(&desired).is_empty());
        let changes: Vec<String> = moved.diff(&desired).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            changes,
            [
                "target group lab-web-8080: — → created",
                "target group lab-web-servers: exists → deleted",
                "listener 80: HTTP → forward to lab-web-servers → HTTP → forward to lab-web-8080"
            ]
        );
    }

    #[test]
    fn an_adopted_setup_keeps_what_the_form_does_not_show_through_an_edit() {
        let group = |name: &str, port: u16| TargetGroupSpec {
            name: name.into(),
            port,
            ..group()
        };
        let forward = |port: u16, to: &str| ListenerSpec {
            protocol: Protocol::Http,
            port,
            certificate_arn: None,
            ssl_policy: None,
            action: ListenerAction::Forward(to.into()),
        };
        // Two groups; the front listener forwards to the second one (by name order).
        let adopted = BalancerSetup {
            balancer: balancer(&["subnet-a", "subnet-c"]),
            groups: vec![group("admin", 8080), group("web", 80)],
            listeners: vec![forward(80, "web"), forward(8080, "admin")],
        }
        .check(&lab())
        .unwrap();
        let mut form = BalancerForm::from_spec(&adopted);
        assert_eq!(form.group_name, "web", "the group the front listener uses");
        assert_eq!(form.listener_port, "80");
        assert_eq!(form.extra_groups.len(), 1);
        assert_eq!(form.extra_listeners, [forward(8080, "admin")]);
        // A change of the health check keeps the other group and listener.
        form.health_path = "/healthz".into();
        let edited = form.parse(&lab()).unwrap();
        let names: Vec<&str> = edited.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["web", "admin"]);
        assert_eq!(edited.listeners.len(), 2);
        assert_eq!(
            edited.group("web").unwrap().health.path.as_deref(),
            Some("/healthz")
        );
    }

    #[test]
    fn a_network_listener_forwards_only_to_a_group_of_a_matching_protocol() {
        assert!(Protocol::Tls.forwards_to(Protocol::Tcp));
        assert!(Protocol::Udp.forwards_to(Protocol::TcpUdp));
        assert!(!Protocol::Tcp.forwards_to(Protocol::Udp));
        assert!(!Protocol::Udp.forwards_to(Protocol::Tcp));
        // The form's front listener follows a UDP group.
        let form = BalancerForm {
            kind: "network".into(),
            group_protocol: "UDP".into(),
            listener_port: "53".into(),
            group_port: "53".into(),
            own_security_group: false,
            ..lab_form()
        };
        let setup = form.parse(&lab()).unwrap();
        assert_eq!(setup.listeners[0].protocol, Protocol::Udp);
        // No redirect on a network load balancer: the box is ignored (the page hides it).
        let redirect = BalancerForm {
            secure: true,
            redirect: true,
            certificate_arn: "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc".into(),
            group_protocol: "TCP".into(),
            ..form
        };
        let setup = redirect.parse(&lab()).unwrap();
        assert_eq!(
            setup.listeners[0].action,
            ListenerAction::Forward("lab-web-servers".into())
        );
        assert_eq!(setup.listeners[1].protocol, Protocol::Tls);
        // An adopted listener that redirects from TCP says why it cannot.
        let tcp_redirect = ListenerSpec {
            protocol: Protocol::Tcp,
            port: 80,
            certificate_arn: None,
            ssl_policy: None,
            action: ListenerAction::RedirectToHttps,
        };
        assert_eq!(
            tcp_redirect
                .check(BalancerKind::Network, "vpc-lab", None)
                .unwrap_err(),
            [("action", BalancerError::RedirectNeedsHttp)]
        );
        // Names AWS keeps for itself.
        let mut internal = balancer(&["subnet-a", "subnet-c"]);
        internal.name = "internal-web".into();
        assert_eq!(fields(internal.check(&lab())), ["name"]);
    }

    #[test]
    fn only_new_targets_must_be_running_and_a_lone_secure_listener_survives_an_edit() {
        let mut network = lab();
        network.running.insert("i-1".into());
        // i-2 is stopped: it cannot be added, but it may stay where it is registered.
        let setup = lab_form().parse(&network).unwrap();
        assert_eq!(
            setup.not_running(None, &network),
            [(
                "group-1.instances".to_owned(),
                BalancerError::NotRunning { id: "i-2".into() }
            )]
        );
        assert!(setup.not_running(Some(&setup), &network).is_empty());

        // An adopted load balancer with HTTPS 443 only: an edit keeps it without a front.
        let mut adopted = lab_form().parse(&lab()).unwrap();
        adopted.listeners = vec![ListenerSpec {
            protocol: Protocol::Https,
            port: 443,
            certificate_arn: Some("arn:aws:acm:ap-northeast-2:123456789012:certificate/abc".into()),
            ssl_policy: Some(SSL_POLICIES[0].into()),
            action: ListenerAction::Forward("lab-web-servers".into()),
        }];
        let form = BalancerForm::from_spec(&adopted);
        assert!(form.no_front && form.secure);
        assert_eq!(form.parse(&lab()).unwrap(), adopted);
    }
}
