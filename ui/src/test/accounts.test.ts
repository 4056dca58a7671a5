// The account screen against a remote backend: confirm an account at a later sign-in
// (with "send the code again"), forgot password + reset, NEW_PASSWORD_REQUIRED, sign out
// everywhere, and errors that say what to do.
import { describe, expect, it, beforeEach } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import { banners } from '../lib/banners.svelte';
import { fakeBackend, profile, settings, signedIn, type Fake } from './fake-backend';
import { applyLang } from '../i18n';

const remote = { kind: 'cloumer', label: 'api.example.com', hasAccounts: true };
const account = { email: 'neo@example.com', nickname: 'neo', channel: profile.channel };
const authError = (reason: string) => ({ kind: 'auth', message: `refused (${reason})`, reason });

/** A remote backend chosen, nobody signed in: the sign-in screen. */
async function signInScreen(overrides: Fake['handlers'] = {}) {
  const fake = fakeBackend({
    app_info: () => ({ version: '0.1.0', backend: remote, account: null, lastBackend: 'cloumer', logDir: '/tmp' }),
    ...overrides,
  });
  render(App);
  await fireEvent.input(await screen.findByTestId('login-email'), { target: { value: 'neo@example.com' } });
  await fireEvent.input(screen.getByTestId('login-password'), { target: { value: 'Passw0rd!x' } });
  return fake;
}

const args = (fake: Fake, cmd: string) => fake.calls.filter((c) => c.cmd === cmd).map((c) => c.args);

beforeEach(() => {
  studio.screen = 'welcome';
  studio.backend = null;
  studio.account = null;
  studio.profile = null;
  banners.clear();
});

