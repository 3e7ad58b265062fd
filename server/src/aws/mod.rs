//! The only place that touches `aws-sdk-*` types. Credentials come from the SDK's standard
//! chain (environment, profiles, instance roles); `AWS_ENDPOINT_URL` points every client at an
//! emulator. Nothing here stores or logs a secret.
use aws_config::{BehaviorVersion, SdkConfig};
use std::time::Duration;

#[derive(Clone)]
pub struct Aws {
    config: SdkConfig,
}

impl Aws {
    /// Loads the standard configuration: region and credentials chain, endpoint override.
    pub async fn from_environment() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts())
            .load()
            .await;
        Aws { config }
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
        Aws { config }
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

    pub fn elbv2(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        aws_sdk_elasticloadbalancingv2::Client::new(&self.config)
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
