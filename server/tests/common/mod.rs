//! Starts the real Belfry server for a test: its own fresh database on the test Postgres
//! (BELFRY_TEST_PG_URL), the moto emulator the test script started (BELFRY_TEST_MOTO_URL),
//! port 0 on loopback. Tests talk to it over HTTP, as a user's browser would.
#![allow(dead_code)]

pub mod proxy;

use server::aws::Aws;
use server::cli::{DatabaseArgs, ServeArgs};
use sqlx::{Connection, PgConnection};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the tests through scripts/test, which starts Postgres and moto"
        )
    })
}

pub fn moto_url() -> String {
    env("BELFRY_TEST_MOTO_URL")
}

/// A fresh, empty database named belfry_t_*; returns its URL.
pub async fn fresh_database() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let server = env("BELFRY_TEST_PG_URL");
    let name = format!(
        "belfry_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros()
    );
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the test Postgres answers");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .expect("can create a test database");
    format!("{server}/{name}")
}

pub async fn aws_at(endpoint: &str) -> Aws {
    Aws::for_endpoint(endpoint, "ap-northeast-2").await
}

/// A Lambda function in moto (and the IAM role moto insists it runs as), for rules to target;
/// returns its ARN. Idempotent.
pub async fn lambda_function(moto: &Aws, name: &str) -> String {
    // The role, through IAM's query API: moto reads the service from the credential scope.
    let role = "belfry-test-lambda";
    let response = reqwest::Client::new()
        .post(moto_url())
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        )
        .form(&[
            ("Action", "CreateRole"),
            ("Version", "2010-05-08"),
            ("RoleName", role),
            ("AssumeRolePolicyDocument", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#),
        ])
        .send()
        .await
        .expect("moto answers");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(
        status.is_success() || body.contains("EntityAlreadyExists"),
        "CreateRole: {status} {body}"
    );
    let client = moto.lambda();
    if let Ok(found) = client.get_function().function_name(name).send().await
        && let Some(arn) = found.configuration().and_then(|c| c.function_arn())
    {
        return arn.to_owned();
    }
    // An empty zip archive: moto keeps the code, it never runs it here.
    let mut empty_zip = vec![0x50, 0x4b, 0x05, 0x06];
    empty_zip.extend([0u8; 18]);
    let created = client
        .create_function()
        .function_name(name)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(format!("arn:aws:iam::123456789012:role/{role}"))
        .handler("index.handler")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(aws_sdk_lambda::primitives::Blob::new(empty_zip))
                .build(),
        )
        .send()
        .await
        .expect("moto creates the function");
    created.function_arn().unwrap().to_owned()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(aws_at(&moto_url()).await).await
}

pub async fn spawn_app_with(aws: Aws) -> TestApp {
    spawn_app_configured(aws, |_| {}).await
}

/// The real server with some settings changed (a short session timeout, say).
pub async fn spawn_app_configured(aws: Aws, configure: impl FnOnce(&mut ServeArgs)) -> TestApp {
    server::telemetry::init(server::cli::LogFormat::Text);
    let database_url = fresh_database().await;
    let mut args = ServeArgs {
        database: DatabaseArgs {
            database_url: database_url.clone(),
        },
        site_addr: "127.0.0.1:0".parse().expect("a valid address"),
        site_root: PathBuf::from("target/site"),
        secure_cookies: false,
        session_idle_seconds: 3600,
        session_absolute_seconds: 12 * 3600,
        trusted_proxy_hops: 0,
        // Tests drive the reconciler themselves, step by step.
        workers: false,
        resync_seconds: 300,
        lease_seconds: 120,
        max_renders: 16,
    };
    configure(&mut args);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let running = server::start(args, listener, aws)
        .await
        .expect("the server starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    TestApp {
        base: format!("http://{}", running.address),
        database_url,
        client,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// Calls a server function the way the browser's form does (same-origin, form-encoded),
    /// with `cookie` as the session cookie when given.
    pub async fn call(
        &self,
        function: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/fn/{function}")))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.expect("the server answers")
    }

    /// Calls a server function and reads its JSON answer, whatever the status.
    pub async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        function: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> T {
        self.call(function, form, cookie)
            .await
            .json()
            .await
            .expect("a JSON answer")
    }

    /// Signs up the first user (admin of a new team) and returns the session cookie.
    pub async fn first_admin(&self, email: &str, password: &str) -> String {
        let response = self
            .call(
                "signup",
                &[
                    ("email", email),
                    ("password", password),
                    ("team", "Platform"),
                ],
                None,
            )
            .await;
        let status = response.status();
        assert!(status.is_success() || status.is_redirection(), "{status}");
        session_cookie(&response).expect("sign-up starts a session")
    }

    /// Has `admin` invite a new user with `role`, who accepts with the password
    /// `correct horse battery staple`; returns the new user's session cookie.
    pub async fn invite(&self, admin: &str, role: &str, email: &str) -> String {
        let response = self
            .call("create_invitation", &[("role", role)], Some(admin))
            .await;
        assert_eq!(response.status(), 200);
        let path: String = response.json().await.unwrap();
        let token = path
            .strip_prefix("/invite/")
            .expect("an invitation path")
            .to_owned();
        assert_eq!(token.len(), 64);
        let response = self
            .call(
                "accept_invitation",
                &[
                    ("token", &token),
                    ("email", email),
                    ("password", "correct horse battery staple"),
                ],
                None,
            )
            .await;
        let status = response.status();
        assert!(status.is_success() || status.is_redirection(), "{status}");
        session_cookie(&response).expect("joining signs in")
    }

    /// Who the session belongs to, as `whoami` answers (JSON null when nobody).
    pub async fn whoami(&self, cookie: Option<&str>) -> serde_json::Value {
        let response = self.call("whoami", &[], cookie).await;
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("JSON")
    }
}

/// The session cookie (`name=value`) a response sets, if any.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("belfry-session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
}
