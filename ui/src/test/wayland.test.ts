// Wayland screen capture in the studio (issue 20, item 1): where the engine lists the
// ScreenCast portal, the screen choice offers it (the system's dialog picks the monitor or
// window) instead of X11 screens, and "choose again" forgets the portal's kept answer.
import { beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { studio } from '../lib/studio.svelte';
import type { Settings } from '../lib/bindings';
import { fakeBackend, settings as defaults, signedIn } from './fake-backend';

const portal = { kind: 'screen', id: 'portal', name: 'Screen or window (chosen in the system dialog)', class: 'Video/Source/Screen' };
const x11 = { kind: 'screen', id: ':0', name: 'X11 display :0', class: 'Video/Source/Screen' };

beforeEach(() => {
  Object.assign(studio, { screen: 'welcome', backend: null, account: null, profile: null, settings: null, live: { state: 'idle' }, devices: [] });
});

function withToken(token: string | null): Settings {
  return { ...defaults, sources: { ...defaults.sources, portalRestoreToken: token } };
}

async function screenChoice(): Promise<HTMLSelectElement> {
  const label = await screen.findByText('Screen', { selector: 'label' });
  return label.querySelector('select') as HTMLSelectElement;
}

describe('screen choice on Wayland', () => {
  it('offers the portal instead of X11 screens and forgets the kept choice on request', async () => {
    const fake = fakeBackend({ app_info: signedIn, list_devices: () => [portal], get_settings: () => withToken('restore-1') });
    render(App);
    const again = await screen.findByTestId('screen-choose-again');
    const select = await screenChoice();
    const options = [...select.options].map((o) => o.textContent);
    expect(options).toEqual(['Screen or window (chosen in the system dialog)']);

    await fireEvent.click(again);
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.cmd === 'save_settings').map((c) => (c.args.settings as Settings).sources.portalRestoreToken)).toEqual([null]),
    );
    await waitFor(() => expect(screen.queryByTestId('screen-choose-again')).toBeNull());
  });

  it('has nothing to forget before the first choice, and X11 keeps its screens', async () => {
    fakeBackend({ app_info: signedIn, list_devices: () => [x11], get_settings: () => withToken('left-from-wayland') });
    render(App);
    const select = await screenChoice();
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(['Default screen', 'X11 display :0']));
    expect(screen.queryByTestId('screen-choose-again')).toBeNull();
  });
});
