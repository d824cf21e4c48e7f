/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `make dev-web` runs Vite on :5173 and proxies the API to the backend of `make run` (:8000).
const backend = process.env.LEVELUP_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { "/api": backend, "/health": backend, "/ready": backend },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    // The chart library only loads with the screens that draw charts (see lazy routes).
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
