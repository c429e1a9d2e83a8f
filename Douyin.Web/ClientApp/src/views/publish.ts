// Publish (§3.5): the file, a title, upload progress from XMLHttpRequest, and the server's reason when it refuses.
import { publish } from "../api";
import { errorText, h } from "../dom";
import { navigate, type Screen } from "../router";
import { currentSession } from "../session";

export const publishScreen: Screen = (view) => {
  const session = currentSession();
  if (!session) {
    navigate("/login?next=/publish", true);
    return;
  }
  const file = h("input", { name: "data", type: "file", accept: "video/*", required: true });
  const title = h("input", { name: "title", placeholder: "Title", required: true });
  const progress = h("progress", { max: 1, value: 0 });
  const percent = h("span", { class: "percent" }, "0%");
  const meter = h("div", { class: "upload-progress" }, progress, percent);
  meter.hidden = true;
  const error = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, "Publish");

  const form = h("form", { class: "publish" }, h("h1", {}, "New video"), h("label", {}, "Video file", file), h("label", {}, "Title", title), meter, error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    submit.disabled = true;
    error.textContent = "";
    meter.hidden = false;
    try {
      await publish(session.token, title.value, chosen, (fraction) => {
        progress.value = fraction;
        percent.textContent = `${Math.round(fraction * 100)}%`;
      });
      navigate("/");
    } catch (failure) {
      meter.hidden = true;
      error.textContent = `Not published: ${errorText(failure)}`;
    } finally {
      submit.disabled = false;
    }
  });
  view.append(h("div", { class: "page" }, form));
};
