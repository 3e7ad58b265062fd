//! The HTTP surface: Leptos pages, health and metrics endpoints, and the layers around them.
use crate::cli::ServeArgs;
use crate::state::AppState;
use crate::telemetry;
use app::components::header::{ACCOUNT_FRAGMENT, Visitor, account_html};
use app::i18n::Locale;
use app::{App, lang_cookie, shell};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
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
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub async fn router(state: AppState, args: &ServeArgs) -> Result<Router, crate::Error> {
    let store = crate::sessions::Sessions::new(state.pool.clone());
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
    let renders = RenderBudget {
        permits: Arc::new(Semaphore::new(args.max_renders.max(1))),
        wait: RENDER_WAIT,
    };
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
        .route_layer(middleware::from_fn_with_state(state.clone(), find_visitor))
        .route_layer(middleware::from_fn_with_state(renders, one_of_few_renders))
        .route(ACCOUNT_FRAGMENT, get(account_fragment))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/lang", post(set_language))
        .merge(crate::api::routes())
        .route_layer(middleware::from_fn(telemetry::record_http))
        .fallback({
            let files_and_errors = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                {
                    let state = state.clone();
                    move || request_context(&state)
                },
                shell,
            );
            // The not-found page has the header too: the visitor is looked up for it, not
            // for the static files this also serves.
            move |uri: Uri, State(state): State<AppState>, request: Request| {
                let files_and_errors = files_and_errors.clone();
                async move {
                    let page = matches!(*request.method(), Method::GET | Method::HEAD)
                        && !is_static_file(&state, uri.path()).await;
                    let request = if page {
                        with_visitor(&state, request).await
                    } else {
                        request
                    };
                    files_and_errors(uri, State(state), request).await
                }
            }
        })
        .layer(sessions)
        .layer(middleware::from_fn(crate::csrf::same_origin_only))
        .layer(middleware::from_fn(code_caching))
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

/// Looks up who is asking before a page renders, for the header's account corner
/// ([`app::components::header::Visitor`]), which the page reads from the request. Server
/// functions (POSTs) pass.
async fn find_visitor(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    next.run(with_visitor(&state, request).await).await
}

/// `request` with its [`Visitor`] among its extensions; none when the lookup failed, which
/// the page's own questions then answer.
async fn with_visitor(state: &AppState, mut request: Request) -> Request {
    if let Some(visitor) = visitor(state, request.extensions().get::<Session>()).await {
        request.extensions_mut().insert(visitor);
    }
    request
}

/// Who holds `session` (nobody without one), for the header; none, logged, when the session
/// store or the database failed.
async fn visitor(state: &AppState, session: Option<&Session>) -> Option<Visitor> {
    let Some(session) = session else {
        return Some(Visitor::default());
    };
    Visitor::of(&state.backend(), session)
        .await
        .inspect_err(|error| tracing::warn!(%error, "the header could not look up the visitor"))
        .ok()
}

/// Whether `path` names a file of the site (the stylesheet, the wasm, the favicon), which the
/// fallback serves as it is.
async fn is_static_file(state: &AppState, path: &str) -> bool {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative.split('/').any(|part| part == "..") {
        return false;
    }
    let file = std::path::Path::new(&*state.leptos_options.site_root).join(relative);
    tokio::fs::metadata(file)
        .await
        .is_ok_and(|metadata| metadata.is_file())
}

#[derive(Deserialize)]
struct FragmentQuery {
    lang: Option<String>,
    /// The page the corner is on, for `aria-current`.
    path: Option<String>,
}

/// The header's account corner, as the page has it, for the browser to put in after a
/// navigation or a change of language: `lang` (en or ko) or else the language cookie. 503
/// when the lookup failed: the browser keeps the corner it shows.
async fn account_fragment(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<FragmentQuery>,
) -> Response {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == app::LANG_COOKIE)
        .map(|cookie| cookie.value().to_owned());
    let Ok(locale) = query
        .lang
        .or(cookie)
        .map_or(Ok(Locale::default()), |lang| lang.parse())
    else {
        return (StatusCode::BAD_REQUEST, "lang must be en or ko").into_response();
    };
    let Some(visitor) = visitor(&state, Some(&session)).await else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response();
    };
    let path = query.path.as_deref().unwrap_or("/");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        account_html(locale, &visitor, path),
    )
        .into_response()
}

