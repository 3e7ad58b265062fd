//! SNS topics and their subscriptions as a team declares them.
use super::aws::is_arn_of;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TopicError {
    #[error("A topic name has 1 to 256 letters, digits, hyphens or underscores.")]
    Name,
    #[error("The display name may have at most 100 characters.")]
    DisplayName,
    #[error("Enter an email address such as ops@example.com.")]
    Email,
    #[error("The endpoint must be an https:// URL with a host name.")]
    HttpsScheme,
    #[error(
        "The endpoint's host must be a public name, not an IP address, localhost or an internal name."
    )]
    HttpsHost,
    #[error(
        "An SQS endpoint is a queue ARN such as arn:aws:sqs:ap-northeast-2:123456789012:alerts."
    )]
    SqsArn,
    #[error(
        "A Lambda endpoint is a function ARN such as arn:aws:lambda:ap-northeast-2:123456789012:function:notify."
    )]
    LambdaArn,
}

/// An SNS topic (standard; FIFO topics cannot deliver to email, so alarms do not use them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSpec {
    pub name: String,
    #[serde(default)]
    pub display_name: String,
}

impl TopicSpec {
    pub fn validate(self) -> Result<Self, TopicError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 256
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(TopicError::Name);
        }
        if self.display_name.chars().count() > 100
            || self.display_name.chars().any(char::is_control)
        {
            return Err(TopicError::DisplayName);
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Email,
    Https,
    Sqs,
    Lambda,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::Email,
        Protocol::Https,
        Protocol::Sqs,
        Protocol::Lambda,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Email => "email",
            Protocol::Https => "https",
            Protocol::Sqs => "sqs",
            Protocol::Lambda => "lambda",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == input)
    }

    /// Whether the endpoint's owner must confirm before SNS delivers (email and https).
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Protocol::Email | Protocol::Https)
    }
}

/// A subscription of an endpoint to one of the team's topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionSpec {
    pub topic: Uuid,
    pub protocol: Protocol,
    pub endpoint: String,
}

impl SubscriptionSpec {
    pub fn validate(mut self) -> Result<Self, TopicError> {
        self.endpoint = self.endpoint.trim().to_owned();
        match self.protocol {
            Protocol::Email => {
                crate::domain::Email::parse(&self.endpoint).map_err(|_| TopicError::Email)?;
            }
            Protocol::Https => check_https_endpoint(&self.endpoint)?,
            Protocol::Sqs if !is_arn_of(&self.endpoint, "sqs", "") => {
                return Err(TopicError::SqsArn);
            }
            Protocol::Lambda if !is_arn_of(&self.endpoint, "lambda", "function:") => {
                return Err(TopicError::LambdaArn);
            }
            Protocol::Sqs | Protocol::Lambda => {}
        }
        Ok(self)
    }
}

/// An https endpoint SNS will POST to. Belfry refuses addresses that would make it (or SNS,
/// when the endpoint is later moved) reach inside a network: IP literals of any kind, and
/// names that only resolve internally. Name resolution is not checked here (no IO).
pub fn check_https_endpoint(url: &str) -> Result<(), TopicError> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(TopicError::HttpsScheme);
    }
    let rest = url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
        .ok_or(TopicError::HttpsScheme)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(TopicError::HttpsScheme);
    }
    // user:password@ is allowed by SNS (basic auth), and is not the host.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if host_port.starts_with('[') {
        return Err(TopicError::HttpsHost); // an IPv6 literal
    }
    let host = host_port
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let valid_name = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    // A dotted all-digit (or hex) host is an IPv4 literal in some spelling: 10.0.0.1,
    // 0x7f.1, 2130706433 (one label, already refused).
    let looks_numeric = labels.iter().all(|label| {
        label.chars().all(|c| c.is_ascii_digit())
            || (label.starts_with("0x") && label[2..].chars().all(|c| c.is_ascii_hexdigit()))
    });
    let top = labels.last().copied().unwrap_or_default();
    let internal_top = matches!(
        top,
        "localhost" | "local" | "internal" | "intranet" | "lan" | "home" | "corp" | "localdomain"
    ) || top.chars().all(|c| c.is_ascii_digit());
    let metadata = host == "metadata.google.internal" || host.ends_with(".compute.internal");
    if !valid_name || looks_numeric || internal_top || metadata {
        return Err(TopicError::HttpsHost);
    }
    Ok(())
}

/// How long SNS keeps a confirmation token: a pending subscription older than this cannot be
/// confirmed any more, only requested again.
pub const CONFIRMATION_TTL_HOURS: i64 = 48;

