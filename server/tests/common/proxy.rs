//! A proxy in front of moto for what moto cannot show by itself. It forwards every call and
//! counts them by API action; on request it also
//! - answers `Throttling` to every n-th call (AWS's rate limit, which moto never applies), and
//! - acts as a **fake SNS confirmation flow** (`FakePendingSns`): moto confirms every
//!   subscription at once, real SNS leaves email and https subscriptions "pending
//!   confirmation" until the endpoint's owner clicks the link. With `fake_pending` on, the
//!   proxy reports such subscriptions as pending until the test calls `confirm(endpoint)`.
//!   Everything else about them is moto's.
//! - acts as **fake target draining** (`FakeDraining`): moto forgets a deregistered target at
//!   once, AWS keeps it "draining" for the group's deregistration delay. With
//!   `fake_draining` on, the proxy reports the targets of each DeregisterTargets call as
//!   draining in that group until the test calls `drained()`.
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    calls: Mutex<HashMap<String, usize>>,
    /// Every forwarded action, in order.
    log: Mutex<Vec<String>>,
    /// Alarms with a PutMetricAlarm on its way to moto, and how often a second one for the
    /// same alarm arrived meanwhile (two applies of one resource at once).
    putting: Mutex<HashMap<String, usize>>,
    overlaps: AtomicUsize,
    /// 0: never; n: every n-th call is answered with a throttling error.
    pub throttle_every: AtomicUsize,
    counter: AtomicUsize,
    throttled: AtomicUsize,
    pub fake_pending: AtomicBool,
    /// Answers PutTargets with every target in `FailedEntries` (a partial failure is not an
    /// error in EventBridge's API), without forwarding the call.
    pub fail_put_targets: AtomicBool,
    confirmed: Mutex<HashSet<String>>,
    pub fake_draining: AtomicBool,
    /// Target group ARN → targets deregistered and still draining (FakeDraining).
    draining: Mutex<HashMap<String, Vec<String>>>,
    subscribe_calls: Mutex<Vec<String>>,
}

pub struct Proxy {
    pub url: String,
    pub state: Arc<ProxyState>,
}

impl Proxy {
    pub async fn start(upstream: &str) -> Proxy {
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
            calls: Mutex::default(),
            log: Mutex::default(),
            putting: Mutex::default(),
            overlaps: AtomicUsize::new(0),
            throttle_every: AtomicUsize::new(0),
            counter: AtomicUsize::new(0),
            throttled: AtomicUsize::new(0),
            fake_pending: AtomicBool::new(false),
            fail_put_targets: AtomicBool::new(false),
            confirmed: Mutex::default(),
            fake_draining: AtomicBool::new(false),
            draining: Mutex::default(),
            subscribe_calls: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Proxy { url, state }
    }

    /// Calls of one API action that reached moto (throttled ones not counted).
    pub fn calls(&self, action: &str) -> usize {
        self.state
            .calls
            .lock()
            .unwrap()
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    pub fn all_calls(&self) -> HashMap<String, usize> {
        self.state.calls.lock().unwrap().clone()
    }

    /// How often a PutMetricAlarm for an alarm arrived while another for it was in flight.
    pub fn overlaps(&self) -> usize {
        self.state.overlaps.load(Ordering::Relaxed)
    }

    /// The actions that reached moto, in the order they did.
    pub fn sequence(&self) -> Vec<String> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn reset_counts(&self) {
        self.state.calls.lock().unwrap().clear();
        self.state.log.lock().unwrap().clear();
        self.state.subscribe_calls.lock().unwrap().clear();
    }

    pub fn throttled(&self) -> usize {
        self.state.throttled.load(Ordering::Relaxed)
    }

    /// The endpoint's owner clicks the confirmation link (FakePendingSns).
    pub fn confirm(&self, endpoint: &str) {
        self.state
            .confirmed
            .lock()
            .unwrap()
            .insert(endpoint.to_owned());
    }

    /// The deregistration delay has passed: no target drains any more (FakeDraining).
    pub fn drained(&self) {
        self.state.draining.lock().unwrap().clear();
    }

    /// Endpoints that a Subscribe call named, in order (each sends a confirmation message).
    pub fn subscribe_calls(&self) -> Vec<String> {
        self.state.subscribe_calls.lock().unwrap().clone()
    }
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            let v = v.replace('+', " ");
            percent_decode(&v)
        })
    })
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lambda speaks REST: the action is in the method and the path.
fn lambda_action(method: &Method, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/2015-03-31/functions")?;
    let action = match (
        method.as_str(),
        rest.split('/').filter(|p| !p.is_empty()).count(),
    ) {
        ("GET", 0) => "ListFunctions",
        ("GET", 2) if rest.ends_with("/policy") => "GetPolicy",
        ("POST", 2) if rest.ends_with("/policy") => "AddPermission",
        ("DELETE", 3) if rest.contains("/policy/") => "RemovePermission",
        _ => return None,
    };
    Some(action.to_owned())
}