/// How long a page waits for its turn to render before the answer is 503.
const RENDER_WAIT: Duration = Duration::from_secs(10);

/// Pages rendering at once: `permits` of them; a page that waits `wait` for a permit is
/// answered 503.
#[derive(Clone)]
struct RenderBudget {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// Renders a page only while holding one of `max_renders` permits, and holds it until the
/// page is rendered whole. Memory then grows with the renders in flight, not with the
/// connections open: 200 readers at once wait their turn rather than each holding a
/// half-rendered page. The page is buffered (a few dozen KB) so the permit does not wait on a
/// slow reader: pages never wait on AWS, so streaming them bought nothing.
async fn one_of_few_renders(
    State(budget): State<RenderBudget>,
    request: Request,
    next: Next,
) -> Response {
    // Server functions are POSTs: they pass. (A GET server function would wait its turn
    // like a page, which is no harm.)
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let permit = match tokio::time::timeout(budget.wait, budget.permits.acquire_owned()).await {
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
    // The render runs in a task of its own, holding the permit: a reader who leaves in the
    // middle of a page (a closed tab; wrk at the end of each run) does not cut it short.
    // Cut short, Leptos disposed of the page's reactive owner while its resources were still
    // resolving: they logged "no Backend in the server function's context" and, now and
    // then, leptos_router panicked (`use_resolved_path outside a <Router>`).
    let rendering = tokio::spawn(async move {
        let (parts, body) = next.run(request).await.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await;
        drop(permit);
        (parts, body)
    });
    let (parts, body) = match rendering.await {
        Ok(rendered) => rendered,
        Err(error) => {
            tracing::error!(%error, "a page's render task failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match body {
        Ok(bytes) => Response::from_parts(parts, axum::body::Body::from(bytes)),
        Err(error) => {
            tracing::error!(%error, "a page failed while rendering");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// How browsers may keep the site's code (`/pkg/`). A section's pack is named by its content
/// (tools/wasm-split/src/pack.rs), so it is kept for good. Every other file keeps its name from
/// build to build (the main module, its JS, the modules named by their place, `chunk_7`), and
/// a browser that kept one by its own guess could mix two builds after a deploy, which breaks
/// the page; so those are asked again each time (`no-cache`), which costs a 304 when nothing
/// changed.
async fn code_caching(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let policy = if path.starts_with("/pkg/pack_") {
        Some("public, max-age=31536000, immutable")
    } else if path.starts_with("/pkg/") {
        Some("no-cache")
    } else {
        None
    };
    let mut response = next.run(request).await;
    if let Some(policy) = policy
        && (response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED)
    {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
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
    let Ok(locale) = form.lang.parse::<Locale>() else {
        return (StatusCode::BAD_REQUEST, "lang must be en or ko").into_response();
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
    let cookie = lang_cookie(locale.as_ref());
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::sync::Notify;
    use tokio::task::JoinHandle;
    use tower::ServiceExt;

    type Answer = (StatusCode, Option<String>, String);

    /// A site behind a render budget of one permit, held by a reader of `/slow`: that page
    /// renders only once `go` is notified, and sets `rendered` when it has. `/fast` renders at
    /// once; a POST to `/slow` (a server function's way) answers at once.
    struct Busy {
        site: Router,
        permits: Arc<Semaphore>,
        go: Arc<Notify>,
        rendered: Arc<AtomicBool>,
        slow: JoinHandle<Answer>,
    }

    /// Builds the site with pages waiting `wait` for a permit, and returns once the reader
    /// of `/slow` holds the only one.
    async fn busy(wait: Duration) -> Busy {
        let permits = Arc::new(Semaphore::new(1));
        let go = Arc::new(Notify::new());
        let rendered = Arc::new(AtomicBool::new(false));
        let slow = {
            let (go, rendered) = (go.clone(), rendered.clone());
            move || {
                let (go, rendered) = (go.clone(), rendered.clone());
                async move {
                    go.notified().await;
                    rendered.store(true, Ordering::SeqCst);
                    "the slow page"
                }
            }
        };
        let budget = RenderBudget {
            permits: permits.clone(),
            wait,
        };
        let site = Router::new()
            .route("/slow", get(slow).post(|| async { "posted" }))
            .route("/fast", get(|| async { "the fast page" }))
            .route_layer(middleware::from_fn_with_state(budget, one_of_few_renders));

        let slow = tokio::spawn(call(site.clone(), Method::GET, "/slow"));
        let taken = async {
            while permits.available_permits() > 0 {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), taken)
            .await
            .expect("the slow page never took a render permit");
        Busy {
            site,
            permits,
            go,
            rendered,
            slow,
        }
    }

    async fn call(site: Router, method: Method, path: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = site.oneshot(request).await.unwrap();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|value| value.to_str().unwrap().to_owned());
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            retry_after,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_page_that_cannot_get_a_render_in_time_is_told_to_retry_and_nothing_else_is_held() {
        let busy = busy(Duration::from_millis(200)).await;

        let asked = std::time::Instant::now();
        let (status, retry_after, body) = tokio::time::timeout(
            Duration::from_secs(5),
            call(busy.site.clone(), Method::GET, "/fast"),
        )
        .await
        .expect("a page waited for a render permit without end");
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "the answer took {:?}: the budget's own wait (200 ms) was not the one applied",
            asked.elapsed()
        );
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert!(body.contains("busy"), "{body}");

        // A server function is a POST: it does not wait for a render permit.
        let (status, _, body) = call(busy.site.clone(), Method::POST, "/slow").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "posted"));

        // The slow page finishes whole, and its permit goes to the next page.
        busy.go.notify_one();
        let (status, _, body) = busy.slow.await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, "the slow page"));
        let (status, _, body) = call(busy.site, Method::GET, "/fast").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "the fast page"));
    }

    #[tokio::test]
    async fn a_page_waits_its_turn_when_a_permit_frees_within_the_wait() {
        let busy = busy(RENDER_WAIT).await;

        let waiting = tokio::spawn(call(busy.site.clone(), Method::GET, "/fast"));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiting.is_finished(),
            "the second page rendered while the only permit was held"
        );

        busy.go.notify_one();
        assert_eq!(busy.slow.await.unwrap().0, StatusCode::OK);
        let (status, _, body) = waiting.await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, "the fast page"));
    }

    #[tokio::test]
    async fn a_page_whose_reader_leaves_is_still_rendered_to_the_end() {
        let busy = busy(RENDER_WAIT).await;

        // The reader goes away mid-page: its request is dropped.
        busy.slow.abort();
        let _ = busy.slow.await;
        busy.go.notify_one();

        // The page renders to its end, and only then gives its permit back.
        let permit = tokio::time::timeout(Duration::from_secs(5), busy.permits.acquire())
            .await
            .expect("the render permit never came back");
        assert!(
            busy.rendered.load(Ordering::SeqCst),
            "the render was cut short when its reader left"
        );
        drop(permit);
    }

    /// A deploy must never leave a browser mixing two builds' code: the files named the same
    /// from build to build are asked again each time, a pack (named by its content) is kept.
    #[tokio::test]
    async fn code_keeps_its_name_only_where_its_name_says_what_it_holds() {
        let site = Router::new()
            .route("/pkg/belfry.wasm", get(|| async { "main" }))
            .route("/pkg/chunk_7.wasm", get(|| async { "chunk" }))
            .route(
                "/pkg/pack_cron_section_1_0123456789abcdef.wasm",
                get(|| async { "pack" }),
            )
            .route("/cron", get(|| async { "page" }))
            .layer(middleware::from_fn(code_caching));
        let cache_control = |path: &'static str| {
            let site = site.clone();
            async move {
                let request = Request::get(path).body(axum::body::Body::empty()).unwrap();
                let response = site.oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                response
                    .headers()
                    .get(header::CACHE_CONTROL)
                    .map(|value| value.to_str().unwrap().to_owned())
            }
        };
        assert_eq!(
            cache_control("/pkg/belfry.wasm").await.as_deref(),
            Some("no-cache")
        );
        assert_eq!(
            cache_control("/pkg/chunk_7.wasm").await.as_deref(),
            Some("no-cache")
        );
        assert_eq!(
            cache_control("/pkg/pack_cron_section_1_0123456789abcdef.wasm")
                .await
                .as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(cache_control("/cron").await, None);
    }
}
