// Account flows of issue 21 against the studio's embedded server, as a user goes through
// them: an account made elsewhere and never confirmed is confirmed at a later sign-in
// (after "send the code again", and a wrong code first: the error says what to do), then
// its password is forgotten and reset with the code, the new password signs in, "sign out
// everywhere" ends its sessions, and one click signs the local owner back in.
//
// The embedded server has no mail: codes are in <XDG_DATA_HOME>/cloumer-studio/local-server/
// outbox.jsonl (crates/cloumer-server/README.md), read here as the CLI tests do.
//
// Leaves the studio signed in as the local owner (`invoke('app_info')` gives its e-mail)
// and the second account VIEWER (e-mail and password below) confirmed, for later modules.
import { lastCode, outboxCodes, studioHelpers } from './studio.mjs';

export const VIEWER = { email: 'viewer@example.com', nickname: 'Viewer', password: 'Viewer-N3w-Passw0rd' };
const FIRST_PASSWORD = 'Viewer-Passw0rd-1';

const codeCount = (email, purpose) => outboxCodes(email, purpose).length;

export async function run({ wd, step, shot, invoke, assert }) {
  const { textOf, fill, signedInAs } = studioHelpers(wd);

  await step('accounts: an account made elsewhere is left unconfirmed', async () => {
    // The web site's sign-up, say: the same Cognito endpoint the site's config names.
    const { playbackUrl } = await invoke('get_profile');
    const config = await (await fetch(new URL('/config.json', playbackUrl))).json();
    const answer = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSCognitoIdentityProviderService.SignUp', 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        ClientId: config.clientId,
        Username: VIEWER.email,
        Password: FIRST_PASSWORD,
        UserAttributes: [{ Name: 'email', Value: VIEWER.email }, { Name: 'nickname', Value: VIEWER.nickname }],
      }),
    });
    assert(answer.ok, `sign-up refused: ${answer.status} ${await answer.text()}`);
    await wd.click(await wd.find('sign-out'));
    await wd.until('the sign-in form', () => wd.find('login-email'), 30000);
  });

  await step('accounts: sign-in asks for the code, resends it, explains a wrong one, confirms', async () => {
    await fill('login-email', VIEWER.email);
    await fill('login-password', FIRST_PASSWORD);
    await wd.click(await wd.find('login-submit'));
    await wd.until('the code form', () => wd.find('confirm-code'), 30000);
    const before = codeCount(VIEWER.email, 'confirm');
    await wd.click(await wd.find('resend-code'));
    await wd.until('"a new code is on its way"', () => wd.find('auth-notice'), 30000);
    await wd.until('a new code in the outbox', () => codeCount(VIEWER.email, 'confirm') > before, 10000);
    await fill('confirm-code', '000000');
    await wd.click(await wd.find('confirm-submit'));
    const error = await wd.until('the wrong code explained', async () => textOf('auth-error'), 30000);
    assert(/send a new one|새 코드/.test(error), `the error must say what to do: "${error}"`);
    await shot('accounts-wrong-code');
    await fill('confirm-code', lastCode(VIEWER.email, 'confirm'));
    await wd.click(await wd.find('confirm-submit'));
    await signedInAs(VIEWER.nickname);
    await wd.find('go-live');
  });

  await step('accounts: forgot password, reset with the code from the e-mail', async () => {
    await wd.click(await wd.find('sign-out'));
    await wd.until('the sign-in form', () => wd.find('login-email'), 30000);
    await fill('login-email', VIEWER.email);
    await wd.click(await wd.find('forgot-password'));
    await wd.until('the reset form', () => wd.find('reset-code'), 30000);
    const code = await wd.until('a reset code in the outbox', async () => lastCode(VIEWER.email, 'reset'), 10000);
    await fill('reset-code', code);
    await fill('reset-password', VIEWER.password);
    await shot('accounts-reset');
    await wd.click(await wd.find('reset-submit'));
    await signedInAs(VIEWER.nickname);
  });

  await step('accounts: sign out everywhere, then the new password signs in', async () => {
    await wd.click(await wd.find('sign-out-everywhere'));
    await wd.until('the sign-in form', () => wd.find('login-email'), 30000);
    const { account } = await invoke('app_info');
    assert(account === null, `still signed in after "sign out everywhere": ${JSON.stringify(account)}`);
    await fill('login-email', VIEWER.email);
    await fill('login-password', FIRST_PASSWORD);
    await wd.click(await wd.find('login-submit'));
    const error = await wd.until('the old password refused', async () => textOf('auth-error'), 30000);
    assert(/Forgot password|비밀번호를 잊으셨나요/.test(error), `the error must point at the reset: "${error}"`);
    await fill('login-password', VIEWER.password);
    await wd.click(await wd.find('login-submit'));
    await signedInAs(VIEWER.nickname);
  });

  await step('accounts: one click signs the local owner back in', async () => {
    await wd.click(await wd.find('sign-out'));
    await wd.click(await wd.until('"continue on this computer"', () => wd.find('local-continue'), 30000));
    await wd.until('studio', () => wd.find('title-input'), 60000);
    const { account } = await invoke('app_info');
    assert(account?.email?.endsWith('@localhost'), `not the local owner: ${JSON.stringify(account)}`);
    await signedInAs(account.nickname);
  });
}
