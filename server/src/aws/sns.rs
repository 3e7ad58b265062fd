//! SNS topics and subscriptions.
use super::{AwsError, Tags};
use app::domain::topic::Protocol;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::Tag;

/// SNS's placeholder ARN for a subscription whose endpoint has not confirmed yet.
pub const PENDING: &str = "PendingConfirmation";

/// A topic as SNS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedTopic {
    pub arn: String,
    pub display_name: String,
}

/// A subscription as SNS reports it; `arn` is None while confirmation is pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedSubscription {
    pub arn: Option<String>,
    pub protocol: String,
    pub endpoint: String,
}

fn sns_tags(tags: &Tags) -> Result<Vec<Tag>, AwsError> {
    tags.pairs()
        .into_iter()
        .map(|(key, value)| {
            Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| AwsError {
                    code: None,
                    message: e.to_string(),
                })
        })
        .collect()
}

/// Creates the topic, or returns the existing one's ARN: CreateTopic is idempotent by name
/// when the attributes and tags match.
pub async fn create_topic(
    client: &Client,
    name: &str,
    display_name: &str,
    tags: &Tags,
) -> Result<String, AwsError> {
    let output = client
        .create_topic()
        .name(name)
        .attributes("DisplayName", display_name)
        .set_tags(Some(sns_tags(tags)?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    output
        .topic_arn()
        .map(str::to_owned)
        .ok_or_else(|| AwsError {
            code: None,
            message: "CreateTopic answered without a topic ARN".to_owned(),
        })
}

/// The topic, or None when it no longer exists.
pub async fn topic(client: &Client, arn: &str) -> Result<Option<ObservedTopic>, AwsError> {
    match client.get_topic_attributes().topic_arn(arn).send().await {
        Ok(output) => Ok(Some(ObservedTopic {
            arn: arn.to_owned(),
            display_name: output
                .attributes()
                .and_then(|a| a.get("DisplayName"))
                .cloned()
                .unwrap_or_default(),
        })),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if error.code.as_deref() == Some("NotFound") {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

pub async fn set_display_name(
    client: &Client,
    arn: &str,
    display_name: &str,
) -> Result<(), AwsError> {
    client
        .set_topic_attributes()
        .topic_arn(arn)
        .attribute_name("DisplayName")
        .attribute_value(display_name)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

pub async fn delete_topic(client: &Client, arn: &str) -> Result<(), AwsError> {
    client
        .delete_topic()
        .topic_arn(arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Subscribes the endpoint. The answer is the subscription's ARN, or None while the endpoint
/// must confirm (email, https). Not `ReturnSubscriptionArn`: with it AWS answers an ARN even
/// for a pending subscription, and the pending state would be lost. Subscribing the same endpoint again is idempotent: SNS
/// answers with the same subscription (and, if it is pending, sends the confirmation again).
pub async fn subscribe(
    client: &Client,
    topic_arn: &str,
    protocol: Protocol,
    endpoint: &str,
) -> Result<Option<String>, AwsError> {
    let output = client
        .subscribe()
        .topic_arn(topic_arn)
        .protocol(protocol.as_str())
        .endpoint(endpoint)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(real_arn(output.subscription_arn()))
}

fn real_arn(arn: Option<&str>) -> Option<String> {
    arn.filter(|arn| arn.starts_with("arn:") && !arn.eq_ignore_ascii_case(PENDING))
        .map(str::to_owned)
}

/// Every subscription of the topic (following `NextToken`, guarded against an emulator that
/// repeats it).
pub async fn subscriptions(
    client: &Client,
    topic_arn: &str,
) -> Result<Vec<ObservedSubscription>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(output.subscriptions().iter().map(|s| ObservedSubscription {
            arn: real_arn(s.subscription_arn()),
            protocol: s.protocol().unwrap_or_default().to_owned(),
            endpoint: s.endpoint().unwrap_or_default().to_owned(),
        }));
        match output.next_token() {
            Some(next) if Some(next) != token.as_deref() && !next.is_empty() => {
                token = Some(next.to_owned());
            }
            _ => break,
        }
    }
    Ok(found)
}

/// Ends a confirmed subscription. A pending one has no ARN and cannot be unsubscribed: it
/// lapses when its token expires, or goes with its topic.
pub async fn unsubscribe(client: &Client, subscription_arn: &str) -> Result<(), AwsError> {
    client
        .unsubscribe()
        .subscription_arn(subscription_arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Every topic's ARN in the account and region (following `NextToken`, guarded).
pub async fn list_topics(client: &Client) -> Result<Vec<String>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_topics()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(
            output
                .topics()
                .iter()
                .filter_map(|t| t.topic_arn().map(str::to_owned)),
        );
        match output.next_token() {
            Some(next) if Some(next) != token.as_deref() && !next.is_empty() => {
                token = Some(next.to_owned());
            }
            _ => break,
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Tags an existing topic as Belfry's (when adopting it).
pub async fn tag_topic(client: &Client, arn: &str, tags: &Tags) -> Result<(), AwsError> {
    client
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(sns_tags(tags)?))
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}
