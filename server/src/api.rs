//! The JSON API under `/api/v1`, for scripts and the CLI, described by
//! `/api/v1/openapi.json`.
//!
//! Every handler here is an adapter: it reads the request, then calls the same server
//! function the pages call, inside the same Leptos context (`in_context`). So one guard
//! checks the session and the role, one validator checks the input, and one transaction
//! writes the spec, its audit row and its job, whichever door a change came in by. What
//! this module adds is HTTP: paths, methods, status codes, and errors as
//! `{"error": {"code", "message", "field"?, "problems"?}}`.
use crate::state::AppState;
use app::api::resources::{self as fns, PlanView, ResourcePage, ResourceView};
use app::api::{AppError, FieldProblem, Me};
use app::domain::alarm::AlarmForm;
use app::domain::balancer::BalancerForm;
use app::domain::plan::Kind;
use app::domain::rule::RuleForm;
use app::domain::schedule::ScheduleForm;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::{Owner, provide_context};
use leptos::reactive::computed::ScopedFuture;
use serde::{Deserialize, Serialize};
use std::future::Future;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use uuid::Uuid;

/// The routes, to merge into the site's router (under its session and CSRF layers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route(
            "/api/v1/session",
            post(session::create)
                .get(session::read)
                .delete(session::delete),
        )
        .route("/api/v1/alarms", get(alarms::list).post(alarms::create))
        .route(
            "/api/v1/alarms/{id}",
            get(alarms::read).put(alarms::update).delete(alarms::delete),
        )
        .route("/api/v1/rules", get(rules::list).post(rules::create))
        .route(
            "/api/v1/rules/{id}",
            get(rules::read).put(rules::update).delete(rules::delete),
        )
        .route(
            "/api/v1/schedules",
            get(schedules::list).post(schedules::create),
        )
        .route(
            "/api/v1/schedules/{id}",
            get(schedules::read)
                .put(schedules::update)
                .delete(schedules::delete),
        )
        .route(
            "/api/v1/load-balancers",
            get(balancers::list).post(balancers::create),
        )
        .route(
            "/api/v1/load-balancers/{id}",
            get(balancers::read)
                .put(balancers::update)
                .delete(balancers::delete),
        )
        .route("/api/v1/topics", get(topics::list).post(topics::create))
        .route(
            "/api/v1/topics/{id}",
            get(topics::read).put(topics::update).delete(topics::delete),
        )
        .route(
            "/api/v1/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/api/v1/subscriptions/{id}",
            get(subscriptions::read).delete(subscriptions::delete),
        )
        .route(
            "/api/v1/subscriptions/{id}/resend",
            post(subscriptions::resend),
        )
        .route("/api/v1/plan", get(plan))
        .route("/api/v1/apply", post(apply))
        .route("/api/v1/cron/next", get(cron_next))
        // Any other path under /api/v1 is a JSON 404, not the site's HTML page. (A method a
        // path does not take is axum's plain 405.)
        .route("/api/v1", axum::routing::any(not_found))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Belfry",
        description = "Declare CloudWatch alarms, SNS topics and subscriptions, EventBridge \
            rules, Scheduler schedules and load balancers; read the plan; apply it. A change \
            is saved in Belfry and reaches AWS only when the plan is applied.\n\n\
            Sign in with `POST /api/v1/session`: the answer sets the `belfry-session` cookie, \
            which every other call but `/api/v1/cron/next` needs."
    ),
    paths(
        session::create, session::read, session::delete,
        alarms::list, alarms::create, alarms::read, alarms::update, alarms::delete,
        rules::list, rules::create, rules::read, rules::update, rules::delete,
        schedules::list, schedules::create, schedules::read, schedules::update, schedules::delete,
        balancers::list, balancers::create, balancers::read, balancers::update, balancers::delete,
        topics::list, topics::create, topics::read, topics::update, topics::delete,
        subscriptions::list, subscriptions::create, subscriptions::read, subscriptions::delete,
        subscriptions::resend,
        plan, apply, cron_next,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SessionCookie),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "alarms", description = "CloudWatch metric alarms"),
        (name = "rules", description = "EventBridge rules on a schedule or an event pattern"),
        (name = "schedules", description = "EventBridge Scheduler schedules"),
        (name = "load-balancers", description = "Load balancers with their target groups and listeners"),
        (name = "topics", description = "SNS topics"),
        (name = "subscriptions", description = "SNS subscriptions"),
        (name = "plan", description = "What applying would change in AWS, and applying it"),
        (name = "cron", description = "The cron engine (public)"),
    )
)]
pub struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("belfry-session"))),
        );
    }
}

