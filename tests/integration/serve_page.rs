//! `serve` over plain HTTP: the browser driver page at `/`, its JSON at
//! `/results`, refusals for other methods and paths — and the WebSocket
//! routes beside them, with the `permessage-deflate` offer every browser
//! makes declined. The page itself runs in Chromium in
//! `scripts/check-browser.sh`, not here.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::server::serve::{ClientTester, DRIVER_PAGE, ServeConfig, client_cases};

const CASES: &str = "1.1.1,1.1.2,2.2";

async fn start(name: &str) -> SocketAddr {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-page-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let selected = Selection::parse(CASES, "").apply(catalog::all(Profile::Quick));
    let cfg = ServeConfig::new(client_cases(selected), dir);
    let tester = ClientTester::bind("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .expect("bind");
    tester.spawn().expect("spawn").0
}

/// Sends `request` as is and reads the whole answer (the server closes).
async fn http(addr: SocketAddr, request: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("the server closes after its answer")
        .unwrap();
    let text = String::from_utf8(out).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    (head.to_string(), body.to_string())
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n")
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn root_is_the_driver_page() {
    let addr = start("root").await;
    let (head, body) = http(addr, &get("/")).await;
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert_eq!(
        header(&head, "Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        header(&head, "Content-Length"),
        Some(&*body.len().to_string())
    );
    assert_eq!(body, DRIVER_PAGE);
    for endpoint in [
        "/getCaseCount",
        "/runCase?case=",
        "/updateReports",
        "/results?",
    ] {
        assert!(body.contains(endpoint), "the page uses {endpoint}");
    }
    assert!(body.contains("new WebSocket("));
    for outside in ["src=\"", "href=\"http", "href=\"/", "@import", "url("] {
        assert!(!body.contains(outside), "no outside resource: {outside}");
    }
    let (head, body) = http(addr, &get("/?agent=x&cases=1.*")).await;
    assert!(head.starts_with("HTTP/1.1 200 ") && body == DRIVER_PAGE);
    let (head, body) = http(addr, &get("/").replacen("GET", "HEAD", 1)).await;
    assert!(
        head.starts_with("HTTP/1.1 200 ") && body.is_empty(),
        "{head}"
    );
}

#[tokio::test]
async fn other_methods_and_paths_are_refused() {
    let addr = start("refused").await;
    for method in ["POST", "PUT", "DELETE"] {
        let request = format!("{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        let (head, _) = http(addr, &request).await;
        assert!(
            head.starts_with("HTTP/1.1 405 Method Not Allowed"),
            "{head}"
        );
        assert_eq!(header(&head, "Allow"), Some("GET, HEAD"));
    }
    let (head, body) = http(addr, &get("/nothing")).await;
    assert!(head.starts_with("HTTP/1.1 404 Not Found"), "{head}");
    assert!(body.contains("unknown path"), "{body}");
    let (head, _) = http(addr, &get("/runCase?case=99")).await;
    assert!(head.starts_with("HTTP/1.1 404 Not Found"), "{head}");
}

#[tokio::test]
async fn results_list_the_cases_and_what_was_recorded() {
    let addr = start("results").await;
    let json = |body: String| serde_json::from_str::<serde_json::Value>(&body).unwrap();
    let (head, body) = http(addr, &get("/results?agent=b")).await;
    assert_eq!(header(&head, "Content-Type"), Some("application/json"));
    let before = json(body);
    assert_eq!(before["case_count"], 3);
    assert_eq!(before["counts"]["MISSING"], 3);
    let ids: Vec<&str> = before["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1.1.1", "1.1.2", "2.2"]);
    assert!(before["cases"][0]["limit_ms"].as_u64().unwrap() > 5000);

    // Case 2 by a browser-like echo client, offering permessage-deflate.
    let url = format!("ws://{addr}/runCase?case=2&agent=b");
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Extensions",
        "permessage-deflate; client_max_window_bits"
            .parse()
            .unwrap(),
    );
    let (mut ws, response) = connect_async(request).await.expect("101");
    assert!(
        response.headers().get("Sec-WebSocket-Extensions").is_none(),
        "the offer is declined"
    );
    while let Some(Ok(m)) = ws.next().await {
        if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
            break;
        }
    }
    let mut after = json(http(addr, &get("/results?agent=b&cases=1.1.*")).await.1);
    for _ in 0..50 {
        if after["counts"]["MISSING"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = json(http(addr, &get("/results?agent=b&cases=1.1.*")).await.1);
    }
    assert_eq!(after["cases"].as_array().unwrap().len(), 2);
    assert_eq!(after["cases"][1]["n"], 2);
    assert_eq!(after["cases"][1]["result"]["outcome"], "PASS");
    assert!(
        after["cases"][1]["result"].get("wire").is_none(),
        "no wire log"
    );
    assert!(after["cases"][0]["result"].is_null());
    assert_eq!(
        after["counts"],
        serde_json::json!({"MISSING": 1, "PASS": 1})
    );
    assert_eq!(after["keys"]["id"], "15.3.1");
}

#[tokio::test]
async fn websocket_routes_still_work() {
    let addr = start("ws").await;
    let (mut ws, _) = connect_async(format!("ws://{addr}/getCaseCount"))
        .await
        .expect("101");
    let mut text = String::new();
    while let Some(Ok(m)) = ws.next().await {
        if let Message::Text(t) = m {
            text = t.to_string();
        }
    }
    assert_eq!(text, "3");
    let info = connect_async(format!("ws://{addr}/getCaseInfo?case=3")).await;
    assert!(info.is_ok());
}
