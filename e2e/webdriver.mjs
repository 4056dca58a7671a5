// A minimal W3C WebDriver client over fetch (Node 18+): enough for the studio's checks,
// without pulling a browser-automation framework into the UI's dependencies.

export class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async request(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const v = json.value ?? {};
      throw new Error(`${method} ${path}: ${v.error ?? res.status} ${v.message ?? ''}`.trim());
    }
    return json.value;
  }

  async start(capabilities) {
    const value = await this.request('POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    this.session = value.sessionId;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  async quit() {
    if (this.session) await this.request('DELETE', this.s('')).catch(() => {});
    this.session = null;
  }

  async find(testid) {
    const v = await this.request('POST', this.s('/element'), { using: 'css selector', value: `[data-testid="${testid}"]` });
    return Object.values(v)[0];
  }

  async findAll(selector, from) {
    const path = from ? this.s(`/element/${from}/elements`) : this.s('/elements');
    const list = await this.request('POST', path, { using: 'css selector', value: selector });
    return list.map((v) => Object.values(v)[0]);
  }

  click(el) {
    return this.request('POST', this.s(`/element/${el}/click`), {});
  }
  type(el, text) {
    return this.request('POST', this.s(`/element/${el}/value`), { text });
  }
  clear(el) {
    return this.request('POST', this.s(`/element/${el}/clear`), {});
  }
  text(el) {
    return this.request('GET', this.s(`/element/${el}/text`));
  }
  property(el, name) {
    return this.request('GET', this.s(`/element/${el}/property/${name}`));
  }
  attribute(el, name) {
    return this.request('GET', this.s(`/element/${el}/attribute/${name}`));
  }
  script(source, args = []) {
    return this.request('POST', this.s('/execute/sync'), { script: source, args });
  }
  /** Runs `source`, which ends by calling its last argument with the result. */
  scriptAsync(source, args = []) {
    return this.request('POST', this.s('/execute/async'), { script: source, args });
  }
  /** Session timeouts in ms, e.g. `{ script: 60000 }`. */
  timeouts(values) {
    return this.request('POST', this.s('/timeouts'), values);
  }

  /** Polls `probe` until it returns a truthy value or `ms` pass. */
  async until(what, probe, ms = 30000) {
    const end = Date.now() + ms;
    let last;
    while (Date.now() < end) {
      try {
        const v = await probe();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
  }
}