async fn openapi_json() -> Response {
    match serde_json::to_value(ApiDoc::openapi()) {
        Ok(mut document) => {
            camel_case_links(&mut document);
            Json(document).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "the OpenAPI document did not serialise");
            ApiError::from(AppError::Internal).into_response()
        }
    }
}

/// utoipa 5 writes a Link Object's fields in snake case (`operation_id`), which no client
/// reads: OpenAPI spells them `operationId`, `operationRef` and `requestBody` (utoipa 6
/// fixes it, juhaku/utoipa#1555). Renamed here, in every response's links.
fn camel_case_links(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses"))
        .filter_map(|responses| responses.as_object_mut())
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) else {
            continue;
        };
        for link in links.values_mut().filter_map(|link| link.as_object_mut()) {
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(snake) {
                    link.insert(camel.to_owned(), value);
                }
            }
        }
    }
}

async fn not_found() -> ApiError {
    ApiError::from(AppError::NotFound)
}

/// Runs a server function as the pages' requests run it: in a Leptos owner that holds this
/// request's parts (the session, the client's address), the backend, and response options.
async fn in_context<T, F>(
    state: &AppState,
    parts: Parts,
    call: impl FnOnce() -> F + Send + 'static,
) -> Result<T, ApiError>
where
    F: Future<Output = Result<T, AppError>> + Send + 'static,
    T: Send + 'static,
{
    let state = state.clone();
    let owner = Owner::new();
    owner
        .with(|| {
            ScopedFuture::new(async move {
                provide_context(parts);
                provide_context(leptos_axum::ResponseOptions::default());
                crate::http::request_context(&state);
                call().await
            })
        })
        .await
        .map_err(ApiError::from)
}

/// An error as the API answers it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

