// The studio's shared state and the actions behind its buttons. Components read the
// fields and call the methods; every method reports failures as banners and never throws.
import { Channel } from '@tauri-apps/api/core';
import {
  commands,
  events,
  type Account,
  type AudioControl,
  type AudioLevels,
  type AudioSourceId,
  type BackendInfo,
  type DeviceInfo,
  type LayoutChoice,
  type LiveState,
  type Profile,
  type ProfileSource,
  type Settings,
  type StatsSample,
} from './bindings';
import { call } from './api';
import { banners } from './banners.svelte';
import { applyLang, t } from '../i18n';

export type Screen = 'welcome' | 'auth' | 'studio';

/** Where each audio source's control lives in the settings. */
export const controlKey = { microphone: 'microphoneControl', desktopAudio: 'desktopAudioControl' } as const;

/** Seconds of stats kept for the bitrate graph. */
export const STATS_WINDOW = 60;

export class Studio {
  screen = $state<Screen>('welcome');
  backend = $state<BackendInfo | null>(null);
  account = $state<Account | null>(null);
  profile = $state<Profile | null>(null);
  settings = $state<Settings | null>(null);
  devices = $state<DeviceInfo[]>([]);
  live = $state<LiveState>({ state: 'idle' });
  /** The app's version (the package's), for the first screen and the Help menu. */
  version = $state('');
  stats = $state<StatsSample[]>([]);
  levels = $state<AudioLevels>({ microphoneDb: -90, desktopDb: -90 });
  /** The latest preview frame (a JPEG), drawn by the Preview component. */
  preview = $state.raw<Blob | null>(null);
  /** Preview before going live (a preview-only session); off by default to keep idle cheap. */
  previewOn = $state(false);
  /** Names of actions in flight (buttons show progress and stay clickable elsewhere). */
  busy = $state<Record<string, boolean>>({});

  /** Whether a broadcast session runs (connecting, live, reconnecting or draining). */
  get isRunning(): boolean {
    return ['connecting', 'live', 'reconnecting', 'stopping'].includes(this.live.state);
  }

  /** Runs an action with a busy flag; failures become banners. */
  async run<T>(name: string, action: () => Promise<T>): Promise<T | undefined> {
    this.busy = { ...this.busy, [name]: true };
    try {
      return await action();
    } catch (e) {
      banners.report(e);
      return undefined;
    } finally {
      this.busy = { ...this.busy, [name]: false };
    }
  }

  async init() {
    await events.liveStateChanged.listen((e) => {
      this.live = e.payload;
      // A finished broadcast leaves no frozen picture unless the preview is on.
      if (['stopped', 'failed'].includes(e.payload.state) && !this.previewOn) this.preview = null;
    });
    // Devices plugged in or out, monitors and windows come or gone: the lists follow.
    void events.devicesChanged.listen((e) => (this.devices = e.payload));
    this.subscribeMedia();
    const info = await this.run('init', () => call(commands.appInfo()));
    if (info) this.version = info.version;
    this.settings = await commands.getSettings();
    applyLang(this.settings.language);
    this.live = await commands.getLiveState();
    // The user may have clicked a choice while this was loading: theirs wins.
    if (!info || this.backend) return;
    this.backend = info.backend;
    this.account = info.account;
    this.screen = info.account ? 'studio' : info.backend ? 'auth' : 'welcome';
    if (info.account) await this.enterStudio();
    else if (!info.backend && (info.lastBackend === 'local' || info.lastBackend === 'cloumer')) await this.restore();
  }

  /** Reopens the last backend and signs back in from the stored session (no password). */
  private async restore() {
    const account = await this.run('restore', () => call(commands.restoreSession()));
    // A choice the user made meanwhile wins; a failed restore leaves the first screen.
    if (this.screen !== 'welcome' || this.busy.backend) return;
    const info = await this.run('init', () => call(commands.appInfo()));
    if (!info?.backend) return;
    this.backend = info.backend;
    if (account) await this.signedIn(account);
    // The local owner's session is gone (signed out everywhere, say): one click's path.
    else if (info.backend.kind === 'local') await this.tryLocally();
    else this.screen = 'auth';
  }

  private subscribeMedia() {
    const preview = new Channel<ArrayBuffer>();
    preview.onmessage = (jpeg) => {
      // Frames and state events travel apart: one sent just before the broadcast ended may
      // land after its 'stopped' and would leave a frozen picture. Only a session that
      // makes frames (live, or the preview turned on) gets them drawn.
      if (this.previewOn || this.isRunning) this.preview = new Blob([jpeg], { type: 'image/jpeg' });
    };
    const levels = new Channel<AudioLevels>();
    levels.onmessage = (l) => (this.levels = l);
    const stats = new Channel<StatsSample>();
    stats.onmessage = (s) => (this.stats = [...this.stats, s].slice(-STATS_WINDOW));
    void commands.subscribeMedia(preview, levels, stats);
    // No preview frames are made while the window is minimised or hidden in the tray.
    document.addEventListener('visibilitychange', () => void commands.setPreviewVisible(!document.hidden));
  }

  async chooseBackend(name: string, start: () => Promise<BackendInfo>) {
    const backend = await this.run(name, start);
    if (!backend) return;
    this.backend = backend;
    banners.clear();
    this.screen = backend.hasAccounts ? 'auth' : 'studio';
    if (!backend.hasAccounts) await this.enterStudio();
  }

