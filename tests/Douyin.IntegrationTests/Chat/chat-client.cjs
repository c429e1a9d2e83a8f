// A real SignalR client (@microsoft/signalr) for the chat tests, driven over stdin/stdout by ChatHubClient.cs.
// Usage: node chat-client.cjs <hub url> <access token>
// Prints one JSON object per line: {"event":"connected"}, {"event":"failed","error":...}, {"event":"message","message":{...}},
// {"event":"result","id":n,"message":{...}}, {"event":"error","id":n,"error":...}, {"event":"closed"}.
// Reads one command per line: {"id":n,"to_user_id":"...","content":"..."} invokes SendMessage.
"use strict";
const signalR = require("@microsoft/signalr");
const WebSocket = require("ws");
const readline = require("readline");

// Our ids are 64-bit and exceed JavaScript's exact integers: read long integers as strings (ids, never content, in these tests).
const parse = JSON.parse;
JSON.parse = (text, reviver) => parse(text.replace(/(?<=[:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '"$1"'), reviver);

const [url, token] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + "\n");

// WebSockets without negotiation, as the browser client connects: one connection, so it reaches one Chat replica
// whichever the orchestrator's proxy picks. Why a refused upgrade failed ("Unexpected server response: 401") is kept
// for the failure report: SignalR itself only says that the WebSocket failed to connect.
let refusal = null;
class ReportingWebSocket extends WebSocket {
  constructor(address, protocols, options) {
    super(address, protocols, options);
    this.on("error", (error) => { refusal = error.message; });
  }
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true, WebSocket: ReportingWebSocket })
  .configureLogging(signalR.LogLevel.Warning)
  .build();

connection.on("message", (message) => print({ event: "message", message }));
connection.onclose((error) => {
  print({ event: "closed", error: error ? String(error.message || error) : null });
  process.exit(0);
});

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const command = JSON.parse(line);
  try {
    const message = await connection.invoke("SendMessage", command.to_user_id, command.content);
    print({ event: "result", id: command.id, message });
  } catch (error) {
    print({ event: "error", id: command.id, error: String(error.message || error) });
  }
}).on("close", () => connection.stop());

connection.start().then(
  () => print({ event: "connected" }),
  (error) => {
    print({ event: "failed", error: String(error.message || error) + (refusal ? ` (${refusal})` : "") });
    process.exit(1);
  });
