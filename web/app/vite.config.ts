import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web apps (agent workspace, supervisor wallboard, admin console) in one Vite build, served by
// the Switchboard server at `/`. Each app is its own lazily loaded chunk; React and Ant Design are
// shared vendor chunks so switching app never downloads them twice.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('echarts') || id.includes('zrender')) return 'vendor-charts';
          if (/node_modules\/(react|react-dom|scheduler|react-router)\//.test(id)) return 'vendor-react';
          if (id.includes('i18next')) return 'vendor-i18n';
          return 'vendor-ui';
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/widget.js': 'http://127.0.0.1:8080',
      '/webchat': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
