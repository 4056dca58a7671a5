// The account screen's flows beyond a plain sign-in: confirm an account later (with "send
// the code again"), forgot password + reset with the code, the backend's "new password
// required". Failures stay in the form (`error`), each with what to do, rather than in a
// banner: the user is looking at the form.
import { commands, type AppError } from './bindings';
import { asAppError, call, fixFor } from './api';
import { studio } from './studio.svelte';
import { t } from '../i18n';

/** Which form the account screen shows. */
export type Step = 'signIn' | 'confirm' | 'reset' | 'newPassword';

/** What to do about a failed account step, in the studio's language. */
export function explain(error: AppError): string {
  if (error.kind === 'auth' && error.reason) return t(`account.error.${error.reason}`);
  return t('account.error.other', { values: { message: error.message, fix: fixFor(error) } });
}

export class AccountForm {
  step = $state<Step>('signIn');
  email = $state('');
  password = $state('');
  nickname = $state('');
  code = $state('');
  newPassword = $state('');
  /** The last failure, explained; null when there is none. */
  error = $state<string | null>(null);
  /** A confirmation of what just happened ("a new code is on its way"). */
  notice = $state<string | null>(null);
  busy = $state(false);

  constructor(lastEmail: string | null = null) {
    this.email = lastEmail ?? '';
  }

  /** Runs one step; its failure lands in `error`. */
  private async attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      return await action();
    } catch (e) {
      this.error = explain(asAppError(e));
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private go(step: Step) {
    this.step = step;
    this.code = '';
    this.newPassword = '';
  }

  async signIn() {
    const outcome = await this.attempt(() => call(commands.signIn(this.email, this.password)));
    if (outcome?.status === 'needsCode') this.go('confirm');
    else if (outcome?.status === 'needsNewPassword') this.go('newPassword');
    else if (outcome) await studio.signedIn(outcome.account);
  }

  async signUp() {
    if (!this.nickname.trim()) {
      this.error = t('account.needNickname');
      return;
    }
    const outcome = await this.attempt(() => call(commands.signUp(this.email, this.password, this.nickname.trim())));
    if (outcome?.status === 'needsCode') this.go('confirm');
    else if (outcome) await studio.signedIn(outcome.account);
  }

  async confirm() {
    const account = await this.attempt(() => call(commands.confirmSignUp(this.email, this.code, this.password)));
    if (account) await studio.signedIn(account);
  }

  async resendCode() {
    const sent = await this.attempt(() => call(commands.resendCode(this.email)));
    if (sent !== undefined) this.notice = t('account.confirm.resent', { values: { email: this.email } });
  }

  /** "Forgot password?": sends a reset code to the e-mail typed in the form. */
  async forgot() {
    if (!this.email.trim()) {
      this.error = t('account.needEmail');
      return;
    }
    const sent = await this.attempt(() => call(commands.forgotPassword(this.email)));
    if (sent === undefined) return;
    if (this.step !== 'reset') this.go('reset');
    else this.notice = t('account.confirm.resent', { values: { email: this.email } });
  }

  async reset() {
    const account = await this.attempt(() => call(commands.resetPassword(this.email, this.code, this.newPassword)));
    if (account) await studio.signedIn(account);
  }

  async setNewPassword() {
    const account = await this.attempt(() => call(commands.setNewPassword(this.newPassword)));
    if (account) await studio.signedIn(account);
  }

  back() {
    this.error = null;
    this.notice = null;
    this.go('signIn');
  }
}