/// EventBridge Scheduler speaks REST too: `/schedules[/name]`.
fn scheduler_action(method: &Method, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/schedules")?;
    let action = match (method.as_str(), rest.trim_matches('/').is_empty()) {
        ("GET", true) => "ListSchedules",
        ("GET", false) => "GetSchedule",
        ("POST", false) => "CreateSchedule",
        ("PUT", false) => "UpdateSchedule",
        ("DELETE", false) => "DeleteSchedule",
        _ => return None,
    };
    Some(action.to_owned())
}

fn throttling() -> Response {
    let body = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
                <Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>";
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "text/xml")],
        body,
    )
        .into_response()
}

/// One PutMetricAlarm in flight for an alarm; a second one for the same alarm while it is
/// counts as an overlap.
struct Putting {
    state: Arc<ProxyState>,
    name: String,
}

impl Putting {
    fn start(state: Arc<ProxyState>, name: String) -> Self {
        let mut putting = state.putting.lock().unwrap();
        let count = putting.entry(name.clone()).or_default();
        if *count > 0 {
            state.overlaps.fetch_add(1, Ordering::Relaxed);
        }
        *count += 1;
        drop(putting);
        Putting { state, name }
    }
}

impl Drop for Putting {
    fn drop(&mut self) {
        let mut putting = self.state.putting.lock().unwrap();
        if let Some(count) = putting.get_mut(&self.name) {
            *count = count.saturating_sub(1);
        }
    }
}

