// Chat: friends (mutual follows, §3.14) with their latest message, and a conversation that receives new
// messages live from the hub and catches up from history (§3.15, pre_msg_time) each time the hub (re)connects.
import { friendList, getUser, messageChat, sendMessage, type Id, type Message } from "../api";
import { connectChatHub, type HubState } from "../chat-hub";
import { errorText, h } from "../dom";
import { navigate, type Screen } from "../router";
import { currentSession } from "../session";

export const friendsScreen: Screen = (view) => {
  const session = currentSession();
  if (!session) {
    navigate("/login?next=/chat", true);
    return;
  }
  const list = h("ul", { class: "user-list friends" });
  view.append(h("div", { class: "page" }, h("h1", {}, "Messages"), list));
  friendList(session.userId, session.token).then(
    (friends) => {
      list.replaceChildren(...friends.map((friend) =>
        h("li", {},
          h("a", { class: "who", href: `/chat/${friend.id}` },
            h("img", { class: "avatar", src: friend.avatar, alt: "" }),
            h("span", { class: "friend" },
              h("strong", {}, friend.name),
              h("span", { class: "preview" }, friend.message ? `${friend.msgType === 1 ? "You: " : ""}${friend.message}` : "Say hi"))))));
      if (friends.length === 0) list.append(h("li", { class: "hint" }, "Friends are people who follow you back. Follow someone to start."));
    },
    (error: unknown) => list.append(h("li", { class: "error" }, errorText(error))),
  );
};

export const conversationScreen: Screen = (view, params) => {
  const session = currentSession();
  if (!session) {
    navigate(`/login?next=/chat/${params.id}`, true);
    return;
  }
  const friendId = params.id;
  const title = h("span", {}, "…");
  const state = h("span", { class: "hub-state", "data-state": "connecting" });
  const messages = h("ol", { class: "messages", "aria-live": "polite" });
  const input = h("input", { name: "content", placeholder: "Message…", maxlength: 500, autocomplete: "off", required: true });
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "composer" }, input, h("button", { type: "submit" }, "Send"));
  view.append(h("div", { class: "conversation" },
    h("header", {}, h("a", { class: "back", href: "/chat", "aria-label": "Back" }, "‹"), title, state),
    messages, error, form));
  getUser(session.token, friendId).then((friend) => (title.textContent = friend.name), () => (title.textContent = `#${friendId}`));

  // Messages by id: a push and a catch-up may bring the same one; the list stays in create_time order.
  const held = new Map<Id, Message>();
  const newest = () => Math.max(0, ...[...held.values()].map((m) => m.create_time));
  const add = (message: Message) => {
    const ours = [message.from_user_id, message.to_user_id];
    if (held.has(message.id) || !ours.includes(friendId) || !ours.includes(session.userId)) return;
    held.set(message.id, message);
    const bubble = h("li", { class: message.from_user_id === session.userId ? "mine" : "theirs", "data-message-id": message.id }, message.content);
    const later = [...messages.children].find((li) => held.get((li as HTMLElement).dataset.messageId!)!.create_time > message.create_time);
    messages.insertBefore(bubble, later ?? null);
    bubble.scrollIntoView({ block: "end" });
  };
  // History is the source of truth for what the hub did not push (it was down, or reconnecting): everything after the
  // newest message held, page after page (an answer holds at most Messages:MaxHistoryPage). A failed fetch is tried
  // again shortly, since no push will bring what it missed.
  let closed = false;
  const catchUp = async (): Promise<void> => {
    try {
      for (let missed = await messageChat(session.token, friendId, newest()); missed.length > 0; missed = await messageChat(session.token, friendId, newest())) {
        missed.forEach(add);
      }
    } catch (failure) {
      error.textContent = errorText(failure);
      if (!closed) setTimeout(() => void catchUp(), 2000);
    }
  };

  const hub = connectChatHub(session.token, {
    message: add,
    connected: () => void catchUp(),
    state: (s: HubState) => state.setAttribute("data-state", s),
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await sendMessage(session.token, friendId, input.value);
      input.value = "";
      error.textContent = "";
      // The hub pushes our own message back to us too; without a live hub, history brings it.
      if (state.getAttribute("data-state") !== "live") await catchUp();
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  });
  input.focus();
  return () => {
    closed = true;
    hub.stop();
  };
};
