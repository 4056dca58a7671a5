/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Absolute asset paths: pages live at nested paths (/channel/<name>).
  base: '/',
  clearScreen: false,
  // amazon-cognito-identity-js still reads Node's `global`.
  define: { global: 'globalThis' },
  server: {
    port: 5174,
    strictPort: true,
    // The shared chat rules live beside the package (../shared-ts).
    fs: { allow: ['..'] },
  },
  build: { target: 'es2020', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 900 },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./src/test-setup.ts'],
  },
});
