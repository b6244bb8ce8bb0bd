#!/usr/bin/env node
// Echo server on the node `ws` library, library defaults.
//
//   node tests/servers/ws_echo.js --port 0   # prints "listening on 127.0.0.1:PORT"
//
// Defaults kept on purpose (ws 8.23): maxPayload = 100 MiB (104857600: a
// bigger message is refused with Close 1009), maxFragments = 16384 per
// message (then Close 1008), maxBufferedChunks = 262144, maxPendingAutoPongs
// = 60 (more pongs queued unwritten: the connection is terminated, no Close),
// perMessageDeflate = false, skipUTF8Validation = false,
// allowSynchronousEvents = true, no ping timer.
// Started by scripts/real-servers.sh with NODE_PATH at the pinned install.
'use strict';
const { WebSocketServer } = require('ws');

const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 9001;
const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('listening', () => console.log(`listening on 127.0.0.1:${wss.address().port}`));
wss.on('connection', (ws) => {
  // Without a listener an 'error' (the library failing a connection) would end the process.
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