/// Every error answer: `{"error": {...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: `unauthenticated`, `forbidden`, `not_found`, `invalid`, `malformed`,
    /// `wrong_credentials`, `throttled`, `conflict`, `aws_unreachable`, `internal`.
    code: &'static str,
    /// What was wrong, for a person.
    message: String,
    /// The field at fault, when one is: a form's field as the page names it (`threshold`,
    /// `target-2` for a rule's third target row), or a parameter (`id`, `page`, `expr`).
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// Every field's problem, when a form had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<FieldError>,
    /// A cron expression's mistake: its byte range in `expr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    span: Option<[usize; 2]>,
    /// A cron expression with the obvious fix applied, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    field: String,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: String) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code,
                    message,
                    field: None,
                    problems: Vec::new(),
                    span: None,
                    fixed: None,
                },
            },
            retry_after: None,
        }
    }

    fn malformed(status: StatusCode, field: Option<&str>, message: String) -> Self {
        let mut error = ApiError::new(status, "malformed", message);
        error.body.error.field = field.map(str::to_owned);
        error
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        // AWS's own words can name endpoints, accounts and roles: they go to the log (where
        // the server function put them), and the client gets a plain sentence.
        let message = match &error {
            AppError::Transport(_) => {
                "AWS did not answer a read this needs. Try again in a moment.".to_owned()
            }
            other => other.to_string(),
        };
        let code = match &error {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid { .. } | AppError::InvalidForm { .. } => "invalid",
            AppError::WrongCredentials => "wrong_credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::Conflict(_) => "conflict",
            AppError::Transport(_) => "aws_unreachable",
            AppError::Internal => "internal",
        };
        // A server function reports an AWS read that failed as Transport: for an API client
        // that is a gateway's failure (502), not Belfry's own (500).
        let status = match &error {
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
            other => {
                StatusCode::from_u16(other.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        let mut api = ApiError::new(status, code, message);
        match error {
            AppError::Invalid { field, .. } if !field.is_empty() => {
                api.body.error.field = Some(field);
            }
            AppError::Invalid { .. } => api.body.error.code = "malformed",
            AppError::InvalidForm { errors } => {
                api.body.error.field = errors.first().map(|e| e.field.clone());
                api.body.error.problems = errors
                    .into_iter()
                    .map(|FieldProblem { field, message, .. }| FieldError { field, message })
                    .collect();
            }
            AppError::Throttled {
                retry_after_seconds,
            } => api.retry_after = Some(retry_after_seconds),
            _ => {}
        }
        api
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // One status for every body that cannot be read (not JSON, the wrong shape, no JSON
        // content type): the message says which.
        ApiError::malformed(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            rejection.body_text(),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        // The only path parameter is a resource id: one that is not a UUID names nothing.
        let mut error = ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Not found: {}", rejection.body_text()),
        );
        error.body.error.field = Some("id".to_owned());
        error
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::malformed(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            rejection.body_text(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// A result as the API answers it: 200 with the value as JSON, or the error.
fn answer<T: Serialize>(result: Result<T, ApiError>) -> Response {
    answer_with(result, |value| Json(value).into_response())
}

/// A result as the API answers it: `ok` makes the answer of a success, or the error.
fn answer_with<T>(result: Result<T, ApiError>, ok: impl FnOnce(T) -> Response) -> Response {
    result.map_or_else(IntoResponse::into_response, ok)
}

/// A JSON body, refused as `malformed` in the API's own error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Body<T>(T);

/// A path parameter, refused as the API's 404 when it does not parse.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(T);

/// A new resource's id.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// 201 with the new resource's id, and where it lives under `collection`.
fn created(collection: &str, id: Uuid) -> Response {
    let mut response = (StatusCode::CREATED, Json(Created { id })).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page, from 1 (fifty to a page); past the end, the last page.
    #[param(minimum = 1)]
    page: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Stop managing it and leave it in AWS, rather than delete it there.
    orphan: Option<bool>,
}

async fn list(state: &AppState, parts: Parts, kind: Kind, page: Option<i64>) -> Response {
    if page.is_some_and(|page| page < 1) {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Pages count from 1.".to_owned(),
        );
        error.body.error.field = Some("page".to_owned());
        return error.into_response();
    }
    // Any page past the end is the last one.
    let page = page.map(|page| u32::try_from(page).unwrap_or(u32::MAX));
    answer(in_context(state, parts, move || fns::list_page(kind, page)).await)
}

async fn read_view(
    state: &AppState,
    parts: Parts,
    kind: Kind,
    id: Uuid,
) -> Result<ResourceView, ApiError> {
    in_context(state, parts, move || fns::ssr::resource(kind, id)).await
}

/// Deletes (or orphans) the team's resource of this kind: 404 for another kind's id.
async fn delete_of(
    state: &AppState,
    parts: Parts,
    kind: Kind,
    id: Uuid,
    orphan: Option<bool>,
) -> Response {
    let result = in_context(state, parts, move || async move {
        fns::ssr::resource(kind, id).await?;
        fns::delete_resource(id, orphan).await
    })
    .await;
    answer_with(result, |()| StatusCode::ACCEPTED.into_response())
}

/// `list` and `delete` for a kind of resource: alike for every kind but in their names.
macro_rules! list_and_delete {
    ($kind:expr, $path:literal, $tag:literal, $suffix:expr, list: $list_doc:expr, delete: $delete_doc:expr) => {
        #[doc = $list_doc]
        #[utoipa::path(get, path = $path, tag = $tag, params(PageQuery),
            operation_id = concat!("list_", $suffix),
            security(("session" = [])),
            responses(
                (status = 200, body = ResourcePage),
                (status = 401, body = ErrorBody),
                (status = 422, body = ErrorBody),
            ))]
        pub async fn list(
            State(state): State<AppState>,
            parts: Parts,
            Query(query): Query<PageQuery>,
        ) -> Response {
            super::list(&state, parts, $kind, query.page).await
        }

        #[doc = $delete_doc]
        #[utoipa::path(delete, path = concat!($path, "/{id}"), tag = $tag,
            operation_id = concat!("delete_", $suffix),
            params(("id" = Uuid, Path), DeleteQuery),
            security(("session" = [])),
            responses(
                (status = 202, description = "Joined the plan"),
                (status = 401, body = ErrorBody),
                (status = 403, body = ErrorBody),
                (status = 404, body = ErrorBody),
                (status = 422, description = "`orphan` is not true or false", body = ErrorBody),
            ))]
        pub async fn delete(
            State(state): State<AppState>,
            parts: Parts,
            Path(id): Path<Uuid>,
            Query(query): Query<DeleteQuery>,
        ) -> Response {
            super::delete_of(&state, parts, $kind, id, query.orphan).await
        }
    };
}

/// The resources whose spec is a form: one module of handlers each, alike but for the
/// form's type and the server functions that load and save it.
macro_rules! form_resource {
    (
        $module:ident, $kind:expr, $path:literal, $tag:literal, $what:literal,
        $form:ty, $detail:ident, $edit:ident,
        load: $load:expr, save: $save:expr,
        example: json!($example:tt)
    ) => {
        #[doc = concat!("A ", $what, " with its status and its form.")]
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        pub struct $detail {
            pub resource: ResourceView,
            pub form: $form,
        }

        #[doc = concat!("A change of a ", $what, ": the form, and the version it was read at.")]
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        pub struct $edit {
            /// `resource.version` from the read this edit starts from.
            pub version: i32,
            pub form: $form,
        }

        pub mod $module {
            use super::*;

            list_and_delete!($kind, $path, $tag, stringify!($module),
                list: concat!("The team's ", $what, "s, fifty to a page, by name."),
                delete: concat!("Asks for a ", $what, " to go at the next apply: deleted from AWS, or with `orphan`, left there and forgotten."));

            #[doc = concat!("Declares a ", $what, ". It joins the plan: nothing reaches AWS until the plan is applied.")]
            #[utoipa::path(post, path = $path, tag = $tag,
                operation_id = concat!("create_", stringify!($module)),
                request_body(content = $form, example = json!($example)),
                security(("session" = [])),
                responses(
                    (status = 201, body = Created, links(
                        ("read" = (operation_id = concat!("read_", stringify!($module)),
                            parameters(("id" = "$response.body#/id")))),
                        ("delete" = (operation_id = concat!("delete_", stringify!($module)),
                            parameters(("id" = "$response.body#/id")))),
                    )),
                    (status = 401, body = ErrorBody),
                    (status = 403, body = ErrorBody),
                    (status = 409, description = "The team has one of that name", body = ErrorBody),
                    (status = 422, description = "Every field's problem", body = ErrorBody),
                    (status = 502, description = "AWS did not answer a read the check needs", body = ErrorBody),
                ))]
            pub async fn create(
                State(state): State<AppState>,
                parts: Parts,
                Body(form): Body<$form>,
            ) -> Response {
                let save = $save;
                answer_with(in_context(&state, parts, move || save(form, None, None)).await, |id| created($path, id))
            }

            #[doc = concat!("One ", $what, ": its status, and its form as an edit would start from.")]
            #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag,
                operation_id = concat!("read_", stringify!($module)),
                params(("id" = Uuid, Path)),
                security(("session" = [])),
                responses(
                    (status = 200, body = $detail),
                    (status = 401, body = ErrorBody),
                    (status = 404, body = ErrorBody),
                ))]
            pub async fn read(
                State(state): State<AppState>,
                parts: Parts,
                Path(id): Path<Uuid>,
            ) -> Response {
                let load = $load;
                let result = in_context(&state, parts, move || async move {
                    let resource = app::api::resources::ssr::resource($kind, id).await?;
                    let form = load(id).await?;
                    Ok($detail { resource, form })
                })
                .await;
                answer(result)
            }

            #[doc = concat!("Changes a ", $what, ". Every field is replaced; `version` must be the one read, or the answer is 409 and nothing changes.")]
            #[utoipa::path(put, path = concat!($path, "/{id}"), tag = $tag,
                operation_id = concat!("update_", stringify!($module)),
                params(("id" = Uuid, Path)), request_body = $edit,
                security(("session" = [])),
                responses(
                    (status = 200, body = Created),
                    (status = 401, body = ErrorBody),
                    (status = 403, body = ErrorBody),
                    (status = 404, body = ErrorBody),
                    (status = 409, description = "Changed since it was read, or the name is taken", body = ErrorBody),
                    (status = 422, body = ErrorBody),
                    (status = 502, description = "AWS did not answer a read the check needs", body = ErrorBody),
                ))]
            pub async fn update(
                State(state): State<AppState>,
                parts: Parts,
                Path(id): Path<Uuid>,
                Body(edit): Body<$edit>,
            ) -> Response {
                let save = $save;
                let result =
                    in_context(&state, parts, move || save(edit.form, Some(id), Some(edit.version)))
                        .await;
                answer_with(result, |id| Json(Created { id }).into_response())
            }
        }
    };
}

