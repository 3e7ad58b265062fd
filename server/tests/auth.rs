//! Sign-up, login, sessions, CSRF and the login throttle, over HTTP against the real server
//! and Postgres.
mod common;

use common::{aws_at, moto_url, session_cookie, spawn_app, spawn_app_configured};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn the_first_user_becomes_admin_of_a_new_team_and_later_ones_need_an_invitation() {
    let app = spawn_app().await;
    assert!(
        app.call("needs_first_user", &[], None)
            .await
            .json::<bool>()
            .await
            .unwrap()
    );
    let cookie = app.first_admin("ada@example.com", PASSWORD).await;
    let me = app.whoami(Some(&cookie)).await;
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["team_name"], "Platform");
    assert!(
        !app.call("needs_first_user", &[], None)
            .await
            .json::<bool>()
            .await
            .unwrap()
    );

    let second = app
        .call(
            "signup",
            &[
                ("email", "bob@example.com"),
                ("password", PASSWORD),
                ("team", "Mine"),
            ],
            None,
        )
        .await;
    assert_eq!(second.status(), 409);
    assert!(session_cookie(&second).is_none());
}

#[tokio::test]
async fn sign_up_explains_what_is_wrong_with_the_input() {
    let app = spawn_app().await;
    let response = app
        .call(
            "signup",
            &[
                ("email", "ada@example.com"),
                ("password", "short"),
                ("team", "Platform"),
            ],
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["Invalid"]["field"], "password");
    assert!(
        body["Invalid"]["message"]
            .as_str()
            .unwrap()
            .contains("12 characters")
    );
}

