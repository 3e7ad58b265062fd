//! The only place that touches `aws-sdk-*` types. Credentials come from the SDK's standard
//! chain (environment, profiles, instance roles); `AWS_ENDPOINT_URL` points every client at an
//! emulator. Nothing here stores or logs a secret.
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::time::Duration;

pub mod cloudwatch;
pub mod ec2;
pub mod elbv2;
pub mod eventbridge;
pub mod lambda;
pub mod scheduler;
pub mod sns;

/// An AWS call that failed: AWS's error code when it gave one, and a message without secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AwsError {
    pub code: Option<String>,
    pub message: String,
}

impl AwsError {
    /// From any SDK's error (they share the smithy error types).
    pub fn from_sdk<E, R>(error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let code = error.code().map(str::to_owned);
        let message = match (&code, error.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            _ => DisplayErrorContext(&error).to_string(),
        };
        AwsError { code, message }
    }

    /// AWS asked us to slow down: retry later, it is not the request's fault.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "RequestLimitExceeded"
                    | "TooManyRequestsException"
                    | "RequestThrottled"
            )
        )
    }
}

/// What Belfry tags everything it creates with, so that it can find its own resources and
/// touches nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Tags {
    pub team: uuid::Uuid,
    pub resource: uuid::Uuid,
}

impl Tags {
    pub const MANAGED_BY: (&'static str, &'static str) = ("managed-by", "belfry");

    pub fn pairs(&self) -> Vec<(String, String)> {
        vec![
            (Self::MANAGED_BY.0.to_owned(), Self::MANAGED_BY.1.to_owned()),
            ("belfry-team".to_owned(), self.team.to_string()),
            ("belfry-resource".to_owned(), self.resource.to_string()),
        ]
    }
}

#[derive(Clone)]
pub struct Aws {
    config: SdkConfig,
    /// One EC2 client per configuration, so that its credentials are reused.
    ec2: ec2::Ec2,
    /// Whose credentials: the role a team's connection assumes, None for the server's own.
    identity: Option<String>,
}

impl Aws {
    /// Loads the standard configuration: region and credentials chain, endpoint override.
    pub async fn from_environment() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts())
            .load()
            .await;
        Aws {
            ec2: ec2::Ec2::new(&config),
            config,
            identity: None,
        }
    }

    /// A fixed endpoint and region with the standard credentials chain: for tests and tools
    /// that point at an emulator.
    pub async fn for_endpoint(endpoint_url: &str, region: &'static str) -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint_url)
            .region(aws_config::Region::from_static(region))
            .timeout_config(timeouts())
            .load()
            .await;
        Aws {
            ec2: ec2::Ec2::new(&config),
            config,
            identity: None,
        }
    }

    /// The configuration for one team's connection: its region and, for an emulator, its
    /// endpoint; with a role ARN, credentials from assuming that role (with the team's
    /// external id) on top of the server's own chain.
    pub async fn for_team(
        &self,
        region: &str,
        endpoint_url: Option<&str>,
        role: Option<(&str, &str)>,
    ) -> Self {
        let mut builder = self
            .config
            .to_builder()
            .region(aws_config::Region::new(region.to_owned()));
        if let Some(url) = endpoint_url {
            builder = builder.endpoint_url(url);
        }
        if let Some((role_arn, external_id)) = role {
            let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .external_id(external_id)
                .session_name("belfry")
                .configure(&self.config)
                .region(aws_config::Region::new(region.to_owned()))
                .build()
                .await;
            builder = builder.credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            );
        }
        let config = builder.build();
        Aws {
            ec2: ec2::Ec2::new(&config),
            config,
            identity: role.map(|(arn, _)| arn.to_owned()),
        }
    }

    /// The role whose credentials this configuration uses, when not the server's own.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    pub fn region(&self) -> Option<String> {
        self.config.region().map(|region| region.to_string())
    }

    /// The endpoint override (an emulator), when one is configured.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    pub fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.config)
    }

    pub fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.config)
    }

    pub fn eventbridge(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::new(&self.config)
    }

    pub fn lambda(&self) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::new(&self.config)
    }

    pub fn scheduler(&self) -> aws_sdk_scheduler::Client {
        aws_sdk_scheduler::Client::new(&self.config)
    }

    pub fn elbv2(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        aws_sdk_elasticloadbalancingv2::Client::new(&self.config)
    }

    /// The few EC2 calls Belfry makes (see `ec2` for why not the SDK crate).
    pub fn ec2(&self) -> ec2::Ec2 {
        self.ec2.clone()
    }

    /// Whether AWS (or the emulator) answers a cheap, read-only call with these credentials.
    /// The error text is the SDK's, which names the cause without any secret.
    pub async fn check_reachable(&self) -> Result<(), String> {
        let call = self.sns().list_topics().send();
        match tokio::time::timeout(Duration::from_secs(5), call).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(aws_sdk_sns::error::DisplayErrorContext(&error).to_string()),
            Err(_) => Err("no answer within 5 seconds".to_owned()),
        }
    }
}

fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(20))
        .build()
}
