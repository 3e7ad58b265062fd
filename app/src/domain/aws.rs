//! A team's AWS connection: which region, and which role Belfry assumes there. Never a
//! secret: credentials come from the server's standard AWS chain.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ConnectionError {
    #[error("A region looks like ap-northeast-2 or us-east-1.")]
    Region,
    #[error("A role ARN looks like arn:aws:iam::123456789012:role/belfry (12-digit account id).")]
    RoleArn,
    #[error("The endpoint must be an http:// or https:// URL with a host, for an emulator only.")]
    Endpoint,
}

/// `ap-northeast-2`, `us-gov-west-1`, `cn-north-1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region(String);

impl Region {
    pub fn parse(input: &str) -> Result<Self, ConnectionError> {
        let region = input.trim();
        let parts: Vec<&str> = region.split('-').collect();
        let valid = parts.len() >= 3
            && parts.iter().all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
            && parts[..parts.len() - 1]
                .iter()
                .all(|part| part.chars().all(|c| c.is_ascii_lowercase()))
            && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit());
        if valid {
            Ok(Region(region.to_owned()))
        } else {
            Err(ConnectionError::Region)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IAM role ARN: `arn:aws:iam::123456789012:role/path/name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleArn(String);

impl RoleArn {
    pub fn parse(input: &str) -> Result<Self, ConnectionError> {
        let arn = input.trim();
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ConnectionError::RoleArn);
        };
        let name = resource.strip_prefix("role/").unwrap_or_default();
        let valid = matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
            && !name.is_empty()
            && name.len() <= 512
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
        if valid {
            Ok(RoleArn(arn.to_owned()))
        } else {
            Err(ConnectionError::RoleArn)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `arn` names a resource of `service` (`arn:aws…:service:region:account:resource`)
/// whose resource part starts with `resource_prefix` (`function:` for Lambda).
pub fn is_arn_of(arn: &str, service: &str, resource_prefix: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, svc, region, account, resource] = parts[..] else {
        return false;
    };
    arn_word == "arn"
        && partition.starts_with("aws")
        && svc == service
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource.len() > resource_prefix.len()
        && resource.starts_with(resource_prefix)
        && !resource
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
}

/// An endpoint override for an emulator: http(s), a host, nothing else checked.
pub fn parse_endpoint(input: &str) -> Result<String, ConnectionError> {
    let url = input.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(ConnectionError::Endpoint)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || host.contains('@')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ConnectionError::Endpoint);
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for good in [
            "ap-northeast-2",
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
        ] {
            assert!(Region::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Seoul",
            "ap-northeast",
            "ap_northeast_2",
            "AP-NORTHEAST-2",
            "ap-northeast-x",
            "-1",
        ] {
            assert_eq!(Region::parse(bad), Err(ConnectionError::Region), "{bad}");
        }
    }

    #[test]
    fn role_arns() {
        for good in [
            "arn:aws:iam::123456789012:role/belfry",
            "arn:aws:iam::123456789012:role/service/belfry-prod",
            "arn:aws-cn:iam::123456789012:role/b",
        ] {
            assert!(RoleArn::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/short-account",
            "arn:aws:iam::123456789012:user/not-a-role",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/has space",
            "arn:other:iam::123456789012:role/x",
        ] {
            assert_eq!(RoleArn::parse(bad), Err(ConnectionError::RoleArn), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            parse_endpoint("http://127.0.0.1:5000/").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert!(parse_endpoint("https://emulator.internal").is_ok());
        for bad in [
            "",
            "127.0.0.1:5000",
            "ftp://x",
            "http://",
            "http://user:pw@host",
            "http://a b",
        ] {
            assert_eq!(parse_endpoint(bad), Err(ConnectionError::Endpoint), "{bad}");
        }
    }
}
