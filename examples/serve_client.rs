//! A tokio-tungstenite client driver for `wsgauntlet serve` (the Autobahn
//! client-driver protocol), for benchmarks (`scripts/bench-conform.sh`):
//! `cargo run --release --example serve_client -- 127.0.0.1:9001 AGENT`.
//! Runs every case once, echoing each message, then asks for the reports.
#![forbid(unsafe_code)]

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9001".into());
    let agent = args.next().unwrap_or_else(|| "tungstenite".into());
    let (mut ws, _) = connect_async(format!("ws://{addr}/getCaseCount")).await?;
    let count: usize = match ws.next().await {
        Some(Ok(m)) => m.to_text()?.trim().parse()?,
        _ => return Err("no case count".into()),
    };
    let _ = ws.close(None).await;
    for n in 1..=count {
        let url = format!("ws://{addr}/runCase?case={n}&agent={agent}");
        let config = WebSocketConfig::default()
            .max_message_size(Some(256 << 20))
            .max_frame_size(Some(256 << 20));
        let Ok((mut ws, _)) =
            tokio_tungstenite::connect_async_with_config(url, Some(config), false).await
        else {
            continue;
        };
        while let Some(Ok(msg)) = ws.next().await {
            if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                break;
            }
        }
    }
    let (mut ws, _) = connect_async(format!("ws://{addr}/updateReports?agent={agent}")).await?;
    while let Some(Ok(_)) = ws.next().await {}
    println!("{count} cases");
    Ok(())
}
