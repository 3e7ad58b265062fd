//! The HTTP surface: Leptos pages, health and metrics endpoints, and the layers around them.
use crate::cli::ServeArgs;
use crate::state::AppState;
use crate::telemetry;
use app::{App, lang_cookie, shell};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

pub async fn router(state: AppState, args: &ServeArgs) -> Result<Router, crate::Error> {
    let store = PostgresStore::new(state.pool.clone());
    store.migrate().await?;
    // Expired sessions are deleted in the background, so the table does not grow forever.
    tokio::spawn(
        tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
            store.clone(),
            tokio::time::Duration::from_secs(60 * 10),
        ),
    );
    let sessions = SessionManagerLayer::new(store)
        .with_name("belfry-session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(args.secure_cookies)
        // Saved on every request, so the idle timeout counts from the last request, not from
        // the last change to the session.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(
                i64::try_from(state.sessions.idle.as_secs()).unwrap_or(i64::MAX),
            ),
        ));

    let routes = generate_route_list(App);
    let renders = Arc::new(Semaphore::new(args.max_renders.max(1)));
    let router = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || request_context(&state)
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // The routes above: pages (and server functions, which are POSTs and pass through).
        .route_layer(middleware::from_fn_with_state(renders, one_of_few_renders))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/lang", post(set_language))
        .merge(crate::api::routes())
        .route_layer(middleware::from_fn(telemetry::record_http))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || request_context(&state)
            },
            shell,
        ))
        .layer(sessions)
        .layer(middleware::from_fn(crate::csrf::same_origin_only))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    Ok(router)
}

/// What every page render and server function call finds in its Leptos context: the
/// backend, the state, and a fresh memo of who is signed in (looked up once per request).
pub(crate) fn request_context(state: &AppState) {
    provide_context(state.backend());
    provide_context(state.clone());
    provide_context(app::api::guard::RequestMember::default());
}

/// How long a page waits for its turn to render before the answer is 503.
const RENDER_WAIT: Duration = Duration::from_secs(10);

/// Renders a page only while holding one of `max_renders` permits, and holds it until the
/// page is rendered whole. Memory then grows with the renders in flight, not with the
/// connections open: 200 readers at once wait their turn rather than each holding a
/// half-rendered page. The page is buffered (a few dozen KB) so the permit does not wait on a
/// slow reader: pages never wait on AWS, so streaming them bought nothing.
async fn one_of_few_renders(
    State(renders): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    // Server functions are POSTs: they pass. (A GET server function would wait its turn
    // like a page, which is no harm.)
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let permit = match tokio::time::timeout(RENDER_WAIT, renders.acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "1")],
                "Belfry is busy rendering other pages: try again in a moment.",
            )
                .into_response();
        }
    };
    let (parts, body) = next.run(request).await.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await;
    drop(permit);
    match body {
        Ok(bytes) => Response::from_parts(parts, axum::body::Body::from(bytes)),
        Err(error) => {
            tracing::error!(%error, "a page failed while rendering");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The process is up and answering. Says nothing about its dependencies: that is `/readyz`.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready to serve: the database answers and is migrated, and AWS (or the emulator) answers.
async fn readyz(State(state): State<AppState>) -> Response {
    let database =
        tokio::time::timeout(Duration::from_secs(3), app::db::installed_at(&state.pool)).await;
    let database = match database {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer within 3 seconds".to_owned()),
    };
    let aws = state.aws.check_reachable().await;
    let ready = database.is_ok() && aws.is_ok();
    let check = |result: &Result<(), String>| match result {
        Ok(()) => json!({ "ok": true }),
        Err(error) => json!({ "ok": false, "error": error }),
    };
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "checks": {
            "database": check(&database),
            "aws": {
                "endpoint": state.aws.endpoint_url(),
                "region": state.aws.region(),
                "result": check(&aws),
            },
        },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn metrics() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        telemetry::metrics_handle().render(),
    )
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// The language switch without JavaScript: remember the choice in the same cookie the
/// hydrated page writes, then go back to the page the form was on.
async fn set_language(Form(form): Form<LanguageForm>) -> Response {
    let lang = match form.lang.as_str() {
        "en" | "ko" => form.lang,
        _ => return (StatusCode::BAD_REQUEST, "lang must be en or ko").into_response(),
    };
    // Only a path on this site: never an open redirect.
    let back = if form.back.starts_with('/')
        && !form.back.starts_with("//")
        && !form.back.contains('\\')
    {
        form.back
    } else {
        "/".to_owned()
    };
    let cookie = lang_cookie(&lang);
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