describe('confirm an account at a later sign-in', () => {
  it('asks for the code, resends it, says what to do about a wrong one, then signs in', async () => {
    let good = false;
    const fake = await signInScreen({
      sign_in: () => ({ status: 'needsCode', email: 'neo@example.com' }),
      confirm_sign_up: () => {
        if (!good) throw authError('wrongCode');
        return account;
      },
    });
    await fireEvent.click(screen.getByTestId('login-submit'));
    const code = await screen.findByTestId('confirm-code');
    expect(screen.getByText(/neo@example\.com/)).toBeInTheDocument();

    await fireEvent.click(screen.getByTestId('resend-code'));
    expect(await screen.findByTestId('auth-notice')).toHaveTextContent('A new code is on its way to neo@example.com.');
    expect(args(fake, 'resend_code')).toEqual([{ email: 'neo@example.com' }]);

    await fireEvent.input(code, { target: { value: '000000' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    expect(await screen.findByTestId('auth-error')).toHaveTextContent(
      'The code is wrong or expired: check the e-mail or send a new one.',
    );
    expect(screen.queryByTestId('error-banner')).toBeNull();

    good = true;
    await fireEvent.input(code, { target: { value: '123456' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    await screen.findByTestId('title-input');
    expect(args(fake, 'confirm_sign_up').at(-1)).toEqual({ email: 'neo@example.com', code: '123456', password: 'Passw0rd!x' });
  });
});

describe('forgot password', () => {
  it('sends a reset code to the typed e-mail, then sets the new password and signs in', async () => {
    const fake = await signInScreen();
    await fireEvent.click(screen.getByTestId('forgot-password'));
    const code = await screen.findByTestId('reset-code');
    expect(args(fake, 'forgot_password')).toEqual([{ email: 'neo@example.com' }]);
    await fireEvent.input(code, { target: { value: '654321' } });
    await fireEvent.input(screen.getByTestId('reset-password'), { target: { value: 'N3w-password!' } });
    await fireEvent.click(screen.getByTestId('reset-submit'));
    await screen.findByTestId('title-input');
    expect(args(fake, 'reset_password')).toEqual([{ email: 'neo@example.com', code: '654321', newPassword: 'N3w-password!' }]);
  });

  it('asks for the e-mail first, and explains an expired code', async () => {
    const fake = await signInScreen({ reset_password: () => { throw authError('expiredCode'); } });
    await fireEvent.input(screen.getByTestId('login-email'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('forgot-password'));
    expect(await screen.findByTestId('auth-error')).toHaveTextContent('Type your e-mail address first.');
    expect(args(fake, 'forgot_password')).toEqual([]);

    await fireEvent.input(screen.getByTestId('login-email'), { target: { value: 'neo@example.com' } });
    await fireEvent.click(screen.getByTestId('forgot-password'));
    await fireEvent.input(await screen.findByTestId('reset-code'), { target: { value: '111111' } });
    await fireEvent.input(screen.getByTestId('reset-password'), { target: { value: 'N3w-password!' } });
    await fireEvent.click(screen.getByTestId('reset-submit'));
    expect(await screen.findByTestId('auth-error')).toHaveTextContent('The code has expired: send a new one and enter it.');
    await fireEvent.click(screen.getByTestId('reset-resend'));
    await waitFor(() => expect(args(fake, 'forgot_password')).toHaveLength(2));
  });
});

describe('sign-in errors say what to do', () => {
  it('a wrong password points at "Forgot password?"', async () => {
    await signInScreen({ sign_in: () => { throw authError('wrongPassword'); } });
    await fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByTestId('auth-error')).toHaveTextContent(
      'The e-mail or password is wrong: check both, or use “Forgot password?”.',
    );
  });

  it('an error without a reason shows the message and the fix of its kind', async () => {
    await signInScreen({ sign_in: () => { throw { kind: 'network', message: 'cannot reach api.example.com' }; } });
    await fireEvent.click(screen.getByTestId('login-submit'));
    const error = await screen.findByTestId('auth-error');
    expect(error).toHaveTextContent('cannot reach api.example.com');
    expect(error.textContent!.length).toBeGreaterThan('cannot reach api.example.com'.length + 10);
  });
});

describe('NEW_PASSWORD_REQUIRED', () => {
  it('is answered in the app with a new password', async () => {
    const fake = await signInScreen({ sign_in: () => ({ status: 'needsNewPassword', email: 'neo@example.com' }) });
    await fireEvent.click(screen.getByTestId('login-submit'));
    await fireEvent.input(await screen.findByTestId('new-password'), { target: { value: 'Brand-N3w-pass' } });
    await fireEvent.click(screen.getByTestId('new-password-submit'));
    await screen.findByTestId('title-input');
    expect(args(fake, 'set_new_password')).toEqual([{ newPassword: 'Brand-N3w-pass' }]);
  });
});

describe('sign out everywhere', () => {
  it('ends every session and shows the sign-in screen', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    render(App);
    await fireEvent.click(await screen.findByTestId('sign-out-everywhere'));
    await waitFor(() => expect(args(fake, 'sign_out_everywhere')).toHaveLength(1));
    expect(await screen.findByTestId('local-continue')).toBeInTheDocument();
    expect(studio.account).toBeNull();
  });

  it('keeps the user signed in, with what to do, when the backend cannot be reached', async () => {
    fakeBackend({
      app_info: signedIn,
      sign_out_everywhere: () => { throw { kind: 'network', message: 'cannot reach 127.0.0.1' }; },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('sign-out-everywhere'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('cannot reach 127.0.0.1');
    expect(screen.getByTestId('title-input')).toBeInTheDocument();
  });
});

describe('local backend', () => {
  it('signs the owner back in with one click after a sign-out', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    render(App);
    await fireEvent.click(await screen.findByTestId('sign-out'));
    await fireEvent.click(await screen.findByTestId('local-continue'));
    await screen.findByTestId('title-input');
    expect(args(fake, 'try_locally')).toHaveLength(1);
  });
});

describe('nickname', () => {
  it('is edited in the profile and shown at once', async () => {
    const fake = fakeBackend({ app_info: signedIn });
    render(App);
    const input = await screen.findByTestId('nickname-input');
    expect(input).toHaveValue('neo');
    expect(screen.getByTestId('nickname-save')).toBeDisabled();
    await fireEvent.input(input, { target: { value: '스트리머' } });
    await fireEvent.click(screen.getByTestId('nickname-save'));
    await waitFor(() => expect(screen.getByTestId('account-nickname')).toHaveTextContent('스트리머'));
    expect(args(fake, 'set_nickname')).toEqual([{ nickname: '스트리머' }]);
    expect(screen.getByTestId('nickname-save')).toHaveTextContent('Saved');
  });
});

describe('in Korean', () => {
  it('the sign-in screen and its errors speak Korean', async () => {
    try {
      // Korean chosen in the settings, as the language switch saves it.
      await signInScreen({ get_settings: () => ({ ...settings, language: 'ko' }), sign_in: () => ({ status: 'needsCode', email: 'neo@example.com' }), confirm_sign_up: () => { throw authError('wrongCode'); } });
      expect(screen.getByTestId('login-submit')).toHaveTextContent('로그인');
      expect(screen.getByTestId('forgot-password')).toHaveTextContent('비밀번호를 잊으셨나요?');
      await fireEvent.click(screen.getByTestId('login-submit'));
      await fireEvent.input(await screen.findByTestId('confirm-code'), { target: { value: '000000' } });
      expect(screen.getByTestId('resend-code')).toHaveTextContent('코드 다시 보내기');
      await fireEvent.click(screen.getByTestId('confirm-submit'));
      expect(await screen.findByTestId('auth-error')).toHaveTextContent('코드가 틀렸거나 만료되었습니다. 이메일을 확인하거나 새 코드를 받으세요.');
    } finally {
      applyLang('en');
    }
  });
});