form_resource!(
    alarms, Kind::Alarm, "/api/v1/alarms", "alarms", "CloudWatch alarm",
    AlarmForm, AlarmDetail, AlarmEdit,
    load: |id| async move { fns::load_alarm_form(id).await.map(|(form, _)| form) },
    save: fns::save_alarm,
    example: json!({
        "name": "lab-ebs-writes",
        "description": "EBS writes above the lab's line",
        "namespace": "AWS/EBS",
        "metric_name": "VolumeWriteBytes",
        "dimensions": "VolumeId=vol-0123456789abcdef0",
        "statistic": "Sum",
        "period_seconds": "300",
        "evaluation_periods": "1",
        "threshold": "100000",
        "comparison": "GreaterThanThreshold"
    })
);

form_resource!(
    rules, Kind::Rule, "/api/v1/rules", "rules", "EventBridge rule",
    RuleForm, RuleDetail, RuleEdit,
    load: |id| async move { fns::load_rule_form(Some(id), None).await.map(|data| data.form) },
    save: fns::save_rule,
    example: json!({
        "name": "daily-at-10-utc",
        "description": "Every day at 10:00 UTC, invoke a Lambda function",
        "trigger": "schedule",
        "schedule": "cron(0 10 * * ? *)",
        "enabled": "true",
        "zone": "UTC",
        "targets": [{
            "kind": "lambda",
            "arn": "arn:aws:lambda:ap-northeast-2:123456789012:function:belfry-lab-counter",
            "input": "{\"from\": \"belfry\"}"
        }]
    })
);

