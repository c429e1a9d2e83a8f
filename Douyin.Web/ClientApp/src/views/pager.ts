// One video at a time, full height: scroll-snap does swipes and wheel scrolling, the keyboard does arrows.
// The visible video plays (muted until the viewer taps once), the others pause; more pages load near the end.
import { favoriteAction, type Video } from "../api";
import { count, errorText, h, toast } from "../dom";
import { icon } from "../icons";
import { navigate } from "../router";
import { currentSession } from "../session";
import { openComments } from "./comments";
import { processingBadge } from "./rendition";

/** The next videos, or null when there are no more. */
export type VideoSource = () => Promise<Video[] | null>;

/** Muting is a choice of the viewer, not of a video: once unmuted, the next video plays with sound too. */
let muted = true;

export function videoPager(source: VideoSource, empty: () => Node): { element: HTMLElement; dispose(): void } {
  const pager = h("div", { class: "pager", tabindex: 0, "aria-label": "Videos" });
  const slides: HTMLElement[] = [];
  let loading: Promise<void> | undefined;
  let finished = false;

  const visibility = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const slide = entry.target as HTMLElement;
        const video = slide.querySelector("video")!;
        // autoplay says which video is meant to play, also when it cannot (a source this browser does not decode).
        video.autoplay = entry.isIntersecting;
        if (entry.isIntersecting) {
          video.muted = muted;
          void video.play().catch(() => {}); // refused autoplay leaves the poster and the tap-to-play
          if (slides.indexOf(slide) >= slides.length - 2) void loadMore();
        } else {
          video.pause();
        }
      }
    },
    { root: pager, threshold: 0.6 },
  );

  function loadMore(): Promise<void> {
    if (finished) return Promise.resolve();
    loading ??= source()
      .then((videos) => {
        if (videos === null || videos.length === 0) {
          finished = true;
          if (slides.length === 0) pager.append(h("div", { class: "slide empty" }, empty()));
          return;
        }
        for (const video of videos) {
          const slide = videoSlide(video);
          slides.push(slide);
          pager.append(slide);
          visibility.observe(slide);
        }
      })
      .catch((error: unknown) => toast(errorText(error)))
      .finally(() => (loading = undefined));
    return loading;
  }

  function step(by: number): void {
    const current = Math.round(pager.scrollTop / pager.clientHeight);
    slides[current + by]?.scrollIntoView({ behavior: "smooth" });
  }

  const keys = (event: KeyboardEvent) => {
    if ((event.target as Element).closest("input, textarea")) return;
    if (event.key === "ArrowDown" || event.key === "PageDown") step(1);
    else if (event.key === "ArrowUp" || event.key === "PageUp") step(-1);
    else return;
    event.preventDefault();
  };
  document.addEventListener("keydown", keys);
  void loadMore();

  return {
    element: pager,
    dispose() {
      document.removeEventListener("keydown", keys);
      visibility.disconnect();
      for (const video of pager.querySelectorAll("video")) video.pause();
    },
  };
}

function videoSlide(video: Video): HTMLElement {
  const player = h("video", {
    class: "player", src: video.play_url, poster: video.cover_url, loop: true, muted: true, playsinline: true, preload: "metadata",
  });
  const soundHint = h("button", { class: "sound", type: "button" }, icon("muted"), "Tap to unmute");
  soundHint.hidden = !muted;
  const profile = `/users/${video.author.id}`;

  // A tap unmutes the first time (autoplay had to start muted), then pauses and resumes like the app.
  const tap = () => {
    if (muted) {
      muted = false;
      player.muted = false;
      void player.play();
    } else if (player.paused) void player.play();
    else player.pause();
    for (const hint of document.querySelectorAll<HTMLElement>(".sound")) hint.hidden = true;
  };
  player.addEventListener("click", tap);
  soundHint.addEventListener("click", tap);

  const likeCount = h("span", { class: "count" }, count(video.favorite_count));
  const like = h("button", { class: "like", type: "button", "aria-label": "Like", "aria-pressed": String(video.is_favorite) },
    icon("heart"), likeCount);
  like.addEventListener("click", () => void toggleLike(video, like, likeCount));

  const commentCount = h("span", { class: "count" }, count(video.comment_count));
  const comments = h("button", { class: "comments", type: "button", "aria-label": "Comments" }, icon("comment"), commentCount);
  comments.addEventListener("click", () =>
    openComments(video, (n) => {
      video.comment_count = n;
      commentCount.textContent = count(n);
    }),
  );

  return h("section", { class: "slide", "data-video-id": video.id },
    player,
    soundHint,
    processingBadge(player, video.play_url),
    h("div", { class: "actions" },
      h("a", { class: "avatar", href: profile, "aria-label": `@${video.author.name}` }, h("img", { src: video.author.avatar, alt: "" })),
      like,
      comments),
    h("div", { class: "meta" },
      h("a", { class: "author", href: profile }, `@${video.author.name}`),
      h("p", { class: "title" }, video.title)));
}

async function toggleLike(video: Video, button: HTMLElement, label: HTMLElement): Promise<void> {
  const session = currentSession();
  if (!session) {
    navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  const like = !video.is_favorite;
  const show = () => {
    button.setAttribute("aria-pressed", String(video.is_favorite));
    label.textContent = count(video.favorite_count);
  };
  // Optimistic, as in the app; undone if the server refuses.
  video.is_favorite = like;
  video.favorite_count += like ? 1 : -1;
  show();
  try {
    await favoriteAction(session.token, video.id, like);
  } catch (error) {
    video.is_favorite = !like;
    video.favorite_count -= like ? 1 : -1;
    show();
    toast(errorText(error));
  }
}
