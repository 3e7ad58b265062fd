//! The JSON API under /api/v1, over HTTP as a script would use it: signing in, declaring and
//! editing an alarm, its errors, the plan and its apply into moto, and the OpenAPI document
//! agreeing with the routes the server answers.
mod common;

use common::{TestApp, aws_at, moto_url, spawn_app};
use serde_json::{Value, json};
use server::reconciler::Reconciler;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

struct Client {
    app: TestApp,
    cookie: Option<String>,
}

impl Client {
    /// A Belfry of its own, with its first admin (Ada) signed in.
    async fn admin() -> Self {
        let app = spawn_app().await;
        let cookie = app.first_admin("ada@example.com", PASSWORD).await;
        Client {
            app,
            cookie: Some(cookie),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self.app.client.request(method, self.app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"))
        };
        (status, headers, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.send(reqwest::Method::GET, path, None).await;
        (status, body)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (status, _, body) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (status, body)
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let (status, _, body) = self.send(reqwest::Method::PUT, path, Some(body)).await;
        (status, body)
    }
}

fn lab_alarm(name: &str, threshold: &str) -> Value {
    json!({
        "name": name,
        "namespace": "AWS/EBS",
        "metric_name": "VolumeWriteBytes",
        "dimensions": "VolumeId=vol-0123456789abcdef0",
        "statistic": "Sum",
        "period_seconds": "300",
        "evaluation_periods": "1",
        "threshold": threshold,
        "comparison": "GreaterThanThreshold",
    })
}

/// Signs in through the API; the session cookie it sets.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> (u16, Value, Option<String>) {
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = common::session_cookie(&response);
    (status, response.json().await.unwrap(), cookie)
}

#[tokio::test]
async fn a_script_declares_edits_and_applies_an_alarm_through_the_json_api() {
    let app = spawn_app().await;
    app.first_admin("ada@example.com", PASSWORD).await;

    // Signed out: every resource call is 401, in the API's error shape.
    let anonymous = Client {
        app: app.clone(),
        cookie: None,
    };
    let (status, body) = anonymous.get("/api/v1/alarms").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");

    // A wrong password is 401 and sets no session.
    let (status, body, cookie) = sign_in(&app, "ada@example.com", "wrong password").await;
    assert_eq!((status, cookie.is_none()), (401, true));
    assert_eq!(body["error"]["code"], "wrong_credentials");
    let (status, me, cookie) = sign_in(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["role"], "admin");
    let api = Client {
        app,
        cookie: Some(cookie.expect("signing in sets the session cookie")),
    };
    let (status, me) = api.get("/api/v1/session").await;
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("ada@example.com"))
    );

    // A bad alarm: every field's problem at once, and nothing saved.
    let mut bad = lab_alarm("ebs-writes", "lots");
    bad["period_seconds"] = json!("7");
    let (status, body) = api.post("/api/v1/alarms", bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid");
    let fields: Vec<&str> = body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"threshold"), "{body}");
    assert!(fields.contains(&"period_seconds"), "{body}");
    // Not even JSON: refused in the same shape.
    let (status, _, body) = api
        .send(reqwest::Method::POST, "/api/v1/alarms", Some(json!([1, 2])))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "malformed");
    let response = api
        .app
        .client
        .post(api.app.url("/api/v1/alarms"))
        .header("cookie", api.cookie.as_deref().unwrap())
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "malformed");
    let (_, page) = api.get("/api/v1/alarms").await;
    assert_eq!(page["total"], 0);

    // Declared: 201 with where it lives; pending, in the plan, not in AWS.
    let name = format!("api-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (status, headers, created) = api
        .send(
            reqwest::Method::POST,
            "/api/v1/alarms",
            Some(lab_alarm(&name, "100000")),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/api/v1/alarms/{id}").as_str());
    let (status, again) = api.post("/api/v1/alarms", lab_alarm(&name, "5")).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("conflict"))
    );

    let (status, detail) = api.get(&format!("/api/v1/alarms/{id}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["resource"]["status"], "pending");
    assert_eq!(detail["resource"]["planned"], true);
    assert_eq!(detail["form"]["threshold"], "100000");
    let version = detail["resource"]["version"].as_i64().unwrap();

    // An edit at the version read; a second edit from the same stale copy is refused.
    let (status, body) = api
        .put(
            &format!("/api/v1/alarms/{id}"),
            json!({ "version": version, "form": lab_alarm(&name, "200000") }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .put(
            &format!("/api/v1/alarms/{id}"),
            json!({ "version": version, "form": lab_alarm(&name, "300000") }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "conflict");

    // Another kind's path does not reach it; a path that is no id names nothing.
    let (status, _) = api.get(&format!("/api/v1/rules/{id}")).await;
    assert_eq!(status, 404);
    let (status, body) = api.get("/api/v1/alarms/not-a-uuid").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = api.get("/api/v1/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // The plan says what applying does; applying puts the edited threshold into AWS.
    let (status, plan) = api.get("/api/v1/plan").await;
    assert_eq!(status, 200);
    assert_eq!(plan["summary"]["create"], 1, "{plan}");
    assert_eq!(plan["steps"][0]["name"], name.as_str());
    assert_eq!(plan["steps"][0]["op"], "Create");
    let (status, applied) = api.post("/api/v1/apply", json!({})).await;
    assert_eq!((status, applied["released"].as_u64()), (202, Some(1)));
    let pool = sqlx::PgPool::connect(&api.app.database_url).await.unwrap();
    let moto = aws_at(&moto_url()).await;
    Reconciler::new(pool, moto.clone())
        .drain(Duration::from_secs(60))
        .await
        .unwrap();
    let (_, detail) = api.get(&format!("/api/v1/alarms/{id}")).await;
    assert_eq!(detail["resource"]["status"], "in_sync", "{detail}");
    let in_aws = moto
        .cloudwatch()
        .describe_alarms()
        .alarm_names(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(in_aws.metric_alarms()[0].threshold(), Some(200000.0));

    // Deleting joins the plan; the alarm leaves AWS at the next apply.
    let (status, _, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/alarms/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (_, plan) = api.get("/api/v1/plan").await;
    assert_eq!(plan["summary"]["delete"], 1, "{plan}");

    // Signing out ends the session on the server: the same cookie is worthless after.
    let (status, _, _) = api
        .send(reqwest::Method::DELETE, "/api/v1/session", None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api.get("/api/v1/plan").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn topics_and_subscriptions_through_the_api_and_a_cross_site_post_is_refused() {
    let api = Client::admin().await;
    let (status, topic) = api
        .post(
            "/api/v1/topics",
            json!({ "name": "ops", "display_name": "Ops" }),
        )
        .await;
    assert_eq!(status, 201, "{topic}");
    let topic = topic["id"].as_str().unwrap().to_owned();
    let (status, body) = api
        .post(
            "/api/v1/subscriptions",
            json!({ "topic": topic, "protocol": "https", "endpoint": "https://169.254.169.254/" }),
        )
        .await;
    assert_eq!(
        status, 422,
        "an address inside a network is refused: {body}"
    );
    assert_eq!(body["error"]["field"], "endpoint");
    let (status, sub) = api
        .post(
            "/api/v1/subscriptions",
            json!({ "topic": topic, "protocol": "email", "endpoint": "ops@example.com" }),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    let sub = sub["id"].as_str().unwrap();
    let (status, view) = api.get(&format!("/api/v1/subscriptions/{sub}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["kind"], "subscription");
    assert_eq!(view["name"], "ops:email:ops@example.com");
    // A topic's id is not a subscription's.
    let (status, _) = api.get(&format!("/api/v1/subscriptions/{topic}")).await;
    assert_eq!(status, 404);
    let (_, page) = api.get("/api/v1/topics").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], "ops");

    // From another site, even with the cookie, nothing changes.
    let response = api
        .app
        .client
        .post(api.app.url("/api/v1/topics"))
        .header("cookie", api.cookie.as_deref().unwrap())
        .header("origin", "https://evil.example")
        .json(&json!({ "name": "evil" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    let (_, page) = api.get("/api/v1/topics").await;
    assert_eq!(page["total"], 1);
}

#[tokio::test]
async fn a_topics_display_name_changes_through_the_api_and_reaches_sns() {
    let api = Client::admin().await;
    let pool = sqlx::PgPool::connect(&api.app.database_url).await.unwrap();
    let moto = aws_at(&moto_url()).await;
    let apply = || async {
        let (status, _) = api.post("/api/v1/apply", json!({})).await;
        assert_eq!(status, 202);
        Reconciler::new(pool.clone(), moto.clone())
            .drain(Duration::from_secs(60))
            .await
            .unwrap();
    };
    let name = format!("ops-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let (status, created) = api
        .post(
            "/api/v1/topics",
            json!({ "name": name, "display_name": "Ops" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/api/v1/topics/{}", created["id"].as_str().unwrap());
    apply().await;
    let (_, topic) = api.get(&path).await;
    assert_eq!(topic["status"], "in_sync", "{topic}");
    let arn = topic["aws_id"].as_str().unwrap().to_owned();
    let version = topic["version"].as_i64().unwrap();
    let display_name_in_sns = || async {
        moto.sns()
            .get_topic_attributes()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap()
            .attributes()
            .and_then(|a| a.get("DisplayName").cloned())
    };
    assert_eq!(display_name_in_sns().await.as_deref(), Some("Ops"));

    // Refused: too long, a control character; nothing changes.
    for bad in ["x".repeat(101), "Ops\nteam".to_owned()] {
        let (status, body) = api
            .put(&path, json!({ "version": version, "display_name": bad }))
            .await;
        assert_eq!(status, 422, "{bad:?}: {body}");
        assert_eq!(body["error"]["field"], "display_name");
    }
    // Changed at the version read: it joins the plan as an update of the topic.
    let (status, body) = api
        .put(
            &path,
            json!({ "version": version, "display_name": "  Operations " }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .put(
            &path,
            json!({ "version": version, "display_name": "Stale" }),
        )
        .await;
    assert_eq!(status, 409, "a second edit from the same read: {body}");
    let (_, topic) = api.get(&path).await;
    assert_eq!(topic["summary"], "Operations", "trimmed: {topic}");
    assert_eq!(topic["planned"], true);
    let (_, plan) = api.get("/api/v1/plan").await;
    assert_eq!(plan["summary"]["change"], 1, "{plan}");
    assert_eq!(
        plan["steps"][0]["op"]["Update"],
        json!([{ "field": "display name", "from": "Ops", "to": "Operations" }]),
        "{plan}"
    );
    assert_eq!(plan["steps"][0]["name"], name.as_str());

    // Applied: SNS has the new display name, on the same topic.
    apply().await;
    let (_, topic) = api.get(&path).await;
    assert_eq!(topic["status"], "in_sync", "{topic}");
    assert_eq!(topic["aws_id"], arn.as_str());
    assert_eq!(display_name_in_sns().await.as_deref(), Some("Operations"));
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_change_and_another_team_reaches_nothing() {
    let app = spawn_app().await;
    let admin = app.first_admin("ada@example.com", PASSWORD).await;
    let viewer = app.invite(&admin, "viewer", "carol@example.com").await;
    // Carol starts a team of her own (it becomes her current one) and makes Erin its admin;
    // then she goes back to Ada's team.
    let response = app
        .call("create_team", &[("name", "Other")], Some(&viewer))
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let stranger = app.invite(&viewer, "admin", "erin@example.com").await;
    let team_a = app.whoami(Some(&admin)).await["team_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .call("switch_team", &[("team_id", &team_a)], Some(&viewer))
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());

    let admin = Client {
        app: app.clone(),
        cookie: Some(admin),
    };
    let viewer = Client {
        app: app.clone(),
        cookie: Some(viewer),
    };
    let stranger = Client {
        app,
        cookie: Some(stranger),
    };
    let (status, alarm) = admin
        .post("/api/v1/alarms", lab_alarm("ebs-writes", "100000"))
        .await;
    assert_eq!(status, 201, "{alarm}");
    let alarm = alarm["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/alarms/{alarm}");
    let edit = |threshold: &str, version: &Value| json!({ "version": version, "form": lab_alarm("ebs-writes", threshold) });

    // The viewer reads the alarm and the plan, and may change nothing.
    let (status, detail) = viewer.get(&path).await;
    assert_eq!(status, 200, "{detail}");
    let version = detail["resource"]["version"].clone();
    assert_eq!(viewer.get("/api/v1/plan").await.0, 200);
    let (status, body) = viewer.post("/api/v1/alarms", lab_alarm("mine", "1")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(viewer.put(&path, edit("5", &version)).await.0, 403);
    assert_eq!(
        viewer.send(reqwest::Method::DELETE, &path, None).await.0,
        403
    );
    assert_eq!(viewer.post("/api/v1/apply", json!({})).await.0, 403);

    // Another team's admin cannot tell the alarm exists.
    assert_eq!(stranger.get(&path).await.0, 404);
    assert_eq!(stranger.put(&path, edit("6", &version)).await.0, 404);
    assert_eq!(
        stranger.send(reqwest::Method::DELETE, &path, None).await.0,
        404
    );
    assert_eq!(stranger.get("/api/v1/alarms").await.1["total"], 0);

    // An alarm's id under another kind's path deletes nothing.
    let rule_path = format!("/api/v1/rules/{alarm}");
    assert_eq!(
        admin
            .send(reqwest::Method::DELETE, &rule_path, None)
            .await
            .0,
        404
    );
    let (_, plan) = admin.get("/api/v1/plan").await;
    assert_eq!(plan["summary"]["delete"], 0, "{plan}");
    assert_eq!(plan["summary"]["create"], 1, "{plan}");
    let (_, detail) = admin.get(&path).await;
    assert_eq!(
        detail["form"]["threshold"], "100000",
        "nobody's edit went through"
    );
}

#[tokio::test]
async fn cron_next_is_public_and_points_at_the_mistake() {
    let app = spawn_app().await;
    let api = Client { app, cookie: None };
    let (status, body) = api
        .get("/api/v1/cron/next?expr=cron(0%209%20%3F%20*%20MON-FRI%20*)&tz=Asia/Seoul&from=2026-12-03T00:00:00Z&count=3")
        .await;
    assert_eq!(status, 200, "{body}");
    // 2026-12-03 is a Thursday; 09:00 in Seoul is midnight UTC, and `from` itself is not a run.
    assert_eq!(
        body["runs"],
        json!([
            "2026-12-04T00:00:00Z",
            "2026-12-07T00:00:00Z",
            "2026-12-08T00:00:00Z"
        ])
    );
    assert_eq!(body["tz"], "Asia/Seoul");
    let (status, body) = api
        .get("/api/v1/cron/next?expr=cron(0%2012%20%3F%20*%200%20*)&lang=ko")
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "expr");
    // Weekday 0 does not exist in AWS cron: the span points at it, in the language asked.
    let span = &body["error"]["span"];
    let (start, end) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
    assert_eq!(
        &"cron(0 12 ? * 0 *)"[start as usize..end as usize],
        "0",
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.chars().any(|c| ('가'..='힣').contains(&c)),
        "{message}"
    );
    let (status, body) = api
        .get("/api/v1/cron/next?expr=rate(5%20minutes)&tz=Mars/Olympus")
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("tz")));
}

#[tokio::test]
async fn the_openapi_document_names_exactly_the_routes_the_server_answers() {
    let app = spawn_app().await;
    let api = Client { app, cookie: None };
    let (status, doc) = api.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/session",
        "/api/v1/alarms",
        "/api/v1/alarms/{id}",
        "/api/v1/rules/{id}",
        "/api/v1/schedules/{id}",
        "/api/v1/load-balancers/{id}",
        "/api/v1/topics/{id}",
        "/api/v1/subscriptions/{id}/resend",
        "/api/v1/plan",
        "/api/v1/apply",
        "/api/v1/cron/next",
    ] {
        assert!(paths.contains_key(path), "{path} is not in the document");
    }
    // Links name operations that exist, the way OpenAPI spells it.
    let operation_ids: Vec<&str> = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str())
        .collect();
    let mut links = 0;
    for operation in paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
    {
        for response in operation["responses"].as_object().unwrap().values() {
            for link in response["links"]
                .as_object()
                .into_iter()
                .flat_map(|l| l.values())
            {
                let target = link["operationId"].as_str();
                assert!(
                    target.is_some_and(|id| operation_ids.contains(&id)),
                    "{link}"
                );
                links += 1;
            }
        }
    }
    assert!(links >= 10, "only {links} links");
    // Every operation the document names is served: signed out, each answers in the API's
    // own shape (never the site's 404 page, never 405).
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path.replace("{id}", &uuid::Uuid::new_v4().to_string());
        for method in item.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let body =
                matches!(method, reqwest::Method::POST | reqwest::Method::PUT).then(|| json!({}));
            let (status, _, answer) = api.send(method.clone(), &concrete, body).await;
            assert_ne!(status, 405, "{method} {path}");
            assert!(status < 500, "{method} {path}: {status} {answer}");
            if status >= 400 {
                assert!(
                    answer["error"]["code"].is_string(),
                    "{method} {path}: {status} {answer}"
                );
            }
            operations += 1;
        }
    }
    assert!(operations >= 30, "only {operations} operations");
}
