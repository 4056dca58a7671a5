// A fake shell for component tests: answers our commands the way src-tauri does
// (`Result`s come back as thrown AppErrors) and lets a test push channel messages.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { Channel } from '@tauri-apps/api/core';
import type { AudioLevels, ChatUpdate, Profile, Settings, StatsSample } from '../lib/bindings';

export const profile: Profile = {
  title: 'Hello',
  isLive: false,
  channel: 'Ab3_x9-QzK',
  nickname: 'neo',
  streamKeyLast4: 'WXYZ',
  streamUrl: 'rtmp://127.0.0.1:1935/app/',
  playbackUrl: 'http://127.0.0.1:8787/hls/Ab3_x9-QzK/index.m3u8',
  avatarUrl: 'http://127.0.0.1:8787/avatars/default.png',
  channelType: 'STANDARD',
};

export const settings: Settings = {
  sources: {
    screen: null,
    camera: null,
    microphone: null,
    desktopAudio: false,
    desktopAudioDevice: null,
    testSources: false,
    microphoneControl: { volume: 1, muted: false },
    desktopAudioControl: { volume: 1, muted: false },
    portalRestoreToken: null,
  },
  pip: { corner: 'bottomRight', sizePercent: 25 },
  layout: 'pip',
  quality: '720p30',
  abr: { enabled: true, minKbps: 300 },
  lastBackend: null,
  lastEmail: null,
  language: null,
  recording: { whileLive: true, folder: null },
};

/** app_info of a signed-in local account: init() goes straight to the studio. */
export const signedIn = () => ({
  version: '0.1.0',
  backend: { kind: 'local', label: 'This computer', hasAccounts: true },
  account: { email: 'neo@example.com', nickname: 'neo', channel: profile.channel },
  lastBackend: 'local',
  logDir: '/tmp',
});

export interface Fake {
  calls: { cmd: string; args: Record<string, unknown> }[];
  chat: Channel<ChatUpdate> | null;
  /** The window's high-rate receivers (subscribe_media), for tests to push into. */
  media: { preview: Channel<ArrayBuffer>; levels: Channel<AudioLevels>; stats: Channel<StatsSample> } | null;
  handlers: Record<string, (args: Record<string, unknown>) => unknown>;
}

/** Installs the fake; `overrides` replace single commands (throw to fail one). */
export function fakeBackend(overrides: Fake['handlers'] = {}): Fake {
  const fake: Fake = { calls: [], chat: null, media: null, handlers: {} };
  const defaults: Fake['handlers'] = {
    app_info: () => ({ version: '0.1.0', backend: null, account: null, lastBackend: null, logDir: '/tmp' }),
    get_settings: () => settings,
    save_settings: (a) => a.settings,
    set_audio_control: (a) => {
      const key = a.source === 'microphone' ? 'microphoneControl' : 'desktopAudioControl';
      const current = fake.handlers.get_settings({}) as Settings;
      return { ...current, sources: { ...current.sources, [key]: a.control } };
    },
    set_layout: (a) => ({ ...(fake.handlers.get_settings({}) as Settings), layout: a.layout }),
    get_live_state: () => ({ state: 'idle' }),
    list_recordings: () => [],
    record_only: () => null,
    open_recordings_folder: () => '/home/neo/Videos/Cloumer',
    open_logs: () => '/tmp',
    export_diagnostics: () => '/home/neo/Downloads/cloumer-diagnostics.zip',
    subscribe_media: (a) => {
      fake.media = a as unknown as Fake['media'];
      return null;
    },
    start_local_backend: () => ({ kind: 'local', label: 'This computer', hasAccounts: true }),
    sign_up: (a) => ({ status: 'signedIn', account: { email: a.email, nickname: a.nickname, channel: profile.channel } }),
    sign_in: (a) => ({ status: 'signedIn', account: { email: a.email, nickname: 'neo', channel: profile.channel } }),
    // "Try it locally": the owner's account, made on this computer without a form.
    try_locally: () => {
      fake.handlers.app_info = signedIn;
      return signedIn().account;
    },
    confirm_sign_up: (a) => ({ email: a.email, nickname: 'neo', channel: profile.channel }),
    resend_code: () => null,
    forgot_password: () => null,
    reset_password: (a) => ({ email: a.email, nickname: 'neo', channel: profile.channel }),
    set_new_password: () => ({ email: 'neo@example.com', nickname: 'neo', channel: profile.channel }),
    sign_out: () => null,
    sign_out_everywhere: () => null,
    set_nickname: (a) => ({ email: 'neo@example.com', nickname: String(a.nickname).trim(), channel: profile.channel }),
    list_devices: () => [],
    get_profile: () => profile,
    save_title: (a) => ({ ...profile, title: a.title }),
    reveal_stream_key: () => 'sk_live_ABCDEFGHWXYZ',
    go_live: () => null,
    stop_live: () => null,
    start_preview: () => null,
    stop_preview: () => null,
    set_preview_visible: () => null,
    place_preview: () => null,
    chat_open: (a) => {
      fake.chat = a.updates as Channel<ChatUpdate>;
      return { channel: profile.channel, isOwn: true, canSend: true, canDelete: true, canModerate: true, history: [] };
    },
    chat_send: () => null,
    chat_delete: () => null,
    chat_kick: () => null,
    chat_timeout: (a) => ({ userId: a.userId, until: '2030-01-01T00:00:00Z', reason: '' }),
    chat_ban: (a) => ({ userId: a.userId, until: null, reason: '' }),
    chat_lift: () => [],
    chat_restrictions: () => [],
    chat_moderators: () => [],
    chat_set_moderator: () => [],
    moderated_channels: () => [],
  };
  fake.handlers = { ...defaults, ...overrides };
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      fake.calls.push({ cmd, args });
      const handler = fake.handlers[cmd];
      if (!handler) throw { kind: 'unavailable', message: `no fake for ${cmd}` };
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return fake;
}

export function push(fake: Fake, update: ChatUpdate) {
  fake.chat?.onmessage(update);
}
