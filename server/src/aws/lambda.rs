//! Lambda: the functions a rule can target, and the resource-policy statement that lets
//! EventBridge invoke one. Belfry never creates or changes a function.
use super::AwsError;
use aws_sdk_lambda::Client;

/// The principal EventBridge invokes functions as.
const EVENTS: &str = "events.amazonaws.com";

/// Every function in the account and region: (name, ARN).
pub async fn list_functions(client: &Client) -> Result<Vec<(String, String)>, AwsError> {
    let mut found = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let output = client
            .list_functions()
            .set_marker(marker.clone())
            .send()
            .await
            .map_err(AwsError::from_sdk)?;
        found.extend(
            output.functions().iter().filter_map(|f| {
                Some((f.function_name()?.to_owned(), f.function_arn()?.to_owned()))
            }),
        );
        match output.next_marker() {
            Some(next) if !next.is_empty() && Some(next) != marker.as_deref() => {
                marker = Some(next.to_owned());
            }
            _ => return Ok(found),
        }
    }
}

/// The statement id Belfry uses on a function for one rule. Statement ids take letters,
/// digits, hyphens and underscores only (rule names also take dots), so the name is spelled
/// with `_` for `.` and followed by a hash of the real name, which keeps "a.b" and "a_b" apart.
pub fn statement_id(rule: &str) -> String {
    // FNV-1a: stable across builds and machines, unlike the standard library's hasher.
    let hash = rule.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    let spelled: String = rule
        .chars()
        .map(|c| if c == '.' { '_' } else { c })
        .collect();
    format!("belfry-events-{spelled}-{hash:08x}")
}

/// Whether the function's resource policy has the statement, read from GetPolicy. A function
/// without any policy has none.
pub async fn has_statement(client: &Client, function: &str, sid: &str) -> Result<bool, AwsError> {
    match client.get_policy().function_name(function).send().await {
        Ok(output) => {
            let policy: serde_json::Value =
                serde_json::from_str(output.policy().unwrap_or("{}")).unwrap_or_default();
            Ok(policy
                .get("Statement")
                .and_then(|s| s.as_array())
                .is_some_and(|statements| {
                    statements
                        .iter()
                        .any(|s| s.get("Sid").and_then(|v| v.as_str()) == Some(sid))
                }))
        }
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if error.code.as_deref() == Some("ResourceNotFoundException") {
                Ok(false)
            } else {
                Err(error)
            }
        }
    }
}

/// Lets EventBridge invoke the function for this rule only (the rule's ARN as the source).
/// Called only when GetPolicy has just said the statement is missing, so an error (even
/// ResourceConflictException, which also means "the function is being updated") is returned
/// and the job retries.
pub async fn allow_rule(
    client: &Client,
    function: &str,
    sid: &str,
    rule_arn: &str,
) -> Result<(), AwsError> {
    client
        .add_permission()
        .function_name(function)
        .statement_id(sid)
        .action("lambda:InvokeFunction")
        .principal(EVENTS)
        .source_arn(rule_arn)
        .send()
        .await
        .map_err(AwsError::from_sdk)?;
    Ok(())
}

/// Removes the statement; a function or statement already gone is success.
pub async fn revoke(client: &Client, function: &str, sid: &str) -> Result<(), AwsError> {
    match client
        .remove_permission()
        .function_name(function)
        .statement_id(sid)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error) => {
            let error = AwsError::from_sdk(error);
            if error.code.as_deref() == Some("ResourceNotFoundException") {
                Ok(())
            } else {
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::statement_id;

    #[test]
    fn statement_ids_take_any_rule_name_and_keep_them_apart() {
        let dotted = statement_id("billing.daily");
        let underscored = statement_id("billing_daily");
        assert!(
            dotted.starts_with("belfry-events-billing_daily-"),
            "{dotted}"
        );
        assert_ne!(dotted, underscored);
        let longest = statement_id(&"r".repeat(64));
        assert!(longest.len() <= 100, "{}", longest.len());
        assert!(
            longest
                .chars()
                .chain(dotted.chars())
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
