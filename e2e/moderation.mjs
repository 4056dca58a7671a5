// Moderation of issue 21, as a moderator does it with the keyboard only: the local owner
// makes VIEWER (accounts.mjs) a moderator of their channel in the studio; a third account,
// TROLL, writes in the owner's chat from outside (its own WebSocket, as the web site
// would); VIEWER signs in, opens the owner's chat from "channels you moderate" and, moving
// with Tab and pressing Enter (no click), deletes one of TROLL's messages, times TROLL out
// and bans them. Each time TROLL's socket is closed and R5 refuses TROLL's chat token
// (timed out, then banned); the ban is listed and lifted with the keyboard, after which
// the token is granted again. Ends signed in as the local owner again.
//
// Needs the VIEWER account that accounts.mjs leaves (confirmed, password known).
import { createRequire } from 'node:module';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VIEWER } from './accounts.mjs';
import { lastCode, studioHelpers } from './studio.mjs';

// Node 20 has no WebSocket of its own: `ws`, already in ui/'s dependencies (jsdom's).
const WebSocket = createRequire(join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'ui/package.json'))('ws');

const TROLL = { email: 'troll@example.com', nickname: 'Troll', password: 'Troll-Passw0rd-1' };
const KEY = { tab: '\uE004', enter: '\uE007' };

