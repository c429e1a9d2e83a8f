// A tiny element builder: the client is small enough that plain DOM code stays readable without a framework.

type Child = Node | string | number | false | null | undefined;
type Props = Record<string, string | number | boolean | EventListener | undefined>;

/** h("button", { class: "like", onclick: fn }, "♥"): attributes as strings, `on*` as listeners, false/undefined skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A short-lived notice at the top of the screen, for errors that have no better place. */
export function toast(text: string): void {
  const notice = h("div", { class: "toast", role: "alert" }, text);
  document.body.append(notice);
  setTimeout(() => notice.remove(), 4000);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Compact counts as short-video apps show them: 999, 1.2k, 12k, 3.4M. */
export function count(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
