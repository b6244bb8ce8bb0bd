#!/usr/bin/env node
// Autobahn client driver on the node `ws` library, library defaults.
//
//   node tests/clients/ws_client.js ws://127.0.0.1:9001 --agent ws
//
// Runs every case `wsgauntlet serve` offers (/getCaseCount, then
// /runCase?case=N for each, echoing every text and binary message as the same
// type), then /updateReports. Defaults kept on purpose (ws 8.23, client side):
// perMessageDeflate = true (offers `permessage-deflate; client_max_window_bits`),
// maxPayload = 100 MiB, skipUTF8Validation = false, no ping timer. An 'error'
// (the library failing the connection) is followed by 'close', which ends the
// case; serve judges what it saw on the wire.
// Started by scripts/real-clients.sh with NODE_PATH at the pinned install.
'use strict';
const WebSocket = require('ws');

// Longer than any case's deadline plus serve's close timeout.
const CASE_LIMIT_MS = 120000;

const base = (process.argv[2] || 'ws://127.0.0.1:9001').replace(/\/$/, '');
const i = process.argv.indexOf('--agent');
const agent = i > 0 ? process.argv[i + 1] : 'ws';

function open(url, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      console.error(`${url}: still running after ${CASE_LIMIT_MS} ms, left`);
      ws.terminate();
    }, CASE_LIMIT_MS);
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main() {
  let count = 0;
  await open(`${base}/getCaseCount`, (_ws, data) => {
    count = Number(data.toString());
  });
  if (!(count > 0)) throw new Error(`no case count from ${base}/getCaseCount`);
  for (let n = 1; n <= count; n++) {
    const url = `${base}/runCase?case=${n}&agent=${encodeURIComponent(agent)}`;
    await open(url, (ws, data, isBinary) => ws.send(data, { binary: isBinary }));
    if (n % 100 === 0) console.error(`${n} of ${count} cases`);
  }
  await open(`${base}/updateReports?agent=${encodeURIComponent(agent)}`, () => {});
}

main().catch((e) => {
  console.error(e.message);
  process.exit(2);
});
