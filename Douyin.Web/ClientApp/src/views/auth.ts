// Sign up and log in: both answer a token and a user id (§3.2, §3.3), kept for the session.
import { getUser, login, register } from "../api";
import { errorText, h } from "../dom";
import { navigate, type Screen } from "../router";
import { saveSession } from "../session";

export const authScreen: Screen = (view, _params, query) => {
  const next = query.get("next") ?? "/";
  let mode: "login" | "register" = query.get("mode") === "register" ? "register" : "login";

  const username = h("input", { name: "username", placeholder: "Username", autocomplete: "username", maxlength: 32, required: true });
  const password = h("input", { name: "password", type: "password", placeholder: "Password", autocomplete: "current-password", maxlength: 32, required: true });
  const submit = h("button", { type: "submit", class: "primary" });
  const error = h("p", { class: "error", role: "alert" });
  const switcher = h("button", { type: "button", class: "link" });
  const heading = h("h1", {});

  const show = () => {
    heading.textContent = mode === "login" ? "Log in" : "Sign up";
    submit.textContent = mode === "login" ? "Log in" : "Sign up";
    switcher.textContent = mode === "login" ? "New here? Sign up" : "Have an account? Log in";
    password.autocomplete = mode === "login" ? "current-password" : "new-password";
    error.textContent = "";
  };
  switcher.addEventListener("click", () => {
    mode = mode === "login" ? "register" : "login";
    show();
  });

  const form = h("form", { class: "auth" }, heading, username, password, error, submit, switcher);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const reply = await (mode === "login" ? login : register)(username.value, password.value);
      const user = await getUser(reply.token, reply.user_id);
      saveSession({ token: reply.token, userId: reply.user_id, name: user.name });
      navigate(next, true);
    } catch (failure) {
      error.textContent = errorText(failure);
    } finally {
      submit.disabled = false;
    }
  });
  show();
  view.append(h("div", { class: "page" }, h("div", { class: "logo" }, "♪ Douyin"), form));
};
