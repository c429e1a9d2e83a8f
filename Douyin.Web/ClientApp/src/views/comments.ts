// The comment sheet over a video: newest first, post as the signed-in user, delete your own.
import { commentList, deleteComment, postComment, type Comment, type Video } from "../api";
import { errorText, h } from "../dom";
import { currentSession } from "../session";

export function openComments(video: Video, countChanged: (count: number) => void): void {
  const session = currentSession();
  let total = video.comment_count;
  const heading = h("h2", {}, `${total} comments`);
  const list = h("ul", { class: "comment-list" });
  const status = h("p", { class: "error", role: "alert" });
  const close = h("button", { class: "close", type: "button", "aria-label": "Close" }, "✕");
  const sheet = h("div", { class: "sheet", role: "dialog", "aria-label": "Comments" }, h("header", {}, heading, close), list);
  const backdrop = h("div", { class: "backdrop" }, sheet);

  const setTotal = (n: number) => {
    total = n;
    heading.textContent = `${n} comments`;
    countChanged(n);
  };

  const row = (comment: Comment) => {
    const item = h("li", { class: "comment", "data-comment-id": comment.id },
      h("img", { class: "avatar", src: comment.user.avatar, alt: "" }),
      h("div", {},
        h("a", { class: "name", href: `/users/${comment.user.id}` }, comment.user.name),
        h("p", { class: "content" }, comment.content),
        h("span", { class: "date" }, comment.create_date)));
    if (session && comment.user.id === session.userId) {
      const remove = h("button", { class: "delete", type: "button" }, "Delete");
      remove.addEventListener("click", async () => {
        try {
          await deleteComment(session.token, video.id, comment.id);
          item.remove();
          setTotal(total - 1);
        } catch (error) {
          status.textContent = errorText(error);
        }
      });
      item.append(remove);
    }
    return item;
  };

  if (session) {
    const input = h("input", { name: "comment", placeholder: "Add a comment…", maxlength: 500, autocomplete: "off", required: true });
    const form = h("form", { class: "comment-form" }, input, h("button", { type: "submit" }, "Post"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const comment = await postComment(session.token, video.id, input.value);
        input.value = "";
        status.textContent = "";
        list.querySelector(".hint")?.remove();
        list.prepend(row(comment));
        setTotal(total + 1);
      } catch (error) {
        status.textContent = errorText(error);
      }
    });
    sheet.append(status, form);
  } else {
    sheet.append(status, h("a", { class: "comment-form login", href: `/login?next=${encodeURIComponent(location.pathname)}` }, "Log in to comment"));
  }

  const dismiss = () => {
    backdrop.remove();
    removeEventListener("popstate", dismiss);
  };
  close.addEventListener("click", dismiss);
  backdrop.addEventListener("click", (event) => event.target === backdrop && dismiss());
  addEventListener("popstate", dismiss);
  document.body.append(backdrop);

  commentList(video.id, session?.token).then(
    (comments) => {
      list.replaceChildren(...comments.map(row));
      if (comments.length === 0) list.append(h("li", { class: "hint" }, "No comments yet. Be the first."));
      setTotal(comments.length);
    },
    (error: unknown) => (status.textContent = errorText(error)),
  );
}