form_resource!(
    schedules, Kind::Schedule, "/api/v1/schedules", "schedules", "EventBridge Scheduler schedule",
    ScheduleForm, ScheduleDetail, ScheduleEdit,
    load: |id| async move { fns::load_schedule_form(Some(id)).await.map(|(form, _)| form) },
    save: fns::save_schedule,
    example: json!({
        "name": "new-york-mornings",
        "group": "default",
        "expression": "cron(0 9 ? * MON-FRI *)",
        "timezone": "America/New_York",
        "enabled": "true",
        "target_arn": "arn:aws:lambda:ap-northeast-2:123456789012:function:belfry-lab-counter",
        "role_arn": "arn:aws:iam::123456789012:role/scheduler"
    })
);

form_resource!(
    balancers, Kind::LoadBalancer, "/api/v1/load-balancers", "load-balancers", "load balancer",
    BalancerForm, BalancerDetail, BalancerEdit,
    load: |id| async move {
        app::api::balancers::load_balancer_form(Some(id)).await.map(|(form, _)| form)
    },
    save: app::api::balancers::save_balancer,
    example: json!({
        "name": "lab-alb",
        "kind": "application",
        "scheme": "internet-facing",
        "vpc": "vpc-0123456789abcdef0",
        "subnets": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"],
        "own_security_group": true,
        "group_name": "lab-web",
        "group_protocol": "HTTP",
        "group_port": "80",
        "health_path": "/",
        "instances": ["i-0123456789abcdef0", "i-0fedcba9876543210"],
        "listener_port": "80"
    })
);

/// Topics and subscriptions have no form to edit: SNS renames nothing, so a topic's one
/// change is its display name, and a subscription is its topic, protocol and endpoint.
pub mod topics {
    use super::*;

    /// A topic's new display name, and the version it was read at.
    #[derive(Debug, Deserialize, ToSchema)]
    pub struct TopicEdit {
        /// `version` from the read this edit starts from.
        version: i32,
        /// At most 100 characters; empty for none.
        display_name: String,
    }

