// The seed REST routes (R1-R8, paths and misspellings kept), called with the bare ID token
// in Authorization as API Gateway's Cognito authorizer expects.
import { config, localUrl } from './config';

export interface LiveChannel {
  nick_name: string;
  title: string;
  sub_key: string;
  thumbnail?: string;
  profile?: string;
  /** Present when the backend counts viewers. */
  viewer_count?: number;
  viewerCount?: number;
}

export interface ChannelEntry {
  nickname: string;
  chanelName: string;
  profile?: string;
  /** Additive: present for a live channel when the backend counts viewers. */
  viewerCount?: number;
}

export interface MyPage {
  boradCastTitle: string;
  isLive: string;
  chanelName: string;
  streamKey: string;
  streamUrl: string;
  playbackUrl: string;
  profile: string;
}

export interface ChatTokenAnswer {
  token?: string;
  sessionExpirationTime?: string;
  tokenExpirationTime?: string;
  /** Additive (`cloumer serve`, the AWS API): IVS Chat capability names the token carries. */
  capabilities?: string[];
}

/** Additive: a timeout (`until`, RFC 3339) or ban (no `until`) of one chat user in a room. */
export interface ChatRestriction {
  userId: string;
  until?: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const q = encodeURIComponent;

async function call<T>(path: string, init: RequestInit = {}, idToken?: string): Promise<T> {
  const headers = new Headers(init.headers);
  if (idToken) headers.set('Authorization', idToken);
  const response = await fetch(`${config().apiUrl}${path}`, { ...init, headers });
  const text = await response.text();
  if (!response.ok) {
    let message = text || `HTTP ${response.status}`;
    try {
      const body = JSON.parse(text);
      if (typeof body?.message === 'string') message = body.message;
    } catch {
      /* a plain-text body is the message */
    }
    throw new ApiError(response.status, message);
  }
  // The seed answers an empty 200 on some failures: that is not a success.
  if (!text) throw new ApiError(response.status, 'empty answer');
  return JSON.parse(text) as T;
}

export const liveChannels = () => call<LiveChannel[]>('/public/broadcast_status');
export const allChannels = () => call<ChannelEntry[]>('/public/users');
export const playbackUrl = async (channel: string) =>
  localUrl((await call<{ play_back: string }>(`/public/get_channel?code=${q(channel)}`)).play_back);
export const avatarOf = async (channel: string) =>
  (await call<{ profile: string }>(`/public/users?getProfile=${q(channel)}`)).profile;
export const anonymousChatToken = (channel: string) =>
  call<ChatTokenAnswer>(`/public/get_chat?targetChanel=${q(channel)}`);
export const chatToken = (channel: string, idToken: string) =>
  call<ChatTokenAnswer>(`/stream/get_caht?targetChanel=${q(channel)}`, {}, idToken);
export const myPage = (idToken: string) => call<MyPage>('/stream/mypage', {}, idToken);
export const saveTitle = (title: string, idToken: string) =>
  call<string>(`/stream/broadcase_info_edit?title=${q(title)}`, {}, idToken);

/**
 * Additive (`cloumer serve`, the AWS API; the studio calls the same route): times out
 * (`durationSeconds`, 1 s to 30 days) or, with `null`, bans `userId` from `channel`'s chat
 * until lifted; the server disconnects them at once and refuses their chat tokens while it
 * lasts. Only the channel's owner and its moderators may (403 otherwise).
 */
export const restrictChatUser = (channel: string, userId: string, durationSeconds: number | null, idToken: string) =>
  call<ChatRestriction>(
    `/stream/v1/chat-restrictions/${q(channel)}/${q(userId)}`,
    {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(durationSeconds === null ? {} : { durationSeconds }),
    },
    idToken,
  );

/** R7: one multipart part named `file`. */
export function uploadAvatar(file: Blob, idToken: string) {
  const form = new FormData();
  form.append('file', file, 'avatar.jpg');
  return call<string>('/stream/save_mypage', { method: 'POST', body: form }, idToken);
}

/** The viewer count a backend reports, if it reports one. */
export function viewersOf(entry: LiveChannel | ChannelEntry): number | null {
  const n = 'viewer_count' in entry ? (entry.viewer_count ?? entry.viewerCount) : entry.viewerCount;
  return typeof n === 'number' && n >= 0 ? n : null;
}

/**
 * The card's thumbnail, or undefined when the backend has none: both the seed and
 * `cloumer serve` fill the field with a default image (the seed's default_img.png, our
 * default avatar), which is no picture of the stream.
 */
export function realThumbnail(entry: LiveChannel): string | undefined {
  const t = entry.thumbnail;
  if (!t || t === entry.profile || /\/default(_img|_profile)?\.png$/.test(t)) return undefined;
  return t;
}