  /** "Try it locally": one click to the studio, the local account made or reused. */
  async tryLocally() {
    const account = await this.run('backend', () => call(commands.tryLocally()));
    if (!account) return;
    const info = await this.run('init', () => call(commands.appInfo()));
    this.backend = info?.backend ?? null;
    await this.signedIn(account);
  }
  connectCloumer(source: ProfileSource) {
    return this.chooseBackend('backend', () => call(commands.connectCloumer(source)));
  }
  useIvs(region: string, channelArn: string) {
    return this.chooseBackend('backend', () => call(commands.useIvsChannel(region, channelArn)));
  }
  useRtmp(url: string, key: string) {
    return this.chooseBackend('backend', () => call(commands.useCustomRtmp(url, key)));
  }

  /** Ends the account's sessions on every device, then shows the sign-in screen. */
  async signOutEverywhere() {
    const done = await this.run('auth', () => call(commands.signOutEverywhere()));
    if (done === undefined) return;
    this.account = null;
    this.profile = null;
    this.screen = 'auth';
  }

  /** Shows the studio of a freshly signed-in account. */
  async signedIn(account: Account) {
    this.account = account;
    banners.clear();
    await this.enterStudio();
  }

  async signOut() {
    await this.run('auth', () => call(commands.signOut()));
    this.account = null;
    this.profile = null;
    this.screen = 'auth';
  }

  async changeBackend() {
    this.screen = 'welcome';
  }

  private async enterStudio() {
    this.screen = 'studio';
    const [devices, profile] = await Promise.all([
      this.run('devices', () => call(commands.listDevices())),
      this.account ? this.run('profile', () => call(commands.getProfile())) : Promise.resolve(undefined),
    ]);
    if (devices) this.devices = devices;
    if (profile) this.profile = profile;
  }

  async saveTitle(title: string) {
    const profile = await this.run('title', () => call(commands.saveTitle(title)));
    if (profile) this.profile = profile;
    return profile !== undefined;
  }

  async uploadAvatar(fileName: string, dataBase64: string, onProgress: (fraction: number) => void) {
    const progress = new Channel<{ sent: number; total: number }>();
    progress.onmessage = (p) => onProgress(p.total ? p.sent / p.total : 0);
    const profile = await this.run('avatar', () => call(commands.uploadAvatar(fileName, dataBase64, progress)));
    if (profile) this.profile = profile;
    return profile !== undefined;
  }

  async rotateKey() {
    const profile = await this.run('key', () => call(commands.rotateStreamKey()));
    if (profile) this.profile = profile;
  }

  revealKey() {
    return this.run('key', () => call(commands.revealStreamKey()));
  }

  async saveSettings(change: (s: Settings) => Settings) {
    if (!this.settings) return;
    const saved = await this.run('settings', () => call(commands.saveSettings(change(structuredClone($state.snapshot(this.settings) as Settings)))));
    if (saved) this.settings = saved;
  }

  /** Latest control per source not yet sent, and whether a send is in flight. */
  private audioQueued: Partial<Record<AudioSourceId, AudioControl>> = {};
  private audioSending: Partial<Record<AudioSourceId, boolean>> = {};

  /**
   * Sets a source's gain and mute; while live (or previewing) the engine applies it at once.
   * A dragged slider fires dozens of inputs a second: one call is in flight per source and
   * only the newest value waits behind it, so the last position always lands and the shell
   * does not write the settings file for every pixel.
   */
  async setAudioControl(source: AudioSourceId, control: AudioControl) {
    if (!this.settings) return;
    this.settings.sources[controlKey[source]] = control;
    this.audioQueued[source] = control;
    if (this.audioSending[source]) return;
    this.audioSending[source] = true;
    try {
      for (let next = this.audioQueued[source]; next; next = this.audioQueued[source]) {
        delete this.audioQueued[source];
        const saved = await this.run('audio', () => call(commands.setAudioControl(source, next!)));
        if (saved && !this.audioQueued[source]) this.settings = saved;
      }
    } finally {
      this.audioSending[source] = false;
    }
  }

  /** Switches what the stream shows; while live the engine applies it at once. */
  async setLayout(layout: LayoutChoice) {
    if (!this.settings || this.settings.layout === layout) return;
    const before = this.settings.layout;
    this.settings.layout = layout;
    const saved = await this.run('layout', () => call(commands.setLayout(layout)));
    if (saved) this.settings = saved;
    else this.settings.layout = before;
  }

  async goLive() {
    this.stats = [];
    this.live = { state: 'connecting' };
    const ok = await this.run('live', () => call(commands.goLive()));
    // The backend's own events carry the real state; a refused start leaves "failed".
    if (ok === undefined && this.live.state === 'connecting') {
      this.live = { state: 'failed', kind: 'other', reason: t('live.couldNotStart'), fix: null };
    }
  }

  async stopLive() {
    await this.run('stop', () => call(commands.stopLive()));
    if (this.previewOn) await this.run('preview', () => call(commands.startPreview()));
  }

  /** Shows or hides the sources' preview while not live (live always has it). */
  async togglePreview() {
    if (this.previewOn) {
      this.previewOn = false;
      this.preview = null;
      await this.run('preview', () => call(commands.stopPreview()));
      return;
    }
    this.previewOn = true;
    const ok = await this.run('preview', () => call(commands.startPreview()));
    if (ok === undefined) this.previewOn = false;
  }

  reconnectNow() {
    return this.run('reconnect', () => call(commands.reconnectNow()));
  }
}

export const studio = new Studio();