    /// A new SNS topic.
    #[derive(Debug, Deserialize, ToSchema)]
    pub struct NewTopic {
        /// 1 to 256 letters, digits, hyphens and underscores.
        name: String,
        display_name: Option<String>,
    }

    list_and_delete!(Kind::Topic, "/api/v1/topics", "topics", "topics",
        list: "The team's SNS topics, fifty to a page.",
        delete: "Asks for a topic to go at the next apply (or, with `orphan`, to be forgotten).");

    /// Declares an SNS topic.
    #[utoipa::path(post, path = "/api/v1/topics", tag = "topics", operation_id = "create_topics",
        request_body(content = NewTopic, example = json!({"name": "ops-alerts", "display_name": "Ops"})),
        security(("session" = [])),
        responses(
            (status = 201, body = Created, links(
                ("read" = (operation_id = "read_topics", parameters(("id" = "$response.body#/id")))),
            )),
            (status = 401, body = ErrorBody),
            (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
            (status = 422, body = ErrorBody),
        ))]
    pub async fn create(
        State(state): State<AppState>,
        parts: Parts,
        Body(topic): Body<NewTopic>,
    ) -> Response {
        let result = in_context(&state, parts, move || {
            fns::create_topic(topic.name, topic.display_name)
        })
        .await;
        answer_with(result, |id| created("/api/v1/topics", id))
    }

    /// One topic and its status.
    #[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "topics", operation_id = "read_topics",
        params(("id" = Uuid, Path)), security(("session" = [])),
        responses((status = 200, body = ResourceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
    pub async fn read(
        State(state): State<AppState>,
        parts: Parts,
        Path(id): Path<Uuid>,
    ) -> Response {
        answer(read_view(&state, parts, Kind::Topic, id).await)
    }

    /// Changes a topic's display name (its name never changes). `version` must be the one
    /// read, or the answer is 409 and nothing changes. It joins the plan.
    #[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "topics", operation_id = "update_topics",
        params(("id" = Uuid, Path)),
        request_body(content = TopicEdit, example = json!({"version": 1, "display_name": "Operations"})),
        security(("session" = [])),
        responses(
            (status = 200, body = Created),
            (status = 401, body = ErrorBody),
            (status = 403, body = ErrorBody),
            (status = 404, body = ErrorBody),
            (status = 409, description = "Changed since it was read", body = ErrorBody),
            (status = 422, body = ErrorBody),
        ))]
    pub async fn update(
        State(state): State<AppState>,
        parts: Parts,
        Path(id): Path<Uuid>,
        Body(edit): Body<TopicEdit>,
    ) -> Response {
        let result = in_context(&state, parts, move || {
            fns::edit_topic(id, edit.display_name, edit.version)
        })
        .await;
        answer_with(result, |id| Json(Created { id }).into_response())
    }
}

pub mod subscriptions {
    use super::*;

    /// A new subscription to one of the team's topics.
    #[derive(Debug, Deserialize, ToSchema)]
    pub struct NewSubscription {
        /// The topic's id in Belfry.
        topic: Uuid,
        /// `email`, `https`, `sqs` or `lambda`.
        protocol: String,
        /// An email address, an https URL, or an SQS queue's or Lambda function's ARN.
        endpoint: String,
    }

    list_and_delete!(Kind::Subscription, "/api/v1/subscriptions", "subscriptions", "subscriptions",
        list: "The team's subscriptions, fifty to a page. An email or https one shows \
            `pending_since` until its owner confirms it.",
        delete: "Asks for a subscription to go at the next apply. SNS cannot remove one that \
            was never confirmed: Belfry then forgets it, and it lapses.");

