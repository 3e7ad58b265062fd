//! Elastic Load Balancing v2: load balancers, target groups, targets and listeners, read
//! into the domain's shapes and written from them.
use super::AwsError;
use app::domain::balancer::{
    BalancerKind, HealthCheck, ListenerSpec, LoadBalancerSpec, Protocol, Scheme, TargetGroupSpec,
    TargetHealth,
};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, Matcher,
    ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum, Tag, TargetDescription,
    TargetGroupAttribute, TargetTypeEnum,
};
use std::collections::BTreeMap;

fn build_error(error: impl std::fmt::Display) -> AwsError {
    AwsError {
        code: None,
        message: error.to_string(),
    }
}

/// An SDK call's result with AWS's "not found" (`code`) as None.
fn unless_missing<T, E, R>(
    result: Result<T, aws_sdk_elasticloadbalancingv2::error::SdkError<E, R>>,
    code: &str,
) -> Result<Option<T>, AwsError>
where
    E: aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if error.code.as_deref() == Some(code) {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

const DEREGISTRATION_DELAY: &str = "deregistration_delay.timeout_seconds";

/// A load balancer as AWS has it.
#[derive(Debug, Clone)]
pub struct ObservedBalancer {
    pub arn: String,
    pub dns_name: String,
    pub state: String,
    pub spec: LoadBalancerSpec,
}

/// A target group as AWS has it, with its registered instances and the settings Belfry does
/// not model.
#[derive(Debug, Clone)]
pub struct ObservedGroup {
    pub arn: String,
    /// Each registered target's port, when it has its own.
    pub ports: BTreeMap<String, Option<u16>>,
    /// The load balancers whose listeners use it.
    pub balancers: Vec<String>,
    pub spec: TargetGroupSpec,
    pub unmodeled: Vec<String>,
}

/// What a listener does by default, as AWS has it.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservedAction {
    Forward(String),
    RedirectToHttps,
    /// Anything else (fixed responses, weighted forwards, other redirects).
    Other(String),
}

#[derive(Debug, Clone)]
pub struct ObservedListener {
    pub arn: String,
    pub port: u16,
    pub protocol: Protocol,
    pub certificate_arn: Option<String>,
    pub ssl_policy: Option<String>,
    pub action: ObservedAction,
}

impl ObservedListener {
    /// In the domain's terms, naming groups through `names` (ARN → name).
    pub fn spec(&self, names: &BTreeMap<String, String>) -> ListenerSpec {
        use app::domain::balancer::ListenerAction;
        // A plain listener has no certificate or policy (moto reports a default policy on
        // every listener; AWS on secure ones only).
        let secure = self.protocol.secure();
        ListenerSpec {
            protocol: self.protocol,
            port: self.port,
            certificate_arn: self.certificate_arn.clone().filter(|_| secure),
            ssl_policy: self.ssl_policy.clone().filter(|_| secure),
            action: match &self.action {
                ObservedAction::Forward(arn) => {
                    ListenerAction::Forward(names.get(arn).cloned().unwrap_or_else(|| arn.clone()))
                }
                ObservedAction::RedirectToHttps => ListenerAction::RedirectToHttps,
                ObservedAction::Other(what) => ListenerAction::Forward(what.clone()),
            },
        }
    }
}

fn protocol_to_aws(protocol: Protocol) -> ProtocolEnum {
    ProtocolEnum::from(protocol.as_str())
}

fn protocol_from_aws(protocol: Option<&ProtocolEnum>) -> Protocol {
    match protocol.map(|p| p.as_str()) {
        Some("HTTPS") => Protocol::Https,
        Some("TCP") => Protocol::Tcp,
        Some("TLS") => Protocol::Tls,
        Some("UDP") => Protocol::Udp,
        Some("TCP_UDP") => Protocol::TcpUdp,
        _ => Protocol::Http,
    }
}

fn tags(pairs: &[(String, String)]) -> Result<Vec<Tag>, AwsError> {
    pairs
        .iter()
        .map(|(k, v)| Ok(Tag::builder().key(k).value(v).build()))
        .collect()
}

