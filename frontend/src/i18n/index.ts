// Swedish is the default and the fallback; English is switchable and remembered per browser.
// Each screen has its own namespace file (locales/<lang>/<namespace>.json), so catalogues
// stay small and a test checks that Swedish and English have the same keys.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

type Catalogue = Record<string, unknown>;

const files = import.meta.glob<Catalogue>("./locales/*/*.json", { eager: true, import: "default" });

export const LANGUAGES = ["sv", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const LANGUAGE_KEY = "levelup.language";

export function catalogues(): Record<string, Record<string, Catalogue>> {
  const resources: Record<string, Record<string, Catalogue>> = {};
  for (const [path, catalogue] of Object.entries(files)) {
    const match = /\.\/locales\/(\w+)\/(\w+)\.json$/.exec(path);
    if (!match) continue;
    const [, language, namespace] = match as unknown as [string, string, string];
    (resources[language] ??= {})[namespace] = catalogue;
  }
  return resources;
}

function initialLanguage(): Language {
  const stored = typeof localStorage === "undefined" ? null : localStorage.getItem(LANGUAGE_KEY);
  return stored === "en" ? "en" : "sv";
}

export function setLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  void i18n.changeLanguage(language);
}

void i18n.use(initReactI18next).init({
  resources: catalogues(),
  lng: initialLanguage(),
  fallbackLng: "sv",
  defaultNS: "common",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
});
document.documentElement.lang = i18n.language;

export default i18n;
