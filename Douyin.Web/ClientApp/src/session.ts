// Who is signed in. Kept in sessionStorage: the sign-in lasts for this browser tab's session, as the issue asks.

import type { Id } from "./api";

export interface Session {
  token: string;
  userId: Id;
  name: string;
}

const key = "douyin.session";

export function currentSession(): Session | undefined {
  const stored = sessionStorage.getItem(key);
  return stored ? (JSON.parse(stored) as Session) : undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(key, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(key);
}