/// DescribeTargetHealth's answer with every one of `ids` draining, as AWS gives it.
fn draining_targets(ids: &[String]) -> Response {
    let members: String = ids
        .iter()
        .map(|id| {
            format!(
                "<member><Target><Id>{id}</Id><Port>80</Port></Target><TargetHealth>\
                 <State>draining</State><Reason>Target.DeregistrationInProgress</Reason>\
                 <Description>Target deregistration is in progress</Description>\
                 </TargetHealth></member>"
            )
        })
        .collect();
    let body = format!(
        "<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
         <DescribeTargetHealthResult><TargetHealthDescriptions>{members}</TargetHealthDescriptions>\
         </DescribeTargetHealthResult><ResponseMetadata><RequestId>proxy</RequestId>\
         </ResponseMetadata></DescribeTargetHealthResponse>"
    );
    (StatusCode::OK, [("content-type", "text/xml")], body).into_response()
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let action = form_value(&text, "Action")
        .or_else(|| {
            headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .map(|t| t.rsplit('.').next().unwrap_or(t).to_owned())
        })
        .or_else(|| lambda_action(&method, uri.path()))
        .or_else(|| scheduler_action(&method, uri.path()))
        .unwrap_or_else(|| "other".to_owned());

    let every = state.throttle_every.load(Ordering::Relaxed);
    if every > 0 && state.counter.fetch_add(1, Ordering::Relaxed) % every == 0 {
        state.throttled.fetch_add(1, Ordering::Relaxed);
        return throttling();
    }
    if action == "PutTargets" && state.fail_put_targets.load(Ordering::Relaxed) {
        let entries: Vec<String> = text
            .split("\"Id\":")
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
            .map(|id| {
                format!(
                    r#"{{"TargetId":"{id}","ErrorCode":"ConcurrentModificationException","ErrorMessage":"injected by the test proxy"}}"#
                )
            })
            .collect();
        let body = format!(
            r#"{{"FailedEntryCount":{},"FailedEntries":[{}]}}"#,
            entries.len(),
            entries.join(",")
        );
        return (
            StatusCode::OK,
            [("content-type", "application/x-amz-json-1.1")],
            body,
        )
            .into_response();
    }
    *state
        .calls
        .lock()
        .unwrap()
        .entry(action.clone())
        .or_default() += 1;
    state.log.lock().unwrap().push(action.clone());
    if state.fake_draining.load(Ordering::Relaxed) {
        let group = form_value(&text, "TargetGroupArn").unwrap_or_default();
        if action == "DeregisterTargets" {
            let ids: Vec<String> = (1..)
                .map_while(|n| form_value(&text, &format!("Targets.member.{n}.Id")))
                .collect();
            state
                .draining
                .lock()
                .unwrap()
                .entry(group.clone())
                .or_default()
                .extend(ids);
        } else if action == "DescribeTargetHealth"
            && let Some(ids) = state.draining.lock().unwrap().get(&group)
        {
            return draining_targets(ids);
        }
    }
    if action == "Subscribe" {
        let endpoint = form_value(&text, "Endpoint").unwrap_or_default();
        state.subscribe_calls.lock().unwrap().push(endpoint);
    }

    let url = format!(
        "{}{}",
        state.upstream,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let mut request = state.client.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    // Dropped when this call is done, also when the caller went away mid-call (a replica
    // killed with a PutMetricAlarm in flight).
    let _putting = (action == "PutMetricAlarm")
        .then(|| form_value(&text, "AlarmName"))
        .flatten()
        .map(|name| Putting::start(state.clone(), name));
    let sent = request.send().await;
    let upstream = match sent {
        Ok(response) => response,
        Err(error) => {
            return (StatusCode::BAD_GATEWAY, error.to_string()).into_response();
        }
    };
    let status = upstream.status();
    let content_type = upstream
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/xml")
        .to_owned();
    let mut answer = upstream.text().await.unwrap_or_default();
    if state.fake_pending.load(Ordering::Relaxed) && status.is_success() {
        let protocol = form_value(&text, "Protocol").unwrap_or_default();
        let endpoint = form_value(&text, "Endpoint").unwrap_or_default();
        let confirmed = state.confirmed.lock().unwrap().clone();
        if action == "Subscribe"
            && matches!(protocol.as_str(), "email" | "https")
            && !confirmed.contains(&endpoint)
        {
            answer = replace_arn(&answer, "pending confirmation");
        } else if action == "ListSubscriptionsByTopic" || action == "ListSubscriptions" {
            answer = answer
                .split_inclusive("</member>")
                .map(|member| {
                    let protocol = between(member, "<Protocol>", "</Protocol>");
                    let endpoint = between(member, "<Endpoint>", "</Endpoint>");
                    if matches!(protocol.as_deref(), Some("email" | "https"))
                        && !endpoint.is_some_and(|e| confirmed.contains(&e))
                    {
                        replace_arn(member, "PendingConfirmation")
                    } else {
                        member.to_owned()
                    }
                })
                .collect();
        }
    }
    Response::builder()
        .status(status.as_u16())
        .header("content-type", content_type)
        .body(Body::from(answer))
        .unwrap()
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].to_owned())
}

fn replace_arn(text: &str, with: &str) -> String {
    match (
        text.find("<SubscriptionArn>"),
        text.find("</SubscriptionArn>"),
    ) {
        (Some(start), Some(end)) if start < end => {
            format!("{}<SubscriptionArn>{with}{}", &text[..start], &text[end..])
        }
        _ => text.to_owned(),
    }
}
