//! The foundation as a user and an operator meet it: health and readiness, metrics, the
//! server-rendered shell in both languages, the no-JavaScript language switch, migrations.
mod common;

use common::{aws_at, fresh_database, spawn_app, spawn_app_with};
use serde_json::Value;

/// The page's text as a reader sees it: tags and hydration markers removed.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn healthz_answers_while_the_process_is_up() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn readyz_is_ok_with_a_migrated_database_and_a_reachable_aws_endpoint() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["checks"]["database"]["ok"], true);
    assert_eq!(body["checks"]["aws"]["result"]["ok"], true);
    assert_eq!(body["checks"]["aws"]["endpoint"], common::moto_url());
}

#[tokio::test]
async fn readyz_is_unavailable_and_says_why_when_aws_does_not_answer() {
    // A port nothing listens on: bind one, note it, close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = spawn_app_with(aws_at(&format!("http://{closed}")).await).await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["database"]["ok"], true);
    assert_eq!(body["checks"]["aws"]["result"]["ok"], false);
    let error = body["checks"]["aws"]["result"]["error"].as_str().unwrap();
    assert!(!error.is_empty());
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
    assert_eq!(app.get("/cron").await.status(), 200);
    let text = app.get("/metrics").await.text().await.unwrap();
    let healthz = text
        .lines()
        .find(|line| {
            line.starts_with("http_requests_total{")
                && line.contains(r#"route="/healthz""#)
                && line.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("no counter for /healthz in:\n{text}"));
    // Other tests in this process count too, so at least our three.
    let count: f64 = healthz.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{healthz}");
    assert!(
        text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/cron""#),
        "{text}"
    );
}

#[tokio::test]
async fn the_shell_is_rendered_on_the_server_in_english_by_default() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"lang="en""#), "{html}");
    for text in [
        "Alarms",
        "Subscriptions",
        "Schedules",
        "Load balancers",
        "Cron playground",
    ] {
        assert!(html.contains(text), "{text} missing from the navigation");
    }
    assert!(
        html.contains("/pkg/belfry.js"),
        "the page loads the hydration script"
    );
}

#[tokio::test]
async fn the_language_cookie_renders_the_page_in_korean_on_the_server() {
    let app = spawn_app().await;
    let html = app
        .client
        .get(app.url("/load-balancers"))
        .header("cookie", "belfry-lang=ko")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"lang="ko""#));
    let text = text_of(&html);
    assert!(text.contains("실습처럼 로드 밸런서를"), "{html}");
    assert!(text.contains("이 페이지를 보려면 로그인하세요."), "{html}");
}

#[tokio::test]
async fn the_language_form_sets_the_cookie_and_goes_back() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/lang"))
        .form(&[("lang", "ko"), ("back", "/schedules?x=1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/schedules?x=1");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("belfry-lang=ko;"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
}

#[tokio::test]
async fn the_language_form_never_redirects_off_site_and_refuses_unknown_languages() {
    let app = spawn_app().await;
    for back in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let response = app
            .client
            .post(app.url("/lang"))
            .form(&[("lang", "en"), ("back", back)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["location"], "/", "back={back}");
    }
    let response = app
        .client
        .post(app.url("/lang"))
        .form(&[("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_home() {
    let app = spawn_app().await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("Back to the home page"));
}

#[tokio::test]
async fn state_changing_routes_refuse_get() {
    let app = spawn_app().await;
    assert_eq!(app.get("/lang?lang=ko").await.status(), 405);
}

#[test]
fn belfry_migrate_creates_the_schema_and_reports_a_bad_url() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database_url = runtime.block_on(fresh_database());
    let belfry = env!("CARGO_BIN_EXE_belfry");

    let output = std::process::Command::new(belfry)
        .args(["migrate"])
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let installed = runtime.block_on(async {
        let pool = sqlx::PgPool::connect(&database_url).await.unwrap();
        app::db::installed_at(&pool).await
    });
    assert!(installed.is_ok(), "{installed:?}");

    let output = std::process::Command::new(belfry)
        .args(["migrate"])
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("nobody@"),
        "the URL (which may hold a password) is not printed: {stderr}"
    );
}

#[test]
fn log_format_json_writes_one_json_object_a_line() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database_url = runtime.block_on(fresh_database());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_belfry"))
        .args(["migrate"])
        .env("DATABASE_URL", &database_url)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|line| line["message"] == "migrations applied" && line["level"] == "INFO"),
        "{stderr}"
    );
}