#[tokio::test]
async fn the_password_is_stored_as_an_argon2id_hash_with_owasp_parameters() {
    let app = spawn_app().await;
    app.first_admin("ada@example.com", PASSWORD).await;
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    let first = app.first_admin("ada@example.com", PASSWORD).await;
    let response = app
        .call(
            "login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            Some(&first),
        )
        .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    let second = session_cookie(&response).expect("login sets a session cookie");
    assert_ne!(first, second, "the id is rotated at login");
    assert_eq!(app.whoami(Some(&second)).await["email"], "ada@example.com");
    assert!(
        app.whoami(Some(&first)).await.is_null(),
        "the pre-login id is gone"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let response = app
        .call(
            "signup",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("team", "Platform"),
            ],
            None,
        )
        .await;
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("belfry-session="))
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let cookie = app.first_admin("ada@example.com", PASSWORD).await;
    let response = app.call("logout", &[], Some(&cookie)).await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    // The old cookie, replayed, finds no session.
    assert!(app.whoami(Some(&cookie)).await.is_null());
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_gets_the_same_answer() {
    let app = spawn_app().await;
    app.first_admin("ada@example.com", PASSWORD).await;
    for (email, password) in [
        ("ada@example.com", "wrong password!!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let response = app
            .call("login", &[("email", email), ("password", password)], None)
            .await;
        assert_eq!(response.status(), 401);
        assert!(session_cookie(&response).is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!("WrongCredentials"));
    }
}

#[tokio::test]
async fn the_idle_timeout_ends_a_session() {
    let app = spawn_app_configured(aws_at(&moto_url()).await, |args| {
        args.session_idle_seconds = 2
    })
    .await;
    let cookie = app.first_admin("ada@example.com", PASSWORD).await;
    assert_eq!(app.whoami(Some(&cookie)).await["email"], "ada@example.com");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert!(app.whoami(Some(&cookie)).await.is_null());
}

#[tokio::test]
async fn the_absolute_timeout_ends_a_busy_session() {
    let app = spawn_app_configured(aws_at(&moto_url()).await, |args| {
        args.session_absolute_seconds = 2
    })
    .await;
    let cookie = app.first_admin("ada@example.com", PASSWORD).await;
    // Busy: a request every half second keeps the idle timer from ever running out.
    for _ in 0..7 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.whoami(Some(&cookie)).await;
    }
    assert!(app.whoami(Some(&cookie)).await.is_null());
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_even_for_the_right_one_afterwards() {
    let app = spawn_app().await;
    app.first_admin("ada@example.com", PASSWORD).await;
    for attempt in 0..5 {
        let response = app
            .call(
                "login",
                &[
                    ("email", "ada@example.com"),
                    ("password", "not the password"),
                ],
                None,
            )
            .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let response = app
        .call(
            "login",
            &[("email", "ADA@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(response.status(), 429);
    assert!(session_cookie(&response).is_none());
    let body: serde_json::Value = response.json().await.unwrap();
    let retry = body["Throttled"]["retry_after_seconds"].as_u64().unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_does_anything() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/fn/signup"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("email", "mallory@evil.example"),
            ("password", PASSWORD),
            ("team", "Evil"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // Nothing was written: the install still waits for its first user.
    assert!(
        app.call("needs_first_user", &[], None)
            .await
            .json::<bool>()
            .await
            .unwrap()
    );

    // An Origin from elsewhere without fetch metadata is refused too.
    let response = app
        .client
        .post(app.url("/lang"))
        .header("origin", "https://evil.example")
        .form(&[("lang", "ko")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn sign_up_writes_its_audit_row_in_the_same_transaction() {
    let app = spawn_app().await;
    app.first_admin("ada@example.com", PASSWORD).await;
    // A refused second sign-up changes nothing and leaves no audit row.
    app.call(
        "signup",
        &[
            ("email", "bob@example.com"),
            ("password", PASSWORD),
            ("team", "X"),
        ],
        None,
    )
    .await;
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let rows: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT action, after FROM audit ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "user.signup");
    assert_eq!(rows[0].1["email"], "ada@example.com");
    assert!(!rows[0].1.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_keeps_this_one() {
    let app = spawn_app().await;
    let here = app.first_admin("ada@example.com", PASSWORD).await;
    let login = app
        .call(
            "login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    let elsewhere = session_cookie(&login).unwrap();
    // Sessions started in an earlier second than the change end with it.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let wrong = app
        .call(
            "change_password",
            &[
                ("current", "not it at all!"),
                ("new", "a brand new passphrase"),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(wrong.status(), 422);

    let changed = app
        .call(
            "change_password",
            &[("current", PASSWORD), ("new", "a brand new passphrase")],
            Some(&here),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let here = session_cookie(&changed).expect("the session id is cycled");
    assert_eq!(app.whoami(Some(&here)).await["email"], "ada@example.com");
    assert!(
        app.whoami(Some(&elsewhere)).await.is_null(),
        "the other session ended"
    );

    let old = app
        .call(
            "login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .call(
            "login",
            &[
                ("email", "ada@example.com"),
                ("password", "a brand new passphrase"),
            ],
            None,
        )
        .await;
    assert!(session_cookie(&new).is_some());
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_throttle_counts_the_forwarded_client() {
    let app = spawn_app_configured(aws_at(&moto_url()).await, |args| {
        args.trusted_proxy_hops = 1;
    })
    .await;
    let login = |email: String, forwarded: &'static str| {
        let request = app
            .client
            .post(app.url("/api/fn/login"))
            .header("origin", &app.base)
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", forwarded)
            .form(&[("email", email.as_str()), ("password", "not the password")]);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // One client tries many accounts, a few attempts each, through the load balancer (which
    // appends the address it saw; the first entry is whatever the client claimed).
    for attempt in 0..30 {
        let status = login(
            format!("user{}@example.com", attempt % 10),
            "192.0.2.1, 203.0.113.7",
        )
        .await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    // Claiming another address in the client-written part does not help.
    assert_eq!(
        login("new@example.com".into(), "192.0.2.99, 203.0.113.7").await,
        429
    );
    // Another client behind the same proxy is not throttled.
    assert_eq!(login("new@example.com".into(), "203.0.113.8").await, 401);
}

/// The header's account corner is HTML from the server: in the page as rendered, and from
/// `/fragment/account`, which the browser asks for after a navigation or a language change.
#[tokio::test]
async fn the_account_corner_shows_who_is_signed_in_in_the_page_and_the_fragment() {
    let app = spawn_app().await;
    // The answer to `path`, with `cookie` when given.
    let get = |path: &str, cookie: Option<&str>| {
        let mut request = app.client.get(app.url(path));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.unwrap() }
    };
    let body = |path: &str, cookie: Option<&str>| {
        let response = get(path, cookie);
        async move { response.await.text().await.unwrap() }
    };
    // `<!>` marks where a text ends, for hydration; the corner is not hydrated.
    let bare = |html: &str| html.replace("<!>", "");

    // Nobody: the way in, in the language asked for.
    let nobody = get("/fragment/account?lang=en", None).await;
    assert_eq!(nobody.status(), 200);
    assert_eq!(nobody.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(nobody.headers()["cache-control"], "no-store");
    let log_in = r#"<a href="/login">Log in</a>"#;
    assert_eq!(bare(&nobody.text().await.unwrap()), log_in);
    let korean = body("/fragment/account?lang=ko", None).await;
    assert_eq!(bare(&korean), r#"<a href="/login">로그인</a>"#);
    // Without `lang`, the language cookie decides; an unknown language is refused.
    assert_eq!(
        body("/fragment/account", Some("belfry-lang=ko")).await,
        korean
    );
    assert_eq!(get("/fragment/account?lang=fr", None).await.status(), 400);
    // The page's own link is marked, as the router marks its links.
    let on_login = body("/fragment/account?lang=en&path=%2Flogin", None).await;
    assert_eq!(
        bare(&on_login),
        r#"<a href="/login" aria-current="page">Log in</a>"#
    );

    // Ada, with two teams, the second named with markup: who she is, the switch (the
    // current team chosen), the way out; the same in the page, and names only as text.
    let ada = app.first_admin("ada@example.com", PASSWORD).await;
    let name = r#"<b>Data</b> & "co""#;
    let response = app.call("create_team", &[("name", name)], Some(&ada)).await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let corner = body("/fragment/account?lang=en", Some(&ada)).await;
    let text = bare(&corner);
    assert!(!text.contains("<b>"), "{text}");
    assert!(
        text.contains("ada@example.com · &lt;b&gt;Data&lt;/b&gt; &amp;"),
        "{text}"
    );
    assert!(text.contains(">Platform</option>"), "{text}");
    // The current team, the new one, is the switch's choice.
    let chosen = text
        .split("<option")
        .find(|option| option.contains(" selected"))
        .unwrap_or_default();
    assert!(chosen.contains("&lt;b&gt;Data"), "{text}");
    assert!(text.contains("Log out"), "{text}");
    for path in ["/cron", "/no-such-page", "/no-such-page.html"] {
        let html = body(path, Some(&ada)).await;
        assert!(
            html.contains(&corner),
            "{path} lacks the corner {corner}: {html}"
        );
    }
    let settings = body(
        "/fragment/account?lang=en&path=%2Fsettings%2Faws",
        Some(&ada),
    )
    .await;
    assert!(
        settings.contains(r#"<a href="/settings" aria-current="page">"#),
        "{settings}"
    );
    // A page that needs someone signed in renders for her: the header's lookup stands for
    // the page's own question.
    let page = bare(&body("/settings", Some(&ada)).await);
    assert!(page.contains(r#"data-testid="members""#), "{page}");
    assert!(page.contains("ada@example.com (admin)"), "{page}");

    // Logged out, the same session is nobody again.
    app.call("logout", &[], Some(&ada)).await;
    assert_eq!(
        bare(&body("/fragment/account?lang=en", Some(&ada)).await),
        log_in
    );
}

/// Every request saves its session as it ends (for the idle timeout). A request that loaded
/// the session before a logout in another tab deleted it must not write it back: the
/// logged-out cookie would work again.
#[tokio::test]
async fn a_session_logged_out_meanwhile_is_not_written_back_by_a_request_that_had_loaded_it() {
    use server::sessions::Sessions;
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore;

    let pool = sqlx::PgPool::connect(&common::fresh_database().await)
        .await
        .unwrap();
    let store = Sessions::new(pool);
    store.migrate().await.unwrap();
    let mut record = Record {
        id: Id::default(),
        data: [("user".to_string(), serde_json::json!("ada"))].into(),
        expiry_date: OffsetDateTime::now_utc() + Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();

    // A request loads the session; saving it as it ends keeps what it changed.
    let mut request = store.load(&record.id).await.unwrap().expect("created");
    request
        .data
        .insert("seen".to_string(), serde_json::json!(true));
    store.save(&request).await.unwrap();
    let saved = store.load(&record.id).await.unwrap().expect("still there");
    assert_eq!(saved.data["seen"], true);

    // A second one loads it too; meanwhile the visitor logs out in another tab.
    let late = store.load(&record.id).await.unwrap().expect("still there");
    store.delete(&record.id).await.unwrap();
    // The second request ends, and saves what it had loaded: the session stays gone.
    store.save(&late).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
}
