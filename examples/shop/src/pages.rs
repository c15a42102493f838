//! Rendering: askama templates as responses, the error page, static assets and security headers.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// A rendered page with a status.
#[derive(Debug)]
pub struct Page<T> {
    status: StatusCode,
    template: T,
}

impl<T: Template> Page<T> {
    /// A 200 page.
    pub fn ok(template: T) -> Page<T> {
        Page {
            status: StatusCode::OK,
            template,
        }
    }

    /// A page with another status.
    pub fn with_status(status: StatusCode, template: T) -> Page<T> {
        Page { status, template }
    }
}

impl<T: Template> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.template.render() {
            Ok(body) => (
                self.status,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                body,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "rendering a page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

/// The error page.
#[derive(Template, Debug)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Heading.
    pub title: String,
    /// What happened and what to do.
    pub message: String,
}

/// An error page.
pub fn error(status: StatusCode, title: &str, message: &str) -> Response {
    Page::with_status(
        status,
        ErrorPage {
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
    .into_response()
}

/// The shop's handler error: logged with its cause chain, shown as a generic page.
#[derive(Debug)]
pub struct AppError(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for AppError {
    fn from(e: E) -> AppError {
        AppError(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error.cause_chain = ?self.0, error.message = %self.0, "request failed");
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The shop could not handle this request. Please try again in a moment.",
        )
    }
}

/// The fallback: 404 page.
pub async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no page at this address.",
    )
}

/// A stored RFC 3339 timestamp as the back office shows it: `2025-03-01 10:15:07 UTC`, to the
/// second (the database keeps nanoseconds). Anything else is shown as stored.
pub fn display_time(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// A 303 to `location`.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => error(
            StatusCode::BAD_GATEWAY,
            "Cannot continue",
            "The next address is not a valid URL.",
        ),
    }
}

const SHOP_CSS: &str = include_str!("../assets/shop.css");
const SHOP_JS: &str = include_str!("../assets/shop.js");

/// `GET /assets/shop.css`.
pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SHOP_CSS,
    )
        .into_response()
}

/// `GET /assets/shop.js`.
pub async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SHOP_JS,
    )
        .into_response()
}

/// Middleware: a content security policy that allows scripts from the shop and Amazon Pay's
/// `checkout.js` origin only, and no inline script.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let amazon = state.settings().amazon_origin();
    let csp = format!(
        "default-src 'self'; script-src 'self' {amazon}; connect-src 'self' {amazon}; \
         img-src 'self' data:; style-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::display_time;

    #[test]
    fn stored_timestamps_show_to_the_second_in_utc() {
        assert_eq!(
            display_time("2025-03-01T10:15:07.123456789Z"),
            "2025-03-01 10:15:07 UTC"
        );
        assert_eq!(
            display_time("2025-03-01T11:15:07+01:00"),
            "2025-03-01 10:15:07 UTC"
        );
        assert_eq!(display_time("yesterday"), "yesterday");
    }
}
