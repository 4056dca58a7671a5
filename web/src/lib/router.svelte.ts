// The site's pages and their paths (the server answers index.html for each: site.rs PAGES).

export type Route =
  | { page: 'home' }
  | { page: 'channel'; channel: string }
  | { page: 'login' }
  | { page: 'signup' }
  | { page: 'forgot' }
  | { page: 'mypage' }
  | { page: 'notfound' };

export function parse(path: string): Route {
  const channel = /^\/channel\/([^/]+)\/?$/.exec(path);
  if (channel) return { page: 'channel', channel: decodeURIComponent(channel[1]) };
  switch (path.replace(/\/+$/, '') || '/') {
    case '/':
      return { page: 'home' };
    case '/login':
      return { page: 'login' };
    case '/signup':
      return { page: 'signup' };
    case '/forgot':
      return { page: 'forgot' };
    case '/mypage':
      return { page: 'mypage' };
    default:
      return { page: 'notfound' };
  }
}

export const nav = $state<{ route: Route }>({ route: parse(location.pathname) });

/** The page before the log-in and sign-up forms: where they return to. */
let returnTo = '/';

export function go(path: string) {
  const here = location.pathname;
  if (!['/login', '/signup', '/forgot'].includes(here)) returnTo = here;
  if (path !== here) history.pushState(null, '', path);
  nav.route = parse(path);
  window.scrollTo(0, 0);
}

addEventListener('popstate', () => (nav.route = parse(location.pathname)));

/** For `<a href=... onclick={link}>`: stays in the page unless a modifier asks for a new tab. */
export function link(e: MouseEvent) {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(a.pathname);
}

export const channelPath = (name: string) => `/channel/${encodeURIComponent(name)}`;

/** Back to the page the viewer was on before logging in (a channel's "log in to chat"). */
export const goBack = () => go(returnTo);
