// What the studio scenarios share: reading the embedded server's outbox (where its
// confirmation and reset codes go, crates/cloumer-server/README.md) and small WebDriver
// steps by data-testid.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const outbox = join(process.env.XDG_DATA_HOME ?? join(process.env.HOME, '.local/share'), 'cloumer-studio/local-server/outbox.jsonl');

/** The codes of `purpose` ("confirm", "reset") the embedded server sent to `email`, oldest first. */
export function outboxCodes(email, purpose) {
  if (!existsSync(outbox)) return [];
  return readFileSync(outbox, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((m) => m.to === email && m.purpose === purpose)
    .map((m) => m.code);
}

/** The newest such code, or null. */
export const lastCode = (email, purpose) => outboxCodes(email, purpose).at(-1) ?? null;

/** Text of, typing into, and waiting for the signed-in account, by data-testid. */
export function studioHelpers(wd) {
  const textOf = async (id) => (await wd.text(await wd.find(id))).trim();
  const fill = async (id, text) => {
    const el = await wd.find(id);
    await wd.clear(el);
    await wd.type(el, text);
  };
  const signedInAs = (nickname) => wd.until(`studio as ${nickname}`, async () => (await textOf('account-nickname')) === nickname, 60000);
  return { textOf, fill, signedInAs };
}