fn balancer_of(lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> ObservedBalancer {
    let mut subnets: Vec<String> = lb
        .availability_zones()
        .iter()
        .filter_map(|z| z.subnet_id().map(str::to_owned))
        .collect();
    subnets.sort();
    let mut security_groups = lb.security_groups().to_vec();
    security_groups.sort();
    ObservedBalancer {
        arn: lb.load_balancer_arn().unwrap_or_default().to_owned(),
        dns_name: lb.dns_name().unwrap_or_default().to_owned(),
        state: lb
            .state()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        spec: LoadBalancerSpec {
            name: lb.load_balancer_name().unwrap_or_default().to_owned(),
            kind: match lb.r#type() {
                Some(LoadBalancerTypeEnum::Network) => BalancerKind::Network,
                _ => BalancerKind::Application,
            },
            scheme: match lb.scheme() {
                Some(LoadBalancerSchemeEnum::Internal) => Scheme::Internal,
                _ => Scheme::InternetFacing,
            },
            vpc: lb.vpc_id().unwrap_or_default().to_owned(),
            subnets,
            security_groups,
            own_security_group: false,
        },
    }
}

/// The load balancer with this ARN, or else with this name, or None.
pub async fn find_balancer(
    client: &Client,
    arn: Option<&str>,
    name: &str,
) -> Result<Option<ObservedBalancer>, AwsError> {
    let request = match arn {
        Some(arn) => client.describe_load_balancers().load_balancer_arns(arn),
        None => client.describe_load_balancers().names(name),
    };
    Ok(
        unless_missing(request.send().await, "LoadBalancerNotFound")?
            .and_then(|output| output.load_balancers().first().map(balancer_of)),
    )
}

/// Every load balancer: (ARN, name).
pub async fn list_balancers(client: &Client) -> Result<Vec<(String, String)>, AwsError> {
    let mut found = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let output = client
            .describe_load_balancers()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        for lb in output.load_balancers() {
            found.push((
                lb.load_balancer_arn().unwrap_or_default().to_owned(),
                lb.load_balancer_name().unwrap_or_default().to_owned(),
            ));
        }
        marker = output.next_marker().map(str::to_owned);
        if marker.is_none() {
            return Ok(found);
        }
    }
}

