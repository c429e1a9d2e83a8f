// A user's profile (§3.4): the card with counts, follow/unfollow (§3.11), and tabs of published (§3.6)
// and liked (§3.8) videos; a tap on a cover opens them one at a time, like the feed.
import { favoriteList, getUser, publishList, relationAction, type User, type Video } from "../api";
import { count, errorText, h, toast } from "../dom";
import { navigate, type Screen } from "../router";
import { clearSession, currentSession } from "../session";
import { videoPager } from "./pager";

export const meScreen: Screen = () => {
  const session = currentSession();
  navigate(session ? `/users/${session.userId}` : "/login?next=/me", true);
};

export const profileScreen: Screen = (view, params) => {
  const userId = params.id;
  const session = currentSession();
  const page = h("div", { class: "profile" });
  view.append(page);
  let closeViewer: (() => void) | undefined;

  void (async () => {
    try {
      const published = await publishList(userId, session?.token);
      // The user endpoint needs a token; an anonymous visitor sees the card the videos carry.
      const user = session ? await getUser(session.token, userId) : published[0]?.author;
      if (!user) {
        page.append(h("p", { class: "hint" }, h("a", { href: `/login?next=/users/${userId}` }, "Log in"), " to see this profile."));
        return;
      }
      page.append(card(user, session?.userId === userId), tabs(user, published));
    } catch (error) {
      page.append(h("p", { class: "error" }, errorText(error)));
    }
  })();

  function tabs(user: User, published: Video[]): HTMLElement {
    const grid = h("div", { class: "grid" });
    const videosTab = h("button", { type: "button", role: "tab", "aria-selected": "true" }, `Videos ${count(user.work_count)}`);
    const likesTab = h("button", { type: "button", role: "tab", "aria-selected": "false" }, `Likes ${count(user.favorite_count)}`);
    const show = (videos: Video[], tab: HTMLElement) => {
      for (const t of [videosTab, likesTab]) t.setAttribute("aria-selected", String(t === tab));
      grid.replaceChildren(...videos.map((_, i) => cover(videos, i)));
      if (videos.length === 0) grid.append(h("p", { class: "hint" }, "Nothing here yet."));
    };
    videosTab.addEventListener("click", () => show(published, videosTab));
    likesTab.addEventListener("click", () =>
      favoriteList(userId, session?.token).then((liked) => show(liked, likesTab), (error: unknown) => toast(errorText(error))),
    );
    show(published, videosTab);
    return h("div", {}, h("div", { class: "tabs", role: "tablist" }, videosTab, likesTab), grid);
  }

  function cover(videos: Video[], index: number): HTMLElement {
    const video = videos[index];
    const tile = h("button", { class: "tile", type: "button", "aria-label": video.title },
      h("img", { src: video.cover_url, alt: "", loading: "lazy" }),
      h("span", { class: "likes" }, `♥ ${count(video.favorite_count)}`));
    tile.addEventListener("click", () => openViewer(videos.slice(index)));
    return tile;
  }

  function openViewer(videos: Video[]): void {
    // The list is already here: the viewer's source hands it over once.
    let remaining: Video[] | null = videos;
    const pager = videoPager(async () => {
      const page = remaining;
      remaining = null;
      return page;
    }, () => h("p", {}, "No videos."));
    const back = h("button", { class: "back", type: "button", "aria-label": "Back" }, "‹");
    const viewer = h("div", { class: "viewer" }, pager.element, back);
    closeViewer = () => {
      pager.dispose();
      viewer.remove();
      closeViewer = undefined;
    };
    back.addEventListener("click", closeViewer);
    page.append(viewer);
    pager.element.focus();
  }

  return () => closeViewer?.();
};

function card(user: User, own: boolean): HTMLElement {
  const followers = h("strong", {}, count(user.follower_count));
  const actions = h("div", { class: "profile-actions" });
  if (own) {
    const logout = h("button", { type: "button" }, "Log out");
    logout.addEventListener("click", () => {
      clearSession();
      navigate("/");
    });
    actions.append(h("a", { class: "button", href: `/users/${user.id}/friends` }, "Friends"), logout);
  } else {
    actions.append(followButton(user, (delta) => (followers.textContent = count((user.follower_count += delta)))));
  }
  const stat = (value: Node | string, label: string, href?: string) =>
    h(href ? "a" : "div", { class: "stat", ...(href ? { href } : {}) }, typeof value === "string" ? h("strong", {}, value) : value, h("span", {}, label));
  return h("header", { class: "card" },
    h("img", { class: "banner", src: user.background_image, alt: "" }),
    h("img", { class: "avatar", src: user.avatar, alt: "" }),
    h("h1", { class: "name" }, user.name),
    h("p", { class: "signature" }, user.signature),
    h("div", { class: "stats" },
      stat(count(user.follow_count), "Following", `/users/${user.id}/following`),
      stat(followers, "Followers", `/users/${user.id}/followers`),
      stat(count(user.total_favorited), "Likes")),
    actions);
}

/** Follow/unfollow a user, for the profile card and the user lists; `changed` gets +1 or -1. */
export function followButton(user: User, changed: (delta: number) => void = () => {}): HTMLElement {
  const button = h("button", { type: "button", class: "follow" });
  const show = () => {
    button.textContent = user.is_follow ? "Following" : "Follow";
    button.classList.toggle("primary", !user.is_follow);
  };
  button.addEventListener("click", async () => {
    const session = currentSession();
    if (!session) {
      navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    button.disabled = true;
    try {
      await relationAction(session.token, user.id, !user.is_follow);
      user.is_follow = !user.is_follow;
      changed(user.is_follow ? 1 : -1);
      show();
    } catch (error) {
      toast(errorText(error));
    } finally {
      button.disabled = false;
    }
  });
  show();
  return button;
}
