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
  loaded = { ...value, apiUrl: value.apiUrl.replace(/\/+$/, '') };
  return loaded;
}

/** The loaded config; only valid after loadConfig() resolved (App waits for it). */
export function config(): SiteConfig {
  if (!loaded) throw new Error('config not loaded');
  return loaded;
}
