// The browser client of Douyin: the screens, and the tab bar that switches between them.
import { h } from "./dom";
import { route, startRouter } from "./router";
import "./styles.css";
import { authScreen } from "./views/auth";
import { conversationScreen, friendsScreen } from "./views/chat";
import { feedScreen } from "./views/feed";
import { meScreen, profileScreen } from "./views/profile";
import { publishScreen } from "./views/publish";
import { userListScreen } from "./views/users";

route("/", feedScreen);
route("/login", authScreen);
route("/publish", publishScreen);
route("/chat", friendsScreen);
route("/chat/:id", conversationScreen);
route("/me", meScreen);
route("/users/:id", profileScreen);
route("/users/:id/:list", userListScreen);

const tabs = [
  { href: "/", label: "Home", icon: "⌂" },
  { href: "/publish", label: "Publish", icon: "+" },
  { href: "/chat", label: "Inbox", icon: "✉" },
  { href: "/me", label: "Me", icon: "☺" },
].map(({ href, label, icon }) => h("a", { href, class: href === "/publish" ? "tab publish-tab" : "tab" }, h("span", { class: "icon", "aria-hidden": "true" }, icon), h("span", {}, label)));

const view = h("main", { id: "view" });
document.getElementById("app")!.append(view, h("nav", { class: "tabbar", "aria-label": "Main" }, ...tabs));

startRouter(view, (path) => {
  for (const tab of tabs) {
    const section = tab.pathname === "/me" ? "/users" : tab.pathname;
    const here = path === section || (section !== "/" && path.startsWith(section + "/"));
    tab.toggleAttribute("aria-current", here);
  }
});
