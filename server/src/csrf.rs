//! Cross-site request forgery: no request from another site may change anything. Leptos
//! server functions do no such check of their own, so this layer guards every route.
//!
//! A request that is not GET, HEAD or OPTIONS passes only when the browser says it came from
//! this site: `Sec-Fetch-Site` is `same-origin` or `none` (typed by the user), or, from
//! browsers that send no fetch metadata, `Origin` names the host it was sent to. Clients that
//! send neither (curl, the CLI, scripts) are not browsers and cannot be forged into sending a
//! victim's cookie, so they pass. GET never changes state anywhere in Belfry.
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_only(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || is_same_site(request.headers()) {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site request refused");
        let message = "Cross-site requests may not change anything in Belfry.";
        if request.uri().path().starts_with("/api/v1/") {
            // The JSON API's clients read its error shape.
            let body = serde_json::json!({ "error": { "code": "forbidden", "message": message } });
            (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
        } else {
            (StatusCode::FORBIDDEN, message).into_response()
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_site(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &header::HeaderValue| value.to_str().ok())
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin_host(origin) == Some(host),
        (Some(_), None) => false,
    }
}

/// `https://example.com:8443` → `example.com:8443`.
fn origin_host(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    Some(rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(is_same_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(!is_same_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_same_site(&headers(&[("sec-fetch-site", "same-site")])));
        // Fetch metadata wins over a matching Origin: a sibling subdomain is not this site.
        assert!(!is_same_site(&headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://a.test"),
            ("host", "a.test")
        ])));
    }

    #[test]
    fn origin_must_name_the_host_without_fetch_metadata() {
        assert!(is_same_site(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_site(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
    }

    #[test]
    fn clients_that_are_not_browsers_pass() {
        assert!(is_same_site(&HeaderMap::new()));
    }
}
