//! The plain HTTP side of `serve`: the browser driver page at `/`, its JSON
//! at `/results`, and the short text answers for requests that are refused
//! (404 unknown path or case, 405 a method other than GET or HEAD). Each
//! answer closes the connection.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use super::Shared;
use super::route::Route;
use super::summary::results_json;
use crate::codec::ClientHandshake;
use crate::runner::close;

/// The browser driver page: inline script and style, no outside resources.
pub const DRIVER_PAGE: &str = include_str!("driver.html");

/// Answers a plain HTTP route (see [`Route::is_plain_http`]).
pub(super) async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &ClientHandshake,
    route: &Route,
    shared: &Shared,
) {
    if request.method != "GET" && request.method != "HEAD" {
        let why = format!("method {} is not allowed here; use GET", request.method);
        return refuse(stream, 405, &why).await;
    }
    let (kind, body) = match route {
        Route::Results(query) => ("application/json", results_json(shared, query)),
        _ => ("text/html; charset=utf-8", DRIVER_PAGE.to_string()),
    };
    let body = if request.method == "HEAD" {
        String::new()
    } else {
        body
    };
    let head = head(200, kind, body.len());
    write_and_close(stream, format!("{head}{body}").as_bytes()).await;
}

/// Answers `status` with `why` as text and closes.
pub(super) async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
    why: &str,
) {
    let body = format!("{why}\n");
    let head = head(status, "text/plain; charset=utf-8", body.len());
    write_and_close(stream, format!("{head}{body}").as_bytes()).await;
}

fn head(status: u16, kind: &str, len: usize) -> String {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let allow = if status == 405 {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\n{allow}Connection: close\r\nCache-Control: no-store\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\n\r\n"
    )
}

async fn write_and_close<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) {
    let _ = timeout(Duration::from_secs(5), stream.write_all(bytes)).await;
    close(stream).await;
}
