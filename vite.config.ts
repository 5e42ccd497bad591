// Builds the four browser apps (demo page, widget iframe, agent console, admin) from web/ into web/dist.
// The Parley server serves web/dist as is; widget.js in web/public is copied verbatim as the embed loader.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const page = (path: string) => fileURLToPath(new URL(`./web/${path}`, import.meta.url));

export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    rollupOptions: {
      input: {
        demo: page('index.html'),
        widget: page('widget/index.html'),
        console: page('console/index.html'),
        admin: page('admin/index.html'),
      },
    },
  },
  server: {
    // `vite` dev server: forward the API and realtime to a Parley running on :3000.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
});
