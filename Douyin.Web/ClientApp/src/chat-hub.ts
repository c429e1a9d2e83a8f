// The live half of chat: Douyin.Web's SignalR hub at /hubs/chat pushes every new message, as the API's
// Message object, to all connections of both parties. Pushes are best effort, so the conversation screen
// catches up from /douyin/message/chat/ (pre_msg_time) whenever the connection comes back.
import { HttpTransportType, HubConnectionBuilder, LogLevel, TransferFormat, type HubConnection, type HubMessage, type IHubProtocol, type IRetryPolicy } from "@microsoft/signalr";
import { parseJson, type Message } from "./api";

/** The hub's client event that carries a new message (ChatHub.MessageEvent). */
const messageEvent = "message";

/** SignalR's JSON protocol, parsed like the API so that int64 ids stay exact (JsonHubProtocol would round them). */
const recordSeparator = "\x1e";
const protocol: IHubProtocol = {
  name: "json",
  version: 2,
  transferFormat: TransferFormat.Text,
  parseMessages: (input) => (input as string).split(recordSeparator).filter((frame) => frame).map((frame) => parseJson(frame) as HubMessage),
  writeMessage: (message) => JSON.stringify(message) + recordSeparator,
};

/**
 * The backoff when the connection is lost (a Chat replica stopped, the network went): at once, then 1, 2, 5 and 10 s,
 * then every 30 s without giving up, each delay up to a fifth longer at random, so that the clients of a stopped
 * replica do not all reach the next one in the same instant. The tests' .NET client uses the same (ChatReconnectPolicy).
 */
const delays = [0, 1000, 2000, 5000, 10000];
const reconnectPolicy: IRetryPolicy = {
  nextRetryDelayInMilliseconds: ({ previousRetryCount }) => (delays[previousRetryCount] ?? 30000) * (1 + Math.random() / 5),
};

export type HubState = "connecting" | "live" | "reconnecting" | "offline";

export interface ChatHubHandlers {
  message(message: Message): void;
  /** The connection is (again) up: fetch what was missed while it was down. */
  connected(): void;
  state(state: HubState): void;
}

export function connectChatHub(token: string, handlers: ChatHubHandlers): { stop(): void } {
  // The token goes as access_token in the query for WebSockets (browsers cannot set headers there). WebSockets only,
  // without negotiation: one connection, which reaches one Chat replica whichever the orchestrator's proxy picks.
  const connection: HubConnection = new HubConnectionBuilder()
    .withUrl("/hubs/chat", { accessTokenFactory: () => token, transport: HttpTransportType.WebSockets, skipNegotiation: true })
    .withHubProtocol(protocol)
    .withAutomaticReconnect(reconnectPolicy)
    .configureLogging(LogLevel.Warning)
    .build();
  connection.on(messageEvent, handlers.message);
  connection.onreconnecting(() => handlers.state("reconnecting"));
  connection.onreconnected(() => {
    handlers.state("live");
    handlers.connected();
  });
  connection.onclose(() => handlers.state("offline"));

  handlers.state("connecting");
  connection.start().then(
    () => {
      handlers.state("live");
      handlers.connected();
    },
    () => handlers.state("offline"),
  );
  return { stop: () => void connection.stop() };
}
