// A Vite plugin for the bundled Hangul font (@fontsource/noto-sans-kr): its CSS lists a
// .woff fallback after every .woff2 subset. Every engine the studio and the site run in
// (WebKitGTK, current browsers) reads woff2, so the fallbacks would only add about 3.4 MB
// per weight to the build (and to the studio's binary, which embeds it).
// Typed structurally: this folder has no node_modules to import Vite's types from.
export function woff2Only() {
  return {
    name: 'cloumer-woff2-only',
    enforce: 'pre' as const,
    transform(code: string, id: string) {
      if (!id.includes('@fontsource/') || !id.endsWith('.css')) return undefined;
      return { code: code.replace(/,\s*url\([^)]*\.woff\)\s*format\(['"]woff['"]\)/g, ''), map: null };
    },
  };
}
