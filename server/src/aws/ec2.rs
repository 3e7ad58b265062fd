//! The few EC2 calls the load balancer setup needs, made as signed Query API requests with
//! the SDK's own configuration (region, endpoint, credentials chain) and SigV4 signer.
//!
//! Why not `aws-sdk-ec2`: it is one crate of several hundred thousand lines, and compiling it
//! three times (clippy, tests, the site build) would take CI on two cores past its 30
//! minutes from empty. Belfry needs seven actions of it, all in the stable 2016-11-15 Query
//! protocol, which moto serves at the same endpoint as the rest.
use super::AwsError;
use app::domain::balancer::NetworkChoices;
use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use std::time::{Duration, SystemTime};

const VERSION: &str = "2016-11-15";

/// A port a security group lets in from anywhere: (`tcp` or `udp`, port).
pub type Opening = (String, u16);

#[derive(Clone)]
pub struct Ec2 {
    config: SdkConfig,
    http: reqwest::Client,
    /// The credentials last provided, reused until shortly before they expire: a team's
    /// assumed role would otherwise cost an STS call per EC2 call.
    credentials: std::sync::Arc<std::sync::Mutex<Option<aws_credential_types::Credentials>>>,
}

fn error(message: impl std::fmt::Display) -> AwsError {
    AwsError {
        code: None,
        message: message.to_string(),
    }
}

/// `Filter.1.Name=vpc-id&Filter.1.Value.1=…` and the like.
pub type Params = Vec<(String, String)>;

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The direct child element's text.
fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
}

/// The `<item>`s of the direct child list `set`.
fn items<'a>(node: roxmltree::Node<'a, 'a>, set: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|c| c.has_tag_name(set))
        .map(|s| s.children().filter(|c| c.has_tag_name("item")).collect())
        .unwrap_or_default()
}

/// The `Name` tag's value.
fn name_tag(node: roxmltree::Node<'_, '_>) -> String {
    items(node, "tagSet")
        .into_iter()
        .find(|t| child(*t, "key") == Some("Name"))
        .and_then(|t| child(t, "value"))
        .unwrap_or_default()
        .to_owned()
}

