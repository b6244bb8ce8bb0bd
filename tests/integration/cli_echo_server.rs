//! `wsgauntlet echo-server`, run as the real binary: it announces its
//! address, echoes, stops on Ctrl-C (SIGINT) with exit code 0, and exits 2
//! when it cannot listen.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .arg("echo-server")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wsgauntlet binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

/// Waits up to 5 s for the process to exit; its exit code.
fn exit_code(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("echo-server did not stop");
}

#[tokio::test]
async fn announces_echoes_and_stops_on_ctrl_c() {
    let (mut child, line) = start(&["--listen", "127.0.0.1:0", "--max-message", "10"]);
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        url.starts_with("ws://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let (mut ws, _) = connect_async(&url).await.expect("connect");
    ws.send(Message::text("ten bytes!")).await.unwrap();
    assert_eq!(
        ws.next().await.unwrap().unwrap(),
        Message::text("ten bytes!")
    );
    ws.send(Message::text("eleven byte")).await.unwrap();
    match ws.next().await.unwrap().unwrap() {
        Message::Close(Some(f)) => assert_eq!(u16::from(f.code), 1009),
        other => panic!("expected Close 1009 over --max-message, got {other:?}"),
    }
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(signalled.success());
    assert_eq!(exit_code(&mut child), Some(0));
}

#[test]
fn a_port_in_use_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (mut child, line) = start(&["--listen", &addr]);
    assert_eq!(line, "");
    assert_eq!(exit_code(&mut child), Some(2));
    let mut err = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut err)
        .unwrap();
    assert!(
        err.starts_with(&format!("error: cannot listen on {addr}")),
        "{err}"
    );
}