    /// Subscribes an endpoint to one of the team's topics.
    #[utoipa::path(post, path = "/api/v1/subscriptions", tag = "subscriptions", operation_id = "create_subscriptions",
        request_body = NewSubscription, security(("session" = [])),
        responses(
            (status = 201, body = Created, links(
                ("read" = (operation_id = "read_subscriptions", parameters(("id" = "$response.body#/id")))),
                ("resend" = (operation_id = "resend_confirmation", parameters(("id" = "$response.body#/id")))),
                ("delete" = (operation_id = "delete_subscriptions", parameters(("id" = "$response.body#/id")))),
            )),
            (status = 401, body = ErrorBody),
            (status = 403, body = ErrorBody), (status = 404, description = "No such topic in the team", body = ErrorBody),
            (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        ))]
    pub async fn create(
        State(state): State<AppState>,
        parts: Parts,
        Body(new): Body<NewSubscription>,
    ) -> Response {
        let result = in_context(&state, parts, move || {
            fns::create_subscription(new.topic, new.protocol, new.endpoint)
        })
        .await;
        answer_with(result, |id| created("/api/v1/subscriptions", id))
    }

    /// One subscription and its status.
    #[utoipa::path(get, path = "/api/v1/subscriptions/{id}", tag = "subscriptions", operation_id = "read_subscriptions",
        params(("id" = Uuid, Path)), security(("session" = [])),
        responses((status = 200, body = ResourceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
    pub async fn read(
        State(state): State<AppState>,
        parts: Parts,
        Path(id): Path<Uuid>,
    ) -> Response {
        answer(read_view(&state, parts, Kind::Subscription, id).await)
    }

    /// Sends a pending subscription's confirmation again.
    #[utoipa::path(post, path = "/api/v1/subscriptions/{id}/resend", tag = "subscriptions", operation_id = "resend_confirmation",
        params(("id" = Uuid, Path)), security(("session" = [])),
        responses(
            (status = 202, description = "The confirmation will be sent again"),
            (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
            (status = 404, body = ErrorBody),
        ))]
    pub async fn resend(
        State(state): State<AppState>,
        parts: Parts,
        Path(id): Path<Uuid>,
    ) -> Response {
        let result = in_context(&state, parts, move || async move {
            fns::ssr::resource(Kind::Subscription, id).await?;
            fns::resend_confirmation(id).await
        })
        .await;
        answer_with(result, |()| StatusCode::ACCEPTED.into_response())
    }
}

pub mod session {
    use super::*;

    #[derive(Debug, Deserialize, ToSchema)]
    pub struct Credentials {
        email: String,
        password: String,
    }

    /// Signs in: the answer sets the `belfry-session` cookie. Failed attempts are throttled
    /// per email and per client (429 with `Retry-After`).
    #[utoipa::path(post, path = "/api/v1/session", tag = "session", operation_id = "sign_in", request_body = Credentials,
        responses(
            (status = 200, description = "Signed in; the cookie is set", body = Me),
            (status = 401, body = ErrorBody),
            (status = 403, description = "The account belongs to no team any more", body = ErrorBody),
            (status = 422, body = ErrorBody),
            (status = 429, body = ErrorBody),
        ))]
    pub async fn create(
        State(state): State<AppState>,
        parts: Parts,
        Body(credentials): Body<Credentials>,
    ) -> Response {
        let result = in_context(&state, parts, move || async move {
            app::api::auth::login(credentials.email, credentials.password, None).await?;
            app::api::auth::whoami()
                .await?
                .ok_or(AppError::Unauthenticated)
        })
        .await;
        answer(result)
    }

    /// Who the session belongs to, in which team, with which role.
    #[utoipa::path(get, path = "/api/v1/session", tag = "session", operation_id = "whoami", security(("session" = [])),
        responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
    pub async fn read(State(state): State<AppState>, parts: Parts) -> Response {
        let result = in_context(&state, parts, || async {
            app::api::auth::whoami()
                .await?
                .ok_or(AppError::Unauthenticated)
        })
        .await;
        answer(result)
    }

    /// Signs out: the session ends on the server, and its cookie is worthless afterwards.
    #[utoipa::path(delete, path = "/api/v1/session", tag = "session", operation_id = "sign_out",
        responses((status = 204, description = "Signed out")))]
    pub async fn delete(State(state): State<AppState>, parts: Parts) -> Response {
        answer_with(
            in_context(&state, parts, app::api::auth::logout).await,
            |()| StatusCode::NO_CONTENT.into_response(),
        )
    }
}