export async function run({ wd, step, shot, invoke, assert }) {
  const { textOf, fill, signedInAs } = studioHelpers(wd);
  /** One key pressed and released on whatever has the focus (W3C key actions). */
  const press = async (key) => {
    await wd.request('POST', wd.s('/actions'), { actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }] });
    await wd.request('DELETE', wd.s('/actions'));
  };
  /** What has the focus: its test id, and the message row (user, message id) it is in. */
  const focused = () =>
    wd.script(`const el = document.activeElement; const row = el && el.closest('[data-message-id]');
      return { testid: el && el.dataset.testid, user: row && row.dataset.userId, message: row && row.dataset.messageId, channel: el && el.dataset.channel };`);
  /**
   * Moves the focus with Tab from the chat's "open a channel" field until `want` holds for
   * the focused element (at most 80 presses), then presses Enter on it: the button is in
   * the tab order and works without a pointer.
   */
  const tabAndEnter = async (what, want) => {
    await wd.script(`document.querySelector('[data-testid="chat-open-input"]').focus()`);
    for (let i = 0; i < 80; i++) {
      await press(KEY.tab);
      const f = await focused();
      if (want(f)) {
        await press(KEY.enter);
        return f;
      }
    }
    throw new Error(`${what} is not reachable with Tab`);
  };
  const announced = (pattern) => wd.until(`announced ${pattern}`, async () => pattern.test(await wd.script(`return document.querySelector('[data-testid="chat-announce"]').textContent`)), 20000);

  let config;
  let owner;
  const troll = { channel: '', idToken: '', socket: null, closed: false };
  /** Cognito JSON call on the embedded server. */
  const cognito = async (target, body) => {
    const r = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: { 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}`, 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ ClientId: config.clientId, ...body }),
    });
    const json = await r.json().catch(() => ({}));
    assert(r.ok, `${target}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const login = async (who) =>
    (await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who.email, PASSWORD: who.password } })).AuthenticationResult.IdToken;
  const api = async (path, idToken) => {
    const r = await fetch(`${config.apiUrl}${path}`, { headers: { Authorization: idToken } });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  /** TROLL's chat token for the owner's room (R5): `{ status, body }`. */
  const trollToken = () => api(`/stream/get_caht?targetChanel=${encodeURIComponent(owner.channel)}`, troll.idToken);

  await step('moderation: the owner makes VIEWER a moderator of the open chat', async () => {
    const { playbackUrl } = await invoke('get_profile');
    config = await (await fetch(new URL('/config.json', playbackUrl))).json();
    owner = (await invoke('app_info')).account;
    // TROLL signs up and confirms elsewhere (the web site, say).
    await cognito('SignUp', { Username: TROLL.email, Password: TROLL.password, UserAttributes: [{ Name: 'email', Value: TROLL.email }, { Name: 'nickname', Value: TROLL.nickname }] });
    const code = await wd.until('TROLL\'s code', async () => lastCode(TROLL.email, 'confirm'), 10000);
    await cognito('ConfirmSignUp', { Username: TROLL.email, ConfirmationCode: code });
    troll.idToken = await login(TROLL);
    troll.channel = (await api('/stream/mypage', troll.idToken)).body.chanelName;
    const viewerChannel = (await api('/stream/mypage', await login(VIEWER))).body.chanelName;
    assert(troll.channel && viewerChannel, 'the accounts have channels');
    await wd.until('the own chat open', async () => (await wd.findAll('[data-testid="moderation-toggle"]')).length === 1, 30000);
    await tabAndEnter('the moderation tools', (f) => f.testid === 'moderation-toggle');
    await fill('moderator-input', viewerChannel);
    await press(KEY.enter); // submits the form
    await wd.until('VIEWER listed as moderator', async () => (await textOf('moderators-list')).includes(VIEWER.nickname), 20000);
  });

  await step('moderation: TROLL writes in the owner\'s chat', async () => {
    const { status, body } = await trollToken();
    assert(status === 200 && body.token, `TROLL's token: ${status} ${JSON.stringify(body)}`);
    assert(JSON.stringify(body.capabilities) === '["SEND_MESSAGE"]', `TROLL may only send: ${JSON.stringify(body.capabilities)}`);
    troll.socket = new WebSocket(config.chatEndpoint, body.token);
    troll.socket.on('close', () => (troll.closed = true));
    await new Promise((ok, fail) => {
      troll.socket.once('open', ok);
      troll.socket.once('error', fail);
    });
    for (const [i, text] of ['spam one', 'spam two', 'spam three'].entries()) {
      troll.socket.send(JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: `r${i}`, Content: text }));
    }
    await wd.until('TROLL\'s messages in the owner\'s studio', async () => (await wd.findAll(`[data-testid="chat-message"][data-user-id="${troll.channel}"]`)).length === 3, 20000);
  });

  await step('moderation: VIEWER opens the owner\'s chat from "channels you moderate", with the keyboard', async () => {
    await wd.click(await wd.find('sign-out'));
    await wd.until('the sign-in form', () => wd.find('login-email'), 30000);
    await fill('login-email', VIEWER.email);
    await fill('login-password', VIEWER.password);
    await press(KEY.enter);
    await signedInAs(VIEWER.nickname);
    await wd.until('channels you moderate', () => wd.find('moderated-channels'), 30000);
    await tabAndEnter('the owner\'s channel', (f) => f.testid === 'moderated-channel-open' && f.channel === owner.channel);
    // The history route fills the panel: TROLL's messages are there on opening.
    await wd.until('the history of the owner\'s chat', async () => (await wd.findAll(`[data-testid="chat-message"][data-user-id="${troll.channel}"]`)).length === 3, 30000);
    await shot('moderation-open');
  });

  await step('moderation: delete with Tab + Enter leaves a trace for moderators', async () => {
    const f = await tabAndEnter('Delete on TROLL\'s first message', (f) => f.testid === 'chat-delete' && f.user === troll.channel);
    await announced(/Deleted|삭제했습니다/);
    await wd.until('"message removed by …" in its place', async () => (await wd.findAll(`[data-testid="chat-removed-trace"][data-message-id="${f.message}"]`)).length === 1, 20000);
  });

  await step('moderation: timeout with Tab + Enter disconnects TROLL and R5 refuses them', async () => {
    await tabAndEnter('Timeout on TROLL\'s message', (f) => f.testid === 'chat-timeout' && f.user === troll.channel);
    await announced(/Timed out|타임아웃했습니다/);
    await wd.until('TROLL\'s socket closed', async () => troll.closed, 20000);
    const { status, body } = await trollToken();
    assert(status === 403 && /timed out/.test(body?.message), `TROLL's token while timed out: ${status} ${JSON.stringify(body)}`);
  });

  await step('moderation: ban with Tab + Enter; TROLL\'s token refused; listed and lifted with the keyboard', async () => {
    await tabAndEnter('Ban on TROLL\'s message', (f) => f.testid === 'chat-ban' && f.user === troll.channel);
    await announced(/Banned|차단했습니다/);
    const { status, body } = await trollToken();
    assert(status === 403 && /banned/.test(body?.message), `TROLL's token while banned: ${status} ${JSON.stringify(body)}`);
    await tabAndEnter('the moderation tools', (f) => f.testid === 'moderation-toggle');
    await wd.until('the ban listed', async () => (await wd.findAll(`[data-testid="ban-row"][data-user-id="${troll.channel}"]`)).length === 1, 20000);
    await shot('moderation-bans');
    await wd.script(`document.querySelector('[data-testid="moderation-toggle"]').focus()`);
    for (let i = 0; i < 20 && (await focused()).testid !== 'ban-lift'; i++) await press(KEY.tab);
    assert((await focused()).testid === 'ban-lift', 'Lift is reachable with Tab');
    await press(KEY.enter);
    await wd.until('the ban lifted', async () => (await wd.findAll('[data-testid="ban-row"]')).length === 0, 20000);
    assert((await trollToken()).status === 200, 'TROLL may chat again after the lift');
  });

  await step('moderation: the local owner signs back in', async () => {
    troll.socket?.terminate();
    await wd.click(await wd.find('sign-out'));
    await wd.click(await wd.until('"continue on this computer"', () => wd.find('local-continue'), 30000));
    await wd.until('studio', () => wd.find('title-input'), 60000);
  });
}
