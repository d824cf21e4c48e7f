import { describe, expect, it } from "vitest";
import { ApiError } from "./client";
import { isValidationError, plainFieldName, serverFields } from "./fieldErrors";

describe("plainFieldName", () => {
  it.each([
    ["body.username", "username"],
    ["body.entries.2.code", "entries.2.code"],
    ["query.purpose", "purpose"],
    ["path.enrolment_id", "enrolment_id"],
    ["header.if-match", "if-match"],
    ["username", "username"],
    ["somebody.name", "somebody.name"],
    ["outcome.body.x", "outcome.body.x"],
  ])("%s → %s", (key, expected) => {
    expect(plainFieldName(key)).toBe(expected);
  });
});

describe("serverFields", () => {
  it.each([
    [
      "validation locations lose their prefix",
      new ApiError(422, "ValidationError", "Ogiltig begäran", { "body.first_name": "Field required", "query.since": "bad" }),
      { first_name: "Field required", since: "bad" },
    ],
    [
      "the service's own field names stay as they are",
      new ApiError(422, "BusinessRule", "Datumet", { effective_on: "före förra steget", "outcome.kind": "saknas" }),
      { effective_on: "före förra steget", "outcome.kind": "saknas" },
    ],
    [
      "the first message for a name wins",
      new ApiError(422, "ValidationError", "", { "body.x": "first", x: "second" }),
      { x: "first" },
    ],
    ["no fields", new ApiError(409, "Conflict", "Ändrad"), {}],
    ["not an API error", new Error("network"), {}],
    ["nothing", undefined, {}],
  ])("%s", (_, error, expected) => {
    expect(serverFields(error)).toEqual(expected);
  });
});

describe("isValidationError", () => {
  it.each([
    [new ApiError(422, "ValidationError", ""), true],
    [new ApiError(422, "BusinessRule", ""), false],
    [new Error("ValidationError"), false],
    [null, false],
  ])("%o → %s", (error, expected) => {
    expect(isValidationError(error)).toBe(expected);
  });
});
