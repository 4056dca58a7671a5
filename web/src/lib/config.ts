// Where the backend lives, read at start from /config.json (served by `cloumer serve`, or
// put next to the site in the AWS bucket), so one build works against either backend.

export interface SiteConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** REST base URL; may carry a path (`.../develop`): routes are appended. */
  apiUrl: string;
  /** Overrides Cognito's regional endpoint (self-hosted servers). */
  cognitoEndpoint?: string | null;
  /** Overrides IVS Chat's regional endpoint (self-hosted servers). */
  chatEndpoint?: string | null;
  /** Where the studio can be downloaded (shown on "my page" when set). */
  studioDownloadUrl?: string | null;
  /**
   * The API answers on the origin that served this page (`cloumer serve`): its URLs are
   * then taken relative to the browser's origin, which reached it whatever name the
   * server knows itself by. Absent on AWS, where the site and the API are apart.
   */
  sameOrigin?: boolean;
}

let loaded: SiteConfig | null = null;

export async function loadConfig(): Promise<SiteConfig> {
  if (loaded) return loaded;
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const value = (await response.json()) as SiteConfig;
  if (!value.apiUrl || !value.userPoolId || !value.clientId) {
    throw new Error('config.json lacks apiUrl, userPoolId or clientId');
  }
  const advertised = originOf(value.apiUrl);
  const rebase = (url: string) =>
    value.sameOrigin && advertised && url.startsWith(advertised) ? location.origin + url.slice(advertised.length) : url;
  const rebaseWs = (url: string) => {
    const http = url.replace(/^ws(s?):/, 'http$1:');
    return rebase(http) === http ? url : rebase(http).replace(/^http(s?):/, 'ws$1:');
  };
  serverOrigin = value.sameOrigin ? advertised : null;
  loaded = {
    ...value,
    apiUrl: rebase(value.apiUrl).replace(/\/+$/, ''),
    cognitoEndpoint: value.cognitoEndpoint ? rebase(value.cognitoEndpoint) : value.cognitoEndpoint,
    chatEndpoint: value.chatEndpoint ? rebaseWs(value.chatEndpoint) : value.chatEndpoint,
  };
  return loaded;
}

/** The origin the server advertised for itself, when it serves this page (sameOrigin). */
let serverOrigin: string | null = null;

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * A URL the backend handed out (playback, avatar), moved onto the page's origin when the
 * server serves the page and named itself differently; unchanged otherwise.
 */
export function localUrl(url: string): string;
export function localUrl(url: string | undefined): string | undefined;
export function localUrl(url: string | undefined): string | undefined {
  if (!url || !serverOrigin || !url.startsWith(serverOrigin)) return url;
  return location.origin + url.slice(serverOrigin.length);
}

/** The loaded config; only valid after loadConfig() resolved (App waits for it). */
export function config(): SiteConfig {
  if (!loaded) throw new Error('config not loaded');
  return loaded;
}
