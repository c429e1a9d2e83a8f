// The home feed (§3.1): newest first, paged by handing next_time back as latest_time.
import { feed } from "../api";
import { h } from "../dom";
import type { Screen } from "../router";
import { currentSession } from "../session";
import { videoPager } from "./pager";

export const feedScreen: Screen = (view) => {
  let latestTime: number | undefined;
  const pager = videoPager(
    async () => {
      const page = await feed(latestTime, currentSession()?.token);
      latestTime = page.next_time;
      return page.video_list;
    },
    () => h("p", {}, "No videos yet. ", h("a", { href: "/publish" }, "Publish the first one")),
  );
  view.append(pager.element);
  pager.element.focus();
  return pager.dispose;
};
