// Client-side routes on real paths (History API). Douyin.Web answers any of them with index.html
// (ClientEndpoints.MapClient), so a reload or a shared link opens the same screen.

/** Renders a screen into `view`; the returned function, if any, runs when the screen is left (stop players, hubs). */
export type Screen = (view: HTMLElement, params: Record<string, string>, query: URLSearchParams) => (() => void) | void;

interface Route {
  pattern: RegExp;
  names: string[];
  screen: Screen;
}

const routes: Route[] = [];
let viewElement: HTMLElement;
let leave: (() => void) | void;
let onNavigated: (path: string) => void = () => {};

/** "/users/:id/videos" style patterns. */
export function route(path: string, screen: Screen): void {
  const names: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ pattern: new RegExp(`^${source}/?$`), names, screen });
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render();
}

export function startRouter(view: HTMLElement, navigated: (path: string) => void): void {
  onNavigated = navigated;
  addEventListener("popstate", render);
  // Same-origin links navigate in place; the server's own paths (media, API) are left to the browser.
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest("a");
    if (!link || link.origin !== location.origin || link.target || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
  viewElement = view;
  render();
}

function render(): void {
  leave?.();
  leave = undefined;
  viewElement.replaceChildren();
  const path = location.pathname;
  for (const { pattern, names, screen } of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    leave = screen(viewElement, params, new URLSearchParams(location.search));
    onNavigated(path);
    return;
  }
  navigate("/", true);
}
