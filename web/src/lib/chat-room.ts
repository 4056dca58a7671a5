// One channel's chat through amazon-ivs-chat-messaging (the IVS Chat protocol): a read-only
// token for anonymous viewers (R4), a sending one after log-in (R5). The same code works
// against IVS Chat (regionOrUrl = region) and `cloumer serve` (its chat endpoint URL).
import {
  ChatRoom,
  DeleteMessageRequest,
  DisconnectUserRequest,
  SendMessageRequest,
  type ChatMessage,
} from 'amazon-ivs-chat-messaging';
import { anonymousChatToken, ApiError, chatToken, restrictChatUser, type ChatRestriction, type ChatTokenAnswer } from './api';
import { idToken } from './auth.svelte';
import { config } from './config';

export interface Line {
  id: string;
  userId: string;
  name: string;
  text: string;
}

export function lineOf(m: ChatMessage): Line {
  return {
    id: m.id,
    userId: m.sender.userId,
    name: m.sender.attributes?.username ?? m.sender.userId,
    text: m.content,
  };
}

async function token(channel: string, loggedIn: boolean): Promise<ChatTokenAnswer> {
  if (loggedIn) {
    const id = await idToken();
    if (id) return chatToken(channel, id);
  }
  return anonymousChatToken(channel);
}

/** How long a refused token is answered from memory (see `openRoom`). */
const REFUSAL_MEMORY_MS = 3000;

/**
 * A room whose token comes from R4 (anonymous) or R5 (logged in). `onCapabilities` hears
 * the capabilities of every token fetched (each connect fetches one), so the page follows a
 * moderator being added or removed at the next reconnect. `onRefused` hears why R5 refused
 * this user (403: timed out or banned, in the server's words).
 */
export function openRoom(
  channel: string,
  loggedIn: boolean,
  onCapabilities: (capabilities: string[]) => void = () => {},
  onRefused: (reason: string) => void = () => {},
): ChatRoom {
  const c = config();
  // The SDK retries a failed token fetch at once, maxReconnectAttempts times: a refusal is
  // remembered for a moment so those retries do not ask the server (and meet its rate
  // limit, whose 429 would hide the reason) again.
  let refused: { error: ApiError; at: number } | null = null;
  const room = new ChatRoom({
    regionOrUrl: c.chatEndpoint || c.region,
    maxReconnectAttempts: 10,
    // The SDK asks again on every (re)connect: a token is good for one connection.
    tokenProvider: async () => {
      if (refused && Date.now() - refused.at < REFUSAL_MEMORY_MS) throw refused.error;
      let answer: ChatTokenAnswer;
      try {
        answer = await token(channel, loggedIn);
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) {
          refused = { error: e, at: Date.now() };
          onRefused(e.message);
        }
        throw e;
      }
      refused = null;
      // The seed answers 200 {} for an unknown room: no token is a failure.
      if (!answer.token) throw new Error('no chat token');
      onCapabilities(answer.capabilities ?? []);
      return {
        token: answer.token,
        sessionExpirationTime: answer.sessionExpirationTime ? new Date(answer.sessionExpirationTime) : undefined,
        tokenExpirationTime: answer.tokenExpirationTime ? new Date(answer.tokenExpirationTime) : undefined,
      };
    },
  });
  room.logLevel = 'error';
  return room;
}

export const send = (room: ChatRoom, text: string) => room.sendMessage(new SendMessageRequest(text));
export const remove = (room: ChatRoom, id: string) => room.deleteMessage(new DeleteMessageRequest(id));
export const kick = (room: ChatRoom, userId: string) => room.disconnectUser(new DisconnectUserRequest(userId));

/**
 * Times out (`seconds`) or bans (`null`, until lifted) `userId` in `channel`'s chat, as the
 * signed-in owner or moderator: a REST call, the room's protocol has no such request.
 */
export async function restrict(channel: string, userId: string, seconds: number | null): Promise<ChatRestriction> {
  const id = await idToken();
  if (!id) throw new ApiError(401, 'not logged in');
  return restrictChatUser(channel, userId, seconds, id);
}

/**
 * The room's recent messages where the backend keeps them (`cloumer serve`'s additive
 * history route); IVS Chat keeps none, so any failure is simply no history.
 */
export async function history(channel: string): Promise<Line[]> {
  try {
    const url = `${config().apiUrl}/public/v1/chat-history/${encodeURIComponent(channel)}`;
    const response = await fetch(url);
    if (!response.ok) return [];
    const frames = (await response.json()) as Array<{
      Id: string;
      Content: string;
      Sender?: { UserId?: string; Attributes?: Record<string, string> };
    }>;
    return frames.map((f) => ({
      id: f.Id,
      userId: f.Sender?.UserId ?? '',
      name: f.Sender?.Attributes?.username ?? f.Sender?.UserId ?? '',
      text: f.Content,
    }));
  } catch {
    return [];
  }
}
