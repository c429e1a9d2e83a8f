// "Processing": Feed makes every upload's streaming rendition in the background (docs/media.md). Until it is stored,
// play_url is the upload as it came (/media/videos/{id}.{ext}); then it is /media/renditions/{id}.mp4. The API's
// video object gains no field for this: the client sees the original's form, shows "Processing", asks the media
// endpoint (HEAD) whether the rendition is there yet, and switches the player to it when it is.
import { h } from "../dom";

const original = /\/media\/videos\/(\d+)\.[A-Za-z0-9]+$/;
const every = 3_000;
const giveUpAfter = 40; // two minutes: a rendition that failed keeps playing from the original, without the badge

/** The rendition's URL for a play_url that is still an original, or null when it is one already. */
export function renditionUrl(playUrl: string): string | null {
  const url = new URL(playUrl, location.href);
  const match = original.exec(url.pathname);
  if (!match) return null;
  url.pathname = `/media/renditions/${match[1]}.mp4`;
  return url.toString();
}

/** A "Processing" badge for the player, polling until the rendition is stored; null when there is nothing to wait for. */
export function processingBadge(player: HTMLVideoElement, playUrl: string): HTMLElement | null {
  const rendition = renditionUrl(playUrl);
  if (!rendition) return null;
  const badge = h("span", { class: "processing", role: "status" }, "Processing");
  let tries = 0;
  const poll = async () => {
    if (tries++ >= giveUpAfter) {
      badge.remove();
      return;
    }
    // Not yet in the page, or still there: stop polling only once the slide is gone.
    if (tries > 1 && !badge.isConnected) return;
    const ready = await fetch(rendition, { method: "HEAD", cache: "no-store" }).then((r) => r.ok, () => false);
    if (!ready) {
      setTimeout(() => void poll(), every);
      return;
    }
    const { currentTime, paused } = player;
    // An original this browser cannot decode (HEVC in most desktop browsers) never started: the rendition is what
    // plays it, if it is the video on screen.
    const play = !paused || (player.error !== null && player.autoplay);
    player.src = rendition;
    player.currentTime = currentTime;
    if (play) void player.play().catch(() => {});
    badge.remove();
  };
  void poll();
  return badge;
}
