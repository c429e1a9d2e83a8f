// The public minimal-Douyin API (shared/api/douyin-api.md), the only HTTP surface this client uses.
// Types mirror the contract's object shapes (§2); functions follow its endpoints (§3) one to one.
// Every parameter travels in the query string, as the official client sends it (§1.2); publish is multipart.

/**
 * Ids are int64 JSON numbers (§1.5), snowflakes here, beyond JavaScript's 2^53 safe integers: the client reads them
 * as their exact decimal text (see `parseJson`) and sends that text back.
 */
export type Id = string;

/** §1.3: every response carries this envelope; only 0 vs non-0 matters. */
export interface Envelope {
  status_code: number;
  status_msg: string;
}

/** §2.1 */
export interface User {
  id: Id;
  name: string;
  follow_count: number;
  follower_count: number;
  is_follow: boolean;
  avatar: string;
  background_image: string;
  signature: string;
  total_favorited: number;
  work_count: number;
  favorite_count: number;
}

/** §2.2 */
export interface Video {
  id: Id;
  author: User;
  play_url: string;
  cover_url: string;
  favorite_count: number;
  comment_count: number;
  is_favorite: boolean;
  title: string;
}

/** §2.3; create_date is "mm-dd". */
export interface Comment {
  id: Id;
  user: User;
  content: string;
  create_date: string;
}

/** §2.4; create_time is Unix milliseconds, the unit pre_msg_time filters by. */
export interface Message {
  id: Id;
  to_user_id: Id;
  from_user_id: Id;
  content: string;
  create_time: number;
}

/** §2.5: msgType 0 = the latest message was received by the viewer, 1 = sent by the viewer. */
export interface FriendUser extends User {
  message?: string;
  msgType: number;
}

export interface AuthReply extends Envelope {
  user_id: Id;
  token: string;
}

export interface FeedPage extends Envelope {
  video_list: Video[];
  next_time?: number;
}

/** A non-zero status_code (or a transport failure), with the server's status_msg as the message. */
export class ApiError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

function url(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function call<T extends Envelope>(method: "GET" | "POST", path: string, query: Query): Promise<T> {
  const response = await fetch(url(path, query), { method });
  return unwrap<T>(response.status, await response.text());
}

const idKeys = new Set(["id", "user_id", "to_user_id", "from_user_id"]);

/**
 * JSON.parse, keeping ids as the exact digits sent (the reviver's source text: Chromium 114+, Firefox 135+,
 * Safari 18.4+). Also used for the chat hub's frames, which carry the same Message objects.
 */
export function parseJson(body: string): unknown {
  return JSON.parse(body, (key: string, value: unknown, context?: { source: string }) =>
    idKeys.has(key) && typeof value === "number" ? (context?.source ?? String(value)) : value);
}

function unwrap<T extends Envelope>(httpStatus: number, body: string): T {
  let reply: T;
  try {
    reply = parseJson(body) as T;
  } catch {
    throw new ApiError(`The server answered HTTP ${httpStatus} without a JSON body.`, -1);
  }
  if (reply.status_code !== 0) throw new ApiError(reply.status_msg || "The request failed.", reply.status_code);
  return reply;
}

/** §3.2 */
export const register = (username: string, password: string) =>
  call<AuthReply>("POST", "/douyin/user/register/", { username, password });

/** §3.3 */
export const login = (username: string, password: string) =>
  call<AuthReply>("POST", "/douyin/user/login/", { username, password });

/** §3.4: the token is required; user_id absent means the token's owner. */
export const getUser = async (token: string, userId?: Id) =>
  (await call<Envelope & { user: User }>("GET", "/douyin/user/", { token, user_id: userId })).user;

/** §3.1: newest first, strictly older than latestTime (ms); next_time is the oldest video's time. */
export const feed = (latestTime: number | undefined, token: string | undefined) =>
  call<FeedPage>("GET", "/douyin/feed/", { latest_time: latestTime, token });

/**
 * §3.5: multipart with the file part `data` and text parts `token` and `title`. XMLHttpRequest rather than fetch,
 * because only XHR reports upload progress.
 */
export function publish(token: string, title: string, file: File, onProgress: (fraction: number) => void): Promise<Envelope> {
  const form = new FormData();
  form.append("token", token);
  form.append("title", title);
  form.append("data", file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/douyin/publish/action/");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      try {
        resolve(unwrap<Envelope>(xhr.status, xhr.responseText));
      } catch (error) {
        reject(error as Error);
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError("The upload failed: the connection was lost.", -1)));
    xhr.send(form);
  });
}

/** §3.6 */
export const publishList = async (userId: Id, token: string | undefined) =>
  (await call<Envelope & { video_list: Video[] }>("GET", "/douyin/publish/list/", { user_id: userId, token })).video_list;

/** §3.7: repeats are no-ops. */
export const favoriteAction = (token: string, videoId: Id, like: boolean) =>
  call<Envelope>("POST", "/douyin/favorite/action/", { token, video_id: videoId, action_type: like ? 1 : 2 });

/** §3.8 */
export const favoriteList = async (userId: Id, token: string | undefined) =>
  (await call<Envelope & { video_list: Video[] }>("GET", "/douyin/favorite/list/", { user_id: userId, token })).video_list;

/** §3.9, action 1: returns the created comment. */
export const postComment = async (token: string, videoId: Id, text: string) =>
  (await call<Envelope & { comment: Comment }>("POST", "/douyin/comment/action/", {
    token, video_id: videoId, action_type: 1, comment_text: text,
  })).comment;

/** §3.9, action 2: only the comment's author may delete it. */
export const deleteComment = (token: string, videoId: Id, commentId: Id) =>
  call<Envelope>("POST", "/douyin/comment/action/", { token, video_id: videoId, action_type: 2, comment_id: commentId });

/** §3.10: newest first. */
export const commentList = async (videoId: Id, token: string | undefined) =>
  (await call<Envelope & { comment_list: Comment[] }>("GET", "/douyin/comment/list/", { video_id: videoId, token })).comment_list;

/** §3.11: repeats are no-ops. */
export const relationAction = (token: string, toUserId: Id, follow: boolean) =>
  call<Envelope>("POST", "/douyin/relation/action/", { token, to_user_id: toUserId, action_type: follow ? 1 : 2 });

/** §3.12: whom userId follows. */
export const followList = async (userId: Id, token: string | undefined) =>
  (await call<Envelope & { user_list: User[] }>("GET", "/douyin/relation/follow/list/", { user_id: userId, token })).user_list;

/** §3.13: who follows userId. */
export const followerList = async (userId: Id, token: string | undefined) =>
  (await call<Envelope & { user_list: User[] }>("GET", "/douyin/relation/follower/list/", { user_id: userId, token })).user_list;

/** §3.14: mutual follows, each with the latest message exchanged. */
export const friendList = async (userId: Id, token: string) =>
  (await call<Envelope & { user_list: FriendUser[] }>("GET", "/douyin/relation/friend/list/", { user_id: userId, token })).user_list;

/** §3.15: both directions, oldest first, strictly newer than preMsgTime (ms; 0 = whole history). */
export const messageChat = async (token: string, toUserId: Id, preMsgTime: number) =>
  (await call<Envelope & { message_list: Message[] }>("GET", "/douyin/message/chat/", {
    token, to_user_id: toUserId, pre_msg_time: preMsgTime,
  })).message_list;

/** §3.16 */
export const sendMessage = (token: string, toUserId: Id, content: string) =>
  call<Envelope>("POST", "/douyin/message/action/", { token, to_user_id: toUserId, action_type: 1, content });