/// Each resource's tags (at most 20 ARNs per call, as AWS allows).
pub async fn tags_of(
    client: &Client,
    arns: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, String>>, AwsError> {
    let mut found = BTreeMap::new();
    for chunk in arns.chunks(20) {
        let output = client
            .describe_tags()
            .set_resource_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        for description in output.tag_descriptions() {
            let tags = description
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_owned(),
                        t.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            found.insert(
                description.resource_arn().unwrap_or_default().to_owned(),
                tags,
            );
        }
    }
    Ok(found)
}

pub async fn create_balancer(
    client: &Client,
    spec: &LoadBalancerSpec,
    security_groups: &[String],
    pairs: &[(String, String)],
) -> Result<ObservedBalancer, AwsError> {
    let output = client
        .create_load_balancer()
        .name(&spec.name)
        .set_subnets(Some(spec.subnets.clone()))
        .set_security_groups(
            (spec.kind == BalancerKind::Application || !security_groups.is_empty())
                .then(|| security_groups.to_vec()),
        )
        .scheme(match spec.scheme {
            Scheme::InternetFacing => LoadBalancerSchemeEnum::InternetFacing,
            Scheme::Internal => LoadBalancerSchemeEnum::Internal,
        })
        .r#type(match spec.kind {
            BalancerKind::Application => LoadBalancerTypeEnum::Application,
            BalancerKind::Network => LoadBalancerTypeEnum::Network,
        })
        .set_tags(Some(tags(pairs)?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    output
        .load_balancers()
        .first()
        .map(balancer_of)
        .ok_or_else(|| build_error("CreateLoadBalancer answered without a load balancer"))
}

pub async fn set_subnets(client: &Client, arn: &str, subnets: &[String]) -> Result<(), AwsError> {
    client
        .set_subnets()
        .load_balancer_arn(arn)
        .set_subnets(Some(subnets.to_vec()))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn set_security_groups(
    client: &Client,
    arn: &str,
    groups: &[String],
) -> Result<(), AwsError> {
    client
        .set_security_groups()
        .load_balancer_arn(arn)
        .set_security_groups(Some(groups.to_vec()))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn delete_balancer(client: &Client, arn: &str) -> Result<(), AwsError> {
    let result = client
        .delete_load_balancer()
        .load_balancer_arn(arn)
        .send()
        .await;
    unless_missing(result, "LoadBalancerNotFound").map(|_| ())
}

async fn group_of(
    client: &Client,
    group: &aws_sdk_elasticloadbalancingv2::types::TargetGroup,
) -> Result<ObservedGroup, AwsError> {
    let arn = group.target_group_arn().unwrap_or_default().to_owned();
    let attributes = client
        .describe_target_group_attributes()
        .target_group_arn(&arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    let delay = attributes
        .attributes()
        .iter()
        .find(|a| a.key() == Some(DEREGISTRATION_DELAY))
        .and_then(|a| a.value())
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let health = client
        .describe_target_health()
        .target_group_arn(&arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    // A draining target is on its way out (AWS keeps it for the deregistration delay): it is
    // not one of the group's targets any more.
    let mut ports = BTreeMap::new();
    for description in health.target_health_descriptions() {
        let draining = description
            .target_health()
            .and_then(|h| h.state())
            .is_some_and(|s| s.as_str() == "draining");
        if let (false, Some(target)) = (draining, description.target())
            && let Some(id) = target.id()
        {
            ports.insert(
                id.to_owned(),
                target.port().map(|p| p.clamp(0, 65535) as u16),
            );
        }
    }
    let instances: Vec<String> = ports.keys().cloned().collect();
    let mut unmodeled = Vec::new();
    if group
        .target_type()
        .is_some_and(|t| *t != TargetTypeEnum::Instance)
    {
        unmodeled.push(format!(
            "targets of type {}",
            group.target_type().map(|t| t.as_str()).unwrap_or_default()
        ));
    }
    let protocol = protocol_from_aws(group.protocol());
    let http = matches!(protocol, Protocol::Http | Protocol::Https);
    Ok(ObservedGroup {
        arn,
        ports,
        balancers: group.load_balancer_arns().to_vec(),
        spec: TargetGroupSpec {
            name: group.target_group_name().unwrap_or_default().to_owned(),
            protocol,
            port: group.port().unwrap_or(0).clamp(0, 65535) as u16,
            vpc: group.vpc_id().unwrap_or_default().to_owned(),
            health: HealthCheck {
                path: group
                    .health_check_path()
                    .filter(|_| http)
                    .map(str::to_owned),
                interval_seconds: group.health_check_interval_seconds().unwrap_or(30) as u16,
                timeout_seconds: group.health_check_timeout_seconds().unwrap_or(5) as u16,
                healthy_threshold: group.healthy_threshold_count().unwrap_or(5) as u8,
                unhealthy_threshold: group.unhealthy_threshold_count().unwrap_or(2) as u8,
                matcher: group
                    .matcher()
                    .and_then(|m| m.http_code())
                    .filter(|_| http)
                    .map(str::to_owned),
            },
            deregistration_delay_seconds: delay,
            instances,
        },
        unmodeled,
    })
}

/// The target group of this name, read in full, or None.
pub async fn group_named(client: &Client, name: &str) -> Result<Option<ObservedGroup>, AwsError> {
    let result = client.describe_target_groups().names(name).send().await;
    match unless_missing(result, "TargetGroupNotFound")?
        .as_ref()
        .and_then(|output| output.target_groups().first())
    {
        Some(group) => Ok(Some(group_of(client, group).await?)),
        None => Ok(None),
    }
}

/// The target group with this ARN, read in full, or None.
pub async fn group_by_arn(client: &Client, arn: &str) -> Result<Option<ObservedGroup>, AwsError> {
    let result = client
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await;
    match unless_missing(result, "TargetGroupNotFound")?
        .as_ref()
        .and_then(|output| output.target_groups().first())
    {
        Some(group) => Ok(Some(group_of(client, group).await?)),
        None => Ok(None),
    }
}

fn matcher(spec: &TargetGroupSpec) -> Option<Matcher> {
    spec.health
        .matcher
        .as_ref()
        .map(|code| Matcher::builder().http_code(code).build())
}

/// Makes the group with its health check; its ARN. Targets and the deregistration delay
/// are set after.
pub async fn create_group(
    client: &Client,
    spec: &TargetGroupSpec,
    pairs: &[(String, String)],
) -> Result<String, AwsError> {
    let h = &spec.health;
    let output = client
        .create_target_group()
        .name(&spec.name)
        .protocol(protocol_to_aws(spec.protocol))
        .port(i32::from(spec.port))
        .vpc_id(&spec.vpc)
        .target_type(TargetTypeEnum::Instance)
        .set_health_check_path(h.path.clone())
        .health_check_interval_seconds(i32::from(h.interval_seconds))
        .health_check_timeout_seconds(i32::from(h.timeout_seconds))
        .healthy_threshold_count(i32::from(h.healthy_threshold))
        .unhealthy_threshold_count(i32::from(h.unhealthy_threshold))
        .set_matcher(matcher(spec))
        .set_tags(Some(tags(pairs)?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    output
        .target_groups()
        .first()
        .and_then(|g| g.target_group_arn())
        .map(str::to_owned)
        .ok_or_else(|| build_error("CreateTargetGroup answered without a target group"))
}

pub async fn modify_health(
    client: &Client,
    arn: &str,
    spec: &TargetGroupSpec,
) -> Result<(), AwsError> {
    let h = &spec.health;
    client
        .modify_target_group()
        .target_group_arn(arn)
        .set_health_check_path(h.path.clone())
        .health_check_interval_seconds(i32::from(h.interval_seconds))
        .health_check_timeout_seconds(i32::from(h.timeout_seconds))
        .healthy_threshold_count(i32::from(h.healthy_threshold))
        .unhealthy_threshold_count(i32::from(h.unhealthy_threshold))
        .set_matcher(matcher(spec))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn set_deregistration_delay(
    client: &Client,
    arn: &str,
    seconds: u16,
) -> Result<(), AwsError> {
    client
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key(DEREGISTRATION_DELAY)
                .value(seconds.to_string())
                .build(),
        )
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

fn targets(ids: &[String], port: Option<u16>) -> Result<Vec<TargetDescription>, AwsError> {
    ids.iter()
        .map(|id| {
            Ok(TargetDescription::builder()
                .id(id)
                .set_port(port.map(i32::from))
                .build())
        })
        .collect()
}

pub async fn register(
    client: &Client,
    arn: &str,
    ids: &[String],
    port: u16,
) -> Result<(), AwsError> {
    client
        .register_targets()
        .target_group_arn(arn)
        .set_targets(Some(targets(ids, Some(port))?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Deregisters: AWS drains each target for the group's deregistration delay.
/// `targets`: each id with the port it was registered on (a target registered on its own
/// port is deregistered on it).
pub async fn deregister(
    client: &Client,
    arn: &str,
    targets: &[(String, Option<u16>)],
) -> Result<(), AwsError> {
    let targets = targets
        .iter()
        .map(|(id, port)| {
            TargetDescription::builder()
                .id(id)
                .set_port(port.map(i32::from))
                .build()
        })
        .collect();
    client
        .deregister_targets()
        .target_group_arn(arn)
        .set_targets(Some(targets))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn delete_group(client: &Client, arn: &str) -> Result<(), AwsError> {
    let result = client
        .delete_target_group()
        .target_group_arn(arn)
        .send()
        .await;
    unless_missing(result, "TargetGroupNotFound").map(|_| ())
}

/// Each registered target's health, with AWS's reason when it is not healthy; None when the
/// group is gone.
pub async fn target_health(
    client: &Client,
    arn: &str,
) -> Result<Option<Vec<TargetHealth>>, AwsError> {
    let result = client
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await;
    let Some(output) = unless_missing(result, "TargetGroupNotFound")? else {
        return Ok(None);
    };
    let mut found: Vec<TargetHealth> = output
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let health = d.target_health();
            let reason = health.and_then(|h| {
                let code = h.reason().map(|r| r.as_str().to_owned());
                let description = h.description().map(str::to_owned);
                match (code, description) {
                    (Some(code), Some(description)) => Some(format!("{code}: {description}")),
                    (code, description) => code.or(description),
                }
            });
            TargetHealth {
                id: d
                    .target()
                    .and_then(|t| t.id())
                    .unwrap_or_default()
                    .to_owned(),
                port: d
                    .target()
                    .and_then(|t| t.port())
                    .unwrap_or(0)
                    .clamp(0, 65535) as u16,
                state: health
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_else(|| "unknown".into()),
                reason,
            }
        })
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Some(found))
}

pub async fn listeners(
    client: &Client,
    balancer_arn: &str,
) -> Result<Vec<ObservedListener>, AwsError> {
    let output = client
        .describe_listeners()
        .load_balancer_arn(balancer_arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    let mut found: Vec<ObservedListener> = output
        .listeners()
        .iter()
        .map(|l| {
            let actions = l.default_actions();
            let action = match actions {
                [one] => match one.r#type() {
                    Some(ActionTypeEnum::Forward) => {
                        let weighted = one
                            .forward_config()
                            .is_some_and(|f| f.target_groups().len() > 1);
                        match one.target_group_arn() {
                            Some(arn) if !weighted => ObservedAction::Forward(arn.to_owned()),
                            _ => ObservedAction::Other("a weighted forward".into()),
                        }
                    }
                    Some(ActionTypeEnum::Redirect) => {
                        // Exactly the one-click redirect: 301 to HTTPS 443, same host, path
                        // and query.
                        let to_https = one.redirect_config().is_some_and(|r| {
                            r.protocol() == Some("HTTPS")
                                && r.port().is_none_or(|p| p == "443")
                                && r.host().is_none_or(|h| h == "#{host}")
                                && r.path().is_none_or(|p| p == "/#{path}")
                                && r.query().is_none_or(|q| q == "#{query}")
                                && r.status_code() == Some(&RedirectActionStatusCodeEnum::Http301)
                        });
                        if to_https {
                            ObservedAction::RedirectToHttps
                        } else {
                            ObservedAction::Other("a redirect elsewhere".into())
                        }
                    }
                    other => ObservedAction::Other(format!(
                        "a {} action",
                        other.map(|t| t.as_str()).unwrap_or("missing")
                    )),
                },
                _ => ObservedAction::Other(format!("{} default actions", actions.len())),
            };
            ObservedListener {
                arn: l.listener_arn().unwrap_or_default().to_owned(),
                port: l.port().unwrap_or(0).clamp(0, 65535) as u16,
                protocol: protocol_from_aws(l.protocol()),
                certificate_arn: l
                    .certificates()
                    .first()
                    .and_then(|c| c.certificate_arn())
                    .map(str::to_owned),
                ssl_policy: l.ssl_policy().map(str::to_owned),
                action,
            }
        })
        .collect();
    found.sort_by_key(|l| l.port);
    Ok(found)
}

fn default_action(spec: &ListenerSpec, group_arn: Option<&str>) -> Result<Action, AwsError> {
    use app::domain::balancer::ListenerAction;
    match &spec.action {
        ListenerAction::Forward(_) => Ok(Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .set_target_group_arn(group_arn.map(str::to_owned))
            .build()),
        ListenerAction::RedirectToHttps => Ok(Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port("443")
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build()),
    }
}

fn certificates(spec: &ListenerSpec) -> Option<Vec<Certificate>> {
    spec.certificate_arn
        .as_ref()
        .map(|arn| vec![Certificate::builder().certificate_arn(arn).build()])
}

pub async fn create_listener(
    client: &Client,
    balancer_arn: &str,
    spec: &ListenerSpec,
    group_arn: Option<&str>,
    pairs: &[(String, String)],
) -> Result<(), AwsError> {
    client
        .create_listener()
        .load_balancer_arn(balancer_arn)
        .protocol(protocol_to_aws(spec.protocol))
        .port(i32::from(spec.port))
        .set_certificates(certificates(spec))
        .set_ssl_policy(spec.ssl_policy.clone())
        .default_actions(default_action(spec, group_arn)?)
        .set_tags(Some(tags(pairs)?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn modify_listener(
    client: &Client,
    arn: &str,
    spec: &ListenerSpec,
    group_arn: Option<&str>,
) -> Result<(), AwsError> {
    client
        .modify_listener()
        .listener_arn(arn)
        .protocol(protocol_to_aws(spec.protocol))
        .port(i32::from(spec.port))
        .set_certificates(certificates(spec))
        .set_ssl_policy(spec.ssl_policy.clone())
        .default_actions(default_action(spec, group_arn)?)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn delete_listener(client: &Client, arn: &str) -> Result<(), AwsError> {
    let result = client.delete_listener().listener_arn(arn).send().await;
    unless_missing(result, "ListenerNotFound").map(|_| ())
}

/// A load balancer read as a setup: its listeners, the groups they forward to and the
/// groups named in `also` (those of the declared setup), with each group's ARN by name and
/// what Belfry does not model (for adoption).
pub async fn observe(
    client: &Client,
    balancer: &ObservedBalancer,
    also: &[String],
) -> Result<ObservedSetup, AwsError> {
    let listeners = listeners(client, &balancer.arn).await?;
    let mut groups: BTreeMap<String, ObservedGroup> = BTreeMap::new();
    for name in also {
        if let Some(group) = group_named(client, name).await? {
            groups.insert(group.arn.clone(), group);
        }
    }
    let mut unmodeled = Vec::new();
    for listener in &listeners {
        let rules = client
            .describe_rules()
            .listener_arn(&listener.arn)
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        if rules.rules().iter().any(|r| r.is_default() != Some(true)) {
            unmodeled.push(format!("listener rules on port {}", listener.port));
        }
        if let Some(policy) = &listener.ssl_policy
            && listener.protocol.secure()
            && !app::domain::balancer::SSL_POLICIES.contains(&policy.as_str())
        {
            unmodeled.push(format!("the SSL policy {policy}"));
        }
        if let Some(certificate) = &listener.certificate_arn
            && listener.protocol.secure()
            && !app::domain::aws::is_arn_of(certificate, "acm", "certificate/")
        {
            unmodeled.push(format!(
                "the IAM server certificate on port {}",
                listener.port
            ));
        }
        match &listener.action {
            ObservedAction::Forward(arn) if !groups.contains_key(arn) => {
                if let Some(group) = group_by_arn(client, arn).await? {
                    groups.insert(arn.clone(), group);
                }
            }
            ObservedAction::Other(what) => {
                unmodeled.push(format!("{what} on port {}", listener.port))
            }
            _ => {}
        }
    }
    let names: BTreeMap<String, String> = groups
        .iter()
        .map(|(arn, g)| (arn.clone(), g.spec.name.clone()))
        .collect();
    for group in groups.values() {
        unmodeled.extend(group.unmodeled.iter().cloned());
        if group.balancers.iter().any(|arn| *arn != balancer.arn) {
            unmodeled.push(format!(
                "target group {} shared with another load balancer",
                group.spec.name
            ));
        }
    }
    let mut group_specs: Vec<TargetGroupSpec> = groups.values().map(|g| g.spec.clone()).collect();
    group_specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ObservedSetup {
        setup: app::domain::balancer::BalancerSetup {
            balancer: balancer.spec.clone(),
            groups: group_specs,
            listeners: listeners.iter().map(|l| l.spec(&names)).collect(),
        },
        group_arns: names.into_iter().map(|(arn, name)| (name, arn)).collect(),
        unmodeled,
    })
}

/// What [`observe`] found.
#[derive(Debug, Clone)]
pub struct ObservedSetup {
    pub setup: app::domain::balancer::BalancerSetup,
    /// Group name → ARN.
    pub group_arns: BTreeMap<String, String>,
    pub unmodeled: Vec<String>,
}
