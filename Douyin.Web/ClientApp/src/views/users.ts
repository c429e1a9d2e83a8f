// Follow (§3.12), follower (§3.13) and friend (§3.14) lists of a user.
import { followerList, followList, friendList, type Id, type User } from "../api";
import { errorText, h } from "../dom";
import type { Screen } from "../router";
import { currentSession } from "../session";
import { followButton } from "./profile";

const lists = {
  following: { title: "Following", load: followList },
  followers: { title: "Followers", load: followerList },
  friends: {
    title: "Friends",
    load: (userId: Id, token: string | undefined) => (token ? friendList(userId, token) : Promise.resolve([])),
  },
} as const;

export const userListScreen: Screen = (view, params) => {
  const userId = params.id;
  const kind = params.list as keyof typeof lists;
  const { title, load } = lists[kind] ?? lists.following;
  const session = currentSession();
  const list = h("ul", { class: "user-list" });
  view.append(h("div", { class: "page" }, h("h1", {}, h("a", { class: "back", href: `/users/${userId}`, "aria-label": "Back" }, "‹"), ` ${title}`), list));

  load(userId, session?.token).then(
    (users: User[]) => {
      list.replaceChildren(...users.map((user) =>
        h("li", {},
          h("a", { class: "who", href: `/users/${user.id}` }, h("img", { class: "avatar", src: user.avatar, alt: "" }), h("span", {}, user.name)),
          session && session.userId !== user.id ? followButton(user) : null)));
      if (users.length === 0) list.append(h("li", { class: "hint" }, "Nobody yet."));
    },
    (error: unknown) => list.append(h("li", { class: "error" }, errorText(error))),
  );
};