/// A subscription's life as a person sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubscriptionState {
    /// Waiting for the endpoint's owner to confirm; the token may still be used.
    PendingConfirmation,
    /// Pending past the token's lifetime: resend the confirmation.
    ConfirmationExpired,
    Confirmed,
}

/// The state of a subscription from what SNS reports (`PendingConfirmation` as the ARN) and
/// when its confirmation was last requested.
pub fn subscription_state(
    pending: bool,
    requested_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> SubscriptionState {
    if !pending {
        SubscriptionState::Confirmed
    } else if now - requested_at > chrono::Duration::hours(CONFIRMATION_TTL_HOURS) {
        SubscriptionState::ConfirmationExpired
    } else {
        SubscriptionState::PendingConfirmation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names() {
        let topic = |name: &str| {
            TopicSpec {
                name: name.to_owned(),
                display_name: String::new(),
            }
            .validate()
        };
        assert!(topic("ops-alerts_1").is_ok());
        for bad in ["", "ops alerts", "ops.fifo", &"a".repeat(257), "경보"] {
            assert_eq!(topic(bad), Err(TopicError::Name), "{bad}");
        }
    }

    #[test]
    fn https_endpoints_must_be_public_names() {
        for good in [
            "https://hooks.example.com/belfry",
            "https://user:secret@hooks.example.com:8443/x?y=1",
            "HTTPS://Hooks.Example.com",
        ] {
            assert_eq!(check_https_endpoint(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("http://hooks.example.com", TopicError::HttpsScheme),
            ("https://", TopicError::HttpsScheme),
            ("https://10.0.0.1/hook", TopicError::HttpsHost),
            (
                "https://169.254.169.254/latest/meta-data",
                TopicError::HttpsHost,
            ),
            ("https://127.0.0.1:8443", TopicError::HttpsHost),
            ("https://[::1]/", TopicError::HttpsHost),
            ("https://[fd00::1]:443/", TopicError::HttpsHost),
            ("https://localhost/hook", TopicError::HttpsHost),
            ("https://api.localhost/hook", TopicError::HttpsHost),
            ("https://intranet/hook", TopicError::HttpsHost),
            ("https://ip-10-0-0-1.ec2.internal/", TopicError::HttpsHost),
            ("https://metadata.google.internal/", TopicError::HttpsHost),
            ("https://2130706433/", TopicError::HttpsHost),
            ("https://0x7f.0x1/", TopicError::HttpsHost),
            ("https://user@127.0.0.1/", TopicError::HttpsHost),
            ("https://evil.example.com@10.0.0.1/", TopicError::HttpsHost),
            ("https://hooks.example.com /x", TopicError::HttpsScheme),
        ] {
            assert_eq!(check_https_endpoint(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn endpoints_by_protocol() {
        let sub = |protocol, endpoint: &str| {
            SubscriptionSpec {
                topic: Uuid::nil(),
                protocol,
                endpoint: endpoint.to_owned(),
            }
            .validate()
        };
        assert_eq!(
            sub(Protocol::Email, " ops@example.com ").unwrap().endpoint,
            "ops@example.com"
        );
        assert_eq!(sub(Protocol::Email, "ops"), Err(TopicError::Email));
        assert!(
            sub(
                Protocol::Sqs,
                "arn:aws:sqs:ap-northeast-2:123456789012:alerts"
            )
            .is_ok()
        );
        assert_eq!(
            sub(
                Protocol::Sqs,
                "arn:aws:sns:ap-northeast-2:123456789012:alerts"
            ),
            Err(TopicError::SqsArn)
        );
        assert!(
            sub(
                Protocol::Lambda,
                "arn:aws:lambda:ap-northeast-2:123456789012:function:notify"
            )
            .is_ok()
        );
        assert_eq!(
            sub(
                Protocol::Lambda,
                "arn:aws:lambda:ap-northeast-2:123456789012:notify"
            ),
            Err(TopicError::LambdaArn)
        );
    }

    #[test]
    fn a_pending_confirmation_expires_after_two_days() {
        let at = |h: i64| chrono::DateTime::from_timestamp(h * 3600, 0).unwrap();
        assert_eq!(
            subscription_state(false, at(0), at(100)),
            SubscriptionState::Confirmed
        );
        assert_eq!(
            subscription_state(true, at(0), at(47)),
            SubscriptionState::PendingConfirmation
        );
        assert_eq!(
            subscription_state(true, at(0), at(49)),
            SubscriptionState::ConfirmationExpired
        );
        assert!(Protocol::Email.needs_confirmation() && !Protocol::Sqs.needs_confirmation());
    }
}
