import { describe, expect, it } from "vitest";
import { catalogues } from "./index";

function keys(value: unknown, prefix = ""): string[] {
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

describe("translation catalogues", () => {
  const all = catalogues();

  it("has Swedish and English for the same namespaces", () => {
    expect(Object.keys(all.sv ?? {}).sort()).toEqual(Object.keys(all.en ?? {}).sort());
    expect(Object.keys(all.sv ?? {})).toContain("common");
  });

  it.each(Object.keys(catalogues().sv ?? {}))("namespace %s has the same keys in both languages", (ns) => {
    expect(keys(all.en?.[ns]).sort()).toEqual(keys(all.sv?.[ns]).sort());
  });

  it("has no empty texts", () => {
    for (const [language, namespaces] of Object.entries(all)) {
      for (const [ns, catalogue] of Object.entries(namespaces)) {
        const flat = keys(catalogue);
        for (const key of flat) {
          const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue);
          expect(String(value).trim(), `${language}/${ns}:${key}`).not.toBe("");
        }
      }
    }
  });
});
