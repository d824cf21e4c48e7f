// The new-referral form's values, its checks in the browser (the server stays authoritative)
// and the mapping of the server's per-field problems onto the form's fields.
import type { ApiError, Schemas } from "../../api/client";
import { serverFields } from "../../api/fieldErrors";
import { ageOn, type PersonnummerResult } from "./personnummer";

export type Values = {
  personnummer: string;
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
  address: string;
  gender: "" | Schemas["Gender"];
  education_level: string;
  protected_identity: boolean;
  programme_code: string;
  referred_on: string;
  referrer_organisation_id: string;
  referrer_contact_name: string;
  referrer_contact_phone: string;
  referrer_contact_email: string;
  benefit_at_start: string;
  months_on_support_before_start: string;
};

export type FieldName = keyof Values;
export type FieldErrors = Partial<Record<FieldName, string>>;

/** The person's fields, sent with `POST /participants` (ParticipantCreate). */
export const PERSON_FIELDS: FieldName[] = [
  "personnummer",
  "first_name",
  "last_name",
  "phone",
  "email",
  "address",
  "gender",
  "education_level",
  "protected_identity",
];

/** The referral's fields, sent with `POST /participants/{id}/enrolments` (EnrolmentCreate). */
export const REFERRAL_FIELDS: FieldName[] = [
  "programme_code",
  "referred_on",
  "referrer_organisation_id",
  "referrer_contact_name",
  "referrer_contact_phone",
  "referrer_contact_email",
  "benefit_at_start",
  "months_on_support_before_start",
];

/** Form order: the error summary lists problems in the order the fields appear. */
export const FIELD_ORDER: FieldName[] = [...PERSON_FIELDS, ...REFERRAL_FIELDS];

export function emptyValues(today: string): Values {
  return {
    personnummer: "",
    first_name: "",
    last_name: "",
    phone: "",
    email: "",
    address: "",
    gender: "",
    education_level: "",
    protected_identity: false,
    programme_code: "",
    referred_on: today,
    referrer_organisation_id: "",
    referrer_contact_name: "",
    referrer_contact_phone: "",
    referrer_contact_email: "",
    benefit_at_start: "",
    months_on_support_before_start: "",
  };
}

// The API's own patterns (ParticipantCreate / EnrolmentCreate in openapi.yaml).
const PHONE = /^[0-9+()\- ]*$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

type Translate = (key: string, options?: Record<string, unknown>) => string;

type Context = {
  t: Translate;
  today: string;
  /** False when the referral is for a person who already exists: only its fields are checked. */
  includePerson: boolean;
  personnummer: PersonnummerResult;
  /** The person is already registered (found by the duplicate search). */
  duplicateFound: boolean;
  programme: Schemas["ProgrammeRead"] | undefined;
  programmeName: string;
};

function isRealDate(iso: string): boolean {
  if (!ISO_DATE.test(iso)) return false;
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Every problem the browser can see, keyed by field; an empty object means "send it". */
export function validate(values: Values, ctx: Context): FieldErrors {
  const { t } = ctx;
  const errors: FieldErrors = {};
  const text = (field: FieldName, max: number, required?: string) => {
    const value = String(values[field]).trim();
    if (!value) {
      if (required) errors[field] = t(required);
    } else if (value.length > max) {
      errors[field] = t("errors.tooLong", { max });
    }
  };
  const pattern = (field: FieldName, regex: RegExp, message: string) => {
    const value = String(values[field]).trim();
    if (value && !errors[field] && !regex.test(value)) errors[field] = t(message);
  };

  let birthDate: string | null = null;
  if (ctx.includePerson) {
    if (!ctx.personnummer.ok) {
      errors.personnummer = t(`errors.personnummer.${ctx.personnummer.problem}`);
    } else if (ctx.duplicateFound) {
      errors.personnummer = t("errors.duplicate");
    } else {
      birthDate = ctx.personnummer.value.birthDate;
    }
    text("first_name", 100, "errors.firstName");
    text("last_name", 100, "errors.lastName");
    text("phone", 40);
    pattern("phone", PHONE, "errors.phone");
    text("email", 254);
    pattern("email", EMAIL, "errors.email");
    text("address", 300);
  }

  if (!values.programme_code) errors.programme_code = t("errors.programme");

  const referredOn = values.referred_on.trim();
  if (!referredOn) errors.referred_on = t("errors.referredOnEmpty");
  else if (!isRealDate(referredOn)) errors.referred_on = t("errors.referredOnInvalid");
  else if (referredOn > ctx.today) errors.referred_on = t("errors.referredOnFuture");
  else if (birthDate && referredOn < birthDate) errors.referred_on = t("errors.referredOnBeforeBirth");
  else if (birthDate && ctx.programme) {
    const age = ageOn(birthDate, referredOn);
    const { min_age: min, max_age: max } = ctx.programme;
    if (age < min || age > max) {
      errors.programme_code = t("errors.age", { programme: ctx.programmeName, min, max, age });
    }
  }

  text("referrer_contact_name", 100);
  text("referrer_contact_phone", 40);
  pattern("referrer_contact_phone", PHONE, "errors.phone");
  text("referrer_contact_email", 254);
  pattern("referrer_contact_email", EMAIL, "errors.email");

  const months = values.months_on_support_before_start.trim();
  if (months && (!/^[0-9]+$/.test(months) || Number(months) > 600)) {
    errors.months_on_support_before_start = t("errors.months");
  }
  return errors;
}

/** The person's part of the request body (ParticipantCreate): empty optional fields left out. */
export function participantBody(values: Values, formatted: string): Schemas["ParticipantCreate"] {
  const optional = (value: string) => value.trim() || null;
  return {
    personnummer: formatted,
    first_name: values.first_name.trim(),
    last_name: values.last_name.trim(),
    phone: optional(values.phone),
    email: optional(values.email),
    address: optional(values.address),
    gender: values.gender || null,
    education_level: values.education_level || null,
    protected_identity: values.protected_identity,
  };
}

/** The referral's request body (EnrolmentCreate). The mentor who registers it becomes its mentor. */
export function enrolmentBody(values: Values): Schemas["EnrolmentCreate"] {
  const optional = (value: string) => value.trim() || null;
  const months = values.months_on_support_before_start.trim();
  return {
    programme_code: values.programme_code,
    referred_on: values.referred_on.trim(),
    referrer_organisation_id: values.referrer_organisation_id ? Number(values.referrer_organisation_id) : null,
    referrer_contact_name: optional(values.referrer_contact_name),
    referrer_contact_phone: optional(values.referrer_contact_phone),
    referrer_contact_email: optional(values.referrer_contact_email),
    benefit_at_start: values.benefit_at_start || null,
    months_on_support_before_start: months ? Number(months) : null,
  };
}

/**
 * The server's per-field problems on the form's fields. Request-validation errors name fields
 * as "body.first_name" and carry English parser text, so those get a plain "check this field";
 * the domain's own errors are Swedish sentences (the detail when it concerns one field).
 * `rest` is true when a problem concerns no field of the form.
 */
export function serverFieldErrors(error: ApiError, t: Translate): { fields: FieldErrors; rest: boolean } {
  const fields: FieldErrors = {};
  let rest = false;
  const entries = Object.entries(serverFields(error));
  for (const [key, message] of entries) {
    const name = key as FieldName;
    if (!FIELD_ORDER.includes(name)) {
      rest = true;
      continue;
    }
    if (error.code === "ValidationError") fields[name] = t("errors.checkField");
    else if (entries.length === 1 && error.message) fields[name] = error.message;
    else fields[name] = message;
  }
  return { fields, rest: rest || entries.length === 0 };
}
