import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import "../i18n";
import { clearTokens } from "../auth/tokens";

afterEach(() => {
  cleanup();
  clearTokens();
  sessionStorage.clear();
  vi.unstubAllGlobals();
});