/// What applying the plan would change in AWS, resource by resource.
#[utoipa::path(get, path = "/api/v1/plan", tag = "plan", operation_id = "plan", security(("session" = [])),
    responses((status = 200, body = PlanView), (status = 401, body = ErrorBody)))]
pub async fn plan(State(state): State<AppState>, parts: Parts) -> Response {
    answer(in_context(&state, parts, fns::plan).await)
}

/// How many changes an apply released to the workers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Applied {
    pub released: u64,
}

/// Applies the plan: the workers take the team's held changes. Follow each resource's
/// `status` (or `GET /api/v1/plan`) to see them reach AWS.
#[utoipa::path(post, path = "/api/v1/apply", tag = "plan", operation_id = "apply", security(("session" = [])),
    responses(
        (status = 202, body = Applied), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
pub async fn apply(State(state): State<AppState>, parts: Parts) -> Response {
    answer_with(
        in_context(&state, parts, fns::apply_plan).await,
        |released| (StatusCode::ACCEPTED, Json(Applied { released })).into_response(),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NextQuery {
    /// `cron(…)`, `rate(…)` or `at(…)`.
    expr: String,
    /// Start after this instant (RFC 3339); now when left out. `rate()` counts from it.
    from: Option<String>,
    /// How many runs, 1 to 1000 (10 when left out).
    #[param(minimum = 1, maximum = 1000)]
    count: Option<u32>,
    /// The IANA zone the expression is read in (EventBridge Scheduler); UTC when left out.
    tz: Option<String>,
    /// `en` or `ko`, for the description and errors.
    lang: Option<String>,
}

/// The next runs of an expression.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NextRuns {
    /// The expression in canonical AWS form.
    pub expression: String,
    /// When it runs, in plain words.
    pub description: String,
    pub tz: String,
    /// Instants in UTC, earliest first; fewer than asked when the schedule ends.
    pub runs: Vec<chrono::DateTime<chrono::Utc>>,
}

/// The next runs of an AWS schedule expression, and what it means in plain words. Public,
/// like the cron playground. An invalid expression is 422 with `field` = `expr`, the byte
/// `span` of the mistake in it, and, when there is an obvious one, the `fixed` expression.
#[utoipa::path(get, path = "/api/v1/cron/next", tag = "cron", operation_id = "cron_next", params(NextQuery),
    responses((status = 200, body = NextRuns), (status = 422, body = ErrorBody)))]
pub async fn cron_next(Query(query): Query<NextQuery>) -> Result<Json<NextRuns>, ApiError> {
    use app::cron::{Lang, Schedule};
    let invalid = |field: &str, message: String| {
        let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        error.body.error.field = Some(field.to_owned());
        error
    };
    let lang = match query.lang.as_deref() {
        None | Some("en") => Lang::En,
        Some("ko") => Lang::Ko,
        Some(_) => return Err(invalid("lang", "lang is en or ko".to_owned())),
    };
    let tz: app::cron::Tz = match query.tz.as_deref() {
        None => app::cron::Tz::UTC,
        Some(name) => name
            .parse()
            .map_err(|_| invalid("tz", format!("{name:?} is not an IANA time zone")))?,
    };
    let from = match query.from.as_deref() {
        None => chrono::Utc::now(),
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| invalid("from", format!("{text:?} is not an RFC 3339 instant")))?
            .with_timezone(&chrono::Utc),
    };
    let count = query.count.unwrap_or(10);
    if !(1..=crate::cron_cli::MAX_COUNT as u32).contains(&count) {
        return Err(invalid("count", "count is 1 to 1000".to_owned()));
    }
    let schedule: Schedule = query.expr.parse().map_err(|error: app::cron::CronError| {
        let mut message = error.message(lang);
        if let Some(suggestion) = error.suggestion(lang) {
            message.push_str(&format!(" {suggestion}"));
        }
        let mut api = invalid("expr", message);
        api.body.error.span = Some([error.span.start, error.span.end]);
        api.body.error.fixed = error.fixed;
        api
    })?;
    let runs = schedule.next_runs(from, count as usize, tz);
    Ok(Json(NextRuns {
        expression: schedule.to_string(),
        description: schedule.describe(lang),
        tz: tz.name().to_owned(),
        runs,
    }))
}
