// Accounts through the Cognito JSON protocol with amazon-cognito-identity-js (SRP log-in,
// sign-up with a confirmation code, forgot password). Every token stays in this tab's
// memory: the SDK's storage is a Map, never localStorage (see web/README.md, "Tokens").
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from 'amazon-cognito-identity-js';
import { config } from './config';

/** The SDK's cache, kept in memory: gone when the tab closes or reloads. */
class MemoryStorage implements ICognitoStorage {
  private items = new Map<string, string>();
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

export interface Account {
  username: string;
  nickname: string;
  channel: string;
}

const storage = new MemoryStorage();
let pool: CognitoUserPool | null = null;
let current: CognitoUser | null = null;

/** Who is logged in (null: nobody); pages react to it. */
export const session = $state<{ account: Account | null }>({ account: null });

function userPool(): CognitoUserPool {
  const c = config();
  pool ??= new CognitoUserPool({
    UserPoolId: c.userPoolId,
    ClientId: c.clientId,
    Storage: storage,
    ...(c.cognitoEndpoint ? { endpoint: c.cognitoEndpoint } : {}),
  });
  return pool;
}

function user(username: string): CognitoUser {
  return new CognitoUser({ Username: username, Pool: userPool(), Storage: storage });
}

function accountOf(username: string, s: CognitoUserSession): Account {
  const claims = s.getIdToken().decodePayload();
  return {
    username,
    nickname: String(claims.nickname ?? username),
    channel: String(claims['custom:chanelName'] ?? ''),
  };
}

/** The error's message as Cognito phrased it (its `name` is the exception type). */
function failure(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(String(e));
}

export function signUp(email: string, password: string, nickname: string): Promise<void> {
  const attributes = [
    new CognitoUserAttribute({ Name: 'email', Value: email }),
    new CognitoUserAttribute({ Name: 'nickname', Value: nickname }),
  ];
  return new Promise((resolve, reject) =>
    userPool().signUp(email, password, attributes, [], (e) => (e ? reject(failure(e)) : resolve())),
  );
}

export function confirmSignUp(email: string, code: string): Promise<void> {
  return new Promise((resolve, reject) =>
    user(email).confirmRegistration(code.trim(), true, (e) => (e ? reject(failure(e)) : resolve())),
  );
}

export function resendCode(email: string): Promise<void> {
  return new Promise((resolve, reject) =>
    user(email).resendConfirmationCode((e) => (e ? reject(failure(e)) : resolve())),
  );
}

/** SRP log-in (USER_SRP_AUTH, the SDK's default): the password never leaves the page. */
export function logIn(username: string, password: string): Promise<Account> {
  const u = user(username);
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) =>
    u.authenticateUser(details, {
      onSuccess: (s) => {
        current = u;
        session.account = accountOf(username, s);
        resolve(session.account);
      },
      onFailure: (e) => reject(failure(e)),
      newPasswordRequired: () =>
        reject(new Error('This account needs a new password: use "Forgot password".')),
    }),
  );
}

export function forgotPassword(username: string): Promise<void> {
  return new Promise((resolve, reject) =>
    user(username).forgotPassword({
      onSuccess: () => resolve(),
      onFailure: (e) => reject(failure(e)),
      inputVerificationCode: () => resolve(),
    }),
  );
}

export function confirmNewPassword(username: string, code: string, password: string): Promise<void> {
  return new Promise((resolve, reject) =>
    user(username).confirmPassword(code.trim(), password, {
      onSuccess: () => resolve(),
      onFailure: (e) => reject(failure(e)),
    }),
  );
}

/**
 * A valid ID token, refreshed with the in-memory refresh token when it is about to expire
 * (the SDK's getSession does that); null when logged out or the refresh failed.
 */
export function idToken(): Promise<string | null> {
  const u = current;
  if (!u) return Promise.resolve(null);
  return new Promise((resolve) =>
    u.getSession((e: Error | null, s: CognitoUserSession | null) =>
      resolve(!e && s?.isValid() ? s.getIdToken().getJwtToken() : null),
    ),
  );
}

/** Ends every session of this user on the server (GlobalSignOut), then forgets the tokens. */
export async function logOut(): Promise<void> {
  const u = current;
  current = null;
  session.account = null;
  if (!u) return;
  await new Promise<void>((resolve) =>
    u.globalSignOut({ onSuccess: () => resolve(), onFailure: () => resolve() }),
  );
  u.signOut();
  storage.clear();
}