impl Ec2 {
    pub fn new(config: &SdkConfig) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        Ec2 {
            config: config.clone(),
            http,
            credentials: Default::default(),
        }
    }

    fn endpoint(&self, region: &str) -> String {
        match self.config.endpoint_url() {
            Some(url) => format!("{}/", url.trim_end_matches('/')),
            None => format!("https://ec2.{region}.amazonaws.com/"),
        }
    }

    async fn credentials(&self) -> Result<aws_credential_types::Credentials, AwsError> {
        let fresh = |c: &aws_credential_types::Credentials| {
            c.expiry()
                .is_none_or(|at| at > SystemTime::now() + Duration::from_secs(300))
        };
        if let Some(cached) = self
            .credentials
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .filter(fresh)
        {
            return Ok(cached);
        }
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| error("no AWS credentials provider is configured"))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| error(format!("credentials: {e}")))?;
        if let Ok(mut cache) = self.credentials.lock() {
            *cache = Some(credentials.clone());
        }
        Ok(credentials)
    }

    /// One signed Query call; the XML answer, or AWS's error code and message.
    pub async fn call(
        &self,
        action: &str,
        params: &[(String, String)],
    ) -> Result<String, AwsError> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let region = self
            .config
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| error("no AWS region is configured"))?;
        let credentials = self.credentials().await?;
        let mut body = format!("Action={}&Version={VERSION}", encode(action));
        for (key, value) in params {
            body.push('&');
            body.push_str(&encode(key));
            body.push('=');
            body.push_str(&encode(value));
        }
        let url = self.endpoint(&region);
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let identity = credentials.into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&region)
            .name("ec2")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| error(format!("signing: {e}")))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            std::iter::once(("content-type", content_type)),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| error(format!("signing: {e}")))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| error(format!("signing: {e}")))?
            .into_parts();
        let mut request = self
            .http
            .post(&url)
            .header("content-type", content_type)
            .body(body.clone());
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| error(format!("EC2 {action}: {e}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| error(format!("EC2 {action}: {e}")))?;
        if status.is_success() {
            return Ok(text);
        }
        let parsed = roxmltree::Document::parse(&text).ok();
        let find = |name: &str| {
            parsed.as_ref().and_then(|d| {
                d.descendants()
                    .find(|n| n.has_tag_name(name))
                    .and_then(|n| n.text())
                    .map(str::to_owned)
            })
        };
        let code = find("Code");
        let message = match (&code, find("Message")) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            _ => format!("EC2 {action} answered {status}"),
        };
        Err(AwsError { code, message })
    }

    /// Calls a Describe action, following `nextToken`, and hands each page's root to `each`.
    async fn describe(
        &self,
        action: &str,
        params: Params,
        mut each: impl FnMut(roxmltree::Node<'_, '_>),
    ) -> Result<(), AwsError> {
        let mut token: Option<String> = None;
        loop {
            let mut page = params.clone();
            if let Some(token) = &token {
                page.push(("NextToken".into(), token.clone()));
            }
            let text = self.call(action, &page).await?;
            let document = roxmltree::Document::parse(&text)
                .map_err(|e| error(format!("EC2 {action} answered unreadable XML: {e}")))?;
            let root = document.root_element();
            each(root);
            token = child(root, "nextToken")
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if token.is_none() {
                return Ok(());
            }
        }
    }

    /// VPCs, subnets, security groups and instances that are not terminated.
    pub async fn network(&self) -> Result<NetworkChoices, AwsError> {
        let mut choices = NetworkChoices::default();
        self.describe("DescribeVpcs", Vec::new(), |root| {
            for vpc in items(root, "vpcSet") {
                choices.vpcs.push((
                    child(vpc, "vpcId").unwrap_or_default().to_owned(),
                    name_tag(vpc),
                    child(vpc, "cidrBlock").unwrap_or_default().to_owned(),
                ));
            }
        })
        .await?;
        self.describe("DescribeSubnets", Vec::new(), |root| {
            for subnet in items(root, "subnetSet") {
                choices.subnets.push((
                    child(subnet, "subnetId").unwrap_or_default().to_owned(),
                    child(subnet, "vpcId").unwrap_or_default().to_owned(),
                    child(subnet, "availabilityZone")
                        .unwrap_or_default()
                        .to_owned(),
                    name_tag(subnet),
                ));
            }
        })
        .await?;
        self.describe("DescribeSecurityGroups", Vec::new(), |root| {
            for group in items(root, "securityGroupInfo") {
                choices.security_groups.push((
                    child(group, "groupId").unwrap_or_default().to_owned(),
                    child(group, "vpcId").unwrap_or_default().to_owned(),
                    child(group, "groupName").unwrap_or_default().to_owned(),
                ));
            }
        })
        .await?;
        self.describe("DescribeInstances", Vec::new(), |root| {
            for reservation in items(root, "reservationSet") {
                for instance in items(reservation, "instancesSet") {
                    let state = instance
                        .children()
                        .find(|c| c.has_tag_name("instanceState"))
                        .and_then(|s| child(s, "name"))
                        .unwrap_or_default()
                        .to_owned();
                    if state == "terminated" {
                        continue;
                    }
                    choices.instances.push((
                        child(instance, "instanceId").unwrap_or_default().to_owned(),
                        child(instance, "vpcId").unwrap_or_default().to_owned(),
                        name_tag(instance),
                        state,
                    ));
                }
            }
        })
        .await?;
        choices.vpcs.sort();
        choices
            .subnets
            .sort_by(|a, b| (&a.1, &a.2, &a.0).cmp(&(&b.1, &b.2, &b.0)));
        choices.security_groups.sort();
        choices.instances.sort();
        Ok(choices)
    }

    /// The security group of that name in the VPC, if any: its id and its `belfry-resource`
    /// tag (whose it is).
    pub async fn group_named(
        &self,
        vpc: &str,
        name: &str,
    ) -> Result<Option<(String, Option<String>)>, AwsError> {
        let params = vec![
            ("Filter.1.Name".into(), "vpc-id".into()),
            ("Filter.1.Value.1".into(), vpc.to_owned()),
            ("Filter.2.Name".into(), "group-name".into()),
            ("Filter.2.Value.1".into(), name.to_owned()),
        ];
        let mut found = None;
        self.describe("DescribeSecurityGroups", params, |root| {
            if let Some(group) = items(root, "securityGroupInfo").first() {
                let resource = items(*group, "tagSet")
                    .into_iter()
                    .find(|t| child(*t, "key") == Some("belfry-resource"))
                    .and_then(|t| child(t, "value"))
                    .map(str::to_owned);
                found = child(*group, "groupId").map(|id| (id.to_owned(), resource));
            }
        })
        .await?;
        Ok(found)
    }

    /// The TCP and UDP ports the group lets in from anywhere (IPv4).
    pub async fn open_ports(&self, group_id: &str) -> Result<Vec<Opening>, AwsError> {
        let params = vec![("GroupId.1".into(), group_id.to_owned())];
        let mut ports = Vec::new();
        self.describe("DescribeSecurityGroups", params, |root| {
            for group in items(root, "securityGroupInfo") {
                for permission in items(group, "ipPermissions") {
                    let anywhere = items(permission, "ipRanges")
                        .iter()
                        .any(|r| child(*r, "cidrIp") == Some("0.0.0.0/0"));
                    let from = child(permission, "fromPort").and_then(|p| p.parse::<u16>().ok());
                    let to = child(permission, "toPort").and_then(|p| p.parse::<u16>().ok());
                    let protocol = child(permission, "ipProtocol").unwrap_or_default();
                    if let (true, Some(from), Some(to)) = (anywhere, from, to)
                        && (protocol == "tcp" || protocol == "udp")
                    {
                        ports.extend((from..=to).map(|port| (protocol.to_owned(), port)));
                    }
                }
            }
        })
        .await?;
        ports.sort();
        ports.dedup();
        Ok(ports)
    }

    /// Makes a security group, tagged as Belfry's; its id.
    pub async fn create_group(
        &self,
        vpc: &str,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<String, AwsError> {
        let mut params: Params = vec![
            ("GroupName".into(), name.to_owned()),
            (
                "GroupDescription".into(),
                "Listener ports of a Belfry load balancer".into(),
            ),
            ("VpcId".into(), vpc.to_owned()),
            (
                "TagSpecification.1.ResourceType".into(),
                "security-group".into(),
            ),
        ];
        for (i, (key, value)) in tags.iter().enumerate() {
            params.push((format!("TagSpecification.1.Tag.{}.Key", i + 1), key.clone()));
            params.push((
                format!("TagSpecification.1.Tag.{}.Value", i + 1),
                value.clone(),
            ));
        }
        let text = self.call("CreateSecurityGroup", &params).await?;
        let document = roxmltree::Document::parse(&text)
            .map_err(|e| error(format!("CreateSecurityGroup answered unreadable XML: {e}")))?;
        child(document.root_element(), "groupId")
            .map(str::to_owned)
            .ok_or_else(|| error("CreateSecurityGroup answered without a group id"))
    }

    /// Lets anyone reach these ports.
    pub async fn open(&self, group_id: &str, ports: &[Opening]) -> Result<(), AwsError> {
        self.ingress("AuthorizeSecurityGroupIngress", group_id, ports)
            .await
    }

    /// Closes these ports again.
    pub async fn close(&self, group_id: &str, ports: &[Opening]) -> Result<(), AwsError> {
        self.ingress("RevokeSecurityGroupIngress", group_id, ports)
            .await
    }

    /// Authorize or revoke ingress from anywhere (IPv4) on these ports.
    async fn ingress(
        &self,
        action: &str,
        group_id: &str,
        ports: &[Opening],
    ) -> Result<(), AwsError> {
        if ports.is_empty() {
            return Ok(());
        }
        let mut params: Params = vec![("GroupId".into(), group_id.to_owned())];
        for (i, (protocol, port)) in ports.iter().enumerate() {
            let n = i + 1;
            params.push((format!("IpPermissions.{n}.IpProtocol"), protocol.clone()));
            params.push((format!("IpPermissions.{n}.FromPort"), port.to_string()));
            params.push((format!("IpPermissions.{n}.ToPort"), port.to_string()));
            params.push((
                format!("IpPermissions.{n}.IpRanges.1.CidrIp"),
                "0.0.0.0/0".into(),
            ));
        }
        self.call(action, &params).await?;
        Ok(())
    }

    pub async fn delete_group(&self, group_id: &str) -> Result<(), AwsError> {
        let params = vec![("GroupId".into(), group_id.to_owned())];
        match self.call("DeleteSecurityGroup", &params).await {
            Err(e) if e.code.as_deref() == Some("InvalidGroup.NotFound") => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded_as_sigv4_wants() {
        assert_eq!(encode("0.0.0.0/0"), "0.0.0.0%2F0");
        assert_eq!(encode("a b+c~"), "a%20b%2Bc~");
    }

    #[test]
    fn describe_answers_are_read_by_their_item_lists() {
        let xml = r#"<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId>
            <availabilityZone>ap-northeast-2a</availabilityZone>
            <tagSet><item><key>Owner</key><value>x</value></item>
            <item><key>Name</key><value>lab-a</value></item></tagSet></item></subnetSet>
            </DescribeSubnetsResponse>"#;
        let document = roxmltree::Document::parse(xml).unwrap();
        let subnets = items(document.root_element(), "subnetSet");
        assert_eq!(subnets.len(), 1, "a tag's item is not a subnet");
        assert_eq!(
            child(subnets[0], "availabilityZone"),
            Some("ap-northeast-2a")
        );
        assert_eq!(name_tag(subnets[0]), "lab-a");
    }
}
